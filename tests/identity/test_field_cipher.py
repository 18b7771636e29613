"""Identifying details are encrypted as Fernet tokens under the first key and read back under any
key given, whatever their JSON is written with."""

from cryptography.fernet import Fernet

from app.core.crypto import FieldCipher, generate_key


def test_details_are_encrypted_under_the_first_key_and_read_back_after_a_rotation() -> None:
    old, new = generate_key(), generate_key()
    details = {"survivor_code": "S-1", "name": "Aïcha N'Diaye", "notes": 'a "quoted" line\n'}
    token = FieldCipher([new, old]).encrypt_json(details)
    assert Fernet(new.encode()).decrypt(token)  # the first key's token, no other's
    assert FieldCipher([old, new]).decrypt_json(token) == details
    assert details["name"].encode() not in token


def test_values_orjson_refuses_are_written_as_json_writes_them() -> None:
    cipher = FieldCipher([generate_key()])
    beyond_64_bits = {"number": 2**70, "text": "é"}
    assert cipher.decrypt_json(cipher.encrypt_json(beyond_64_bits)) == beyond_64_bits

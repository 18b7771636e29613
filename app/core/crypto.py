"""Encryption at rest for survivor identifying details (Fernet: AES-128-CBC with HMAC-SHA256).

Keys come from `ENCRYPTION_KEYS` (comma-separated; the first encrypts, all decrypt, so keys can
be rotated). Only the embedded SQLite set-up may fall back to a key file it creates beside the
database, so that a newcomer's `make run` needs no set-up; a server database refuses to start
without configured keys rather than write survivor data under a key nobody manages.
"""

import base64
import json
import os
from pathlib import Path
from typing import Annotated, Any

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Depends, Request
from sqlalchemy.engine import make_url

from app.core.config import Settings


class EncryptionNotConfiguredError(RuntimeError):
    pass


class FieldCipher:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise EncryptionNotConfiguredError("no encryption key given")
        fernets = [Fernet(key.encode()) for key in keys]
        self._fernet = MultiFernet(fernets)
        # The first key encrypts (what MultiFernet.encrypt does, one call less for every value).
        self._encrypt = fernets[0].encrypt

    def encrypt_json(self, value: dict[str, Any]) -> bytes:
        return self._encrypt(_json_bytes(value))

    def decrypt_json(self, token: bytes) -> dict[str, Any]:
        try:
            return dict(json.loads(self._fernet.decrypt(token)))
        except InvalidToken:
            # Never include the token or any plaintext in the message.
            raise EncryptionNotConfiguredError(
                "stored identifying data cannot be decrypted with the configured keys"
            ) from None


def _json_bytes(value: dict[str, Any]) -> bytes:
    """UTF-8 JSON, by orjson (a third of `json`'s time for an import's thousands of survivor
    codes); what orjson refuses goes to `json`, which then fails or writes it as it always did."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False).encode()


def generate_key() -> str:
    return Fernet.generate_key().decode()


def load_cipher(settings: Settings) -> FieldCipher:
    return FieldCipher(encryption_keys(settings))


def encryption_keys(settings: Settings) -> list[str]:
    """The configured keys, or the embedded SQLite set-up's key file (created if missing)."""
    keys = [key.strip() for key in settings.encryption_keys.split(",") if key.strip()]
    if keys:
        return keys
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise EncryptionNotConfiguredError(
            "ENCRYPTION_KEYS is not set. Generate a key with `crsv-registry generate-key`, "
            "keep it safe (without it the identifying data cannot be read), and set it."
        )
    return [_key_file_beside(Path(url.database))]


AUDIT_KEY_LABEL = b"crsv-registry audit chain v1"


def audit_key_text(settings: Settings) -> str:
    """The secret that keys the audit chain's HMACs; it never goes into the database.

    `AUDIT_KEY` when set; otherwise derived (HKDF-SHA256, with a label of its own) from the first
    encryption key, so that a set-up with encryption keys needs nothing more. Knowing the audit
    key tells nothing about the encryption key.
    """
    if settings.audit_key:
        return settings.audit_key
    first_key = encryption_keys(settings)[0].encode()
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=AUDIT_KEY_LABEL).derive(
        first_key
    )
    # As text, so that `crsv-registry audit key` can print it for AUDIT_KEY.
    return base64.urlsafe_b64encode(derived).decode()


def load_audit_key(settings: Settings) -> bytes:
    return audit_key_text(settings).encode()


def _key_file_beside(database: Path) -> str:
    key_file = database.with_name(database.name + ".key")
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate_key())
    return key_file.read_text().strip()


async def get_cipher(request: Request) -> FieldCipher:
    # Async: it only reads the app's state, and a sync dependency costs a trip to a thread.
    cipher: FieldCipher = request.app.state.cipher
    return cipher


CipherDep = Annotated[FieldCipher, Depends(get_cipher)]

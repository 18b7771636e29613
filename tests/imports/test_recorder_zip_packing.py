"""A workbook whose zip holds an encrypted part, or one packed by a method Excel never uses, is
refused with a report; before, the zip reader's own error escaped as a 500."""

import struct

import pytest
from fastapi.testclient import TestClient

from tests.factories import API
from tests.imports.workbooks import recorder_row, upload, workbook_bytes

LOCAL_HEADER, CENTRAL_HEADER = b"PK\x03\x04", b"PK\x01\x02"
# Where each header keeps its name's length, its name, its flags and its packing method.
LAYOUT = {LOCAL_HEADER: (26, 30, 6, 8), CENTRAL_HEADER: (28, 46, 8, 10)}


def repacked(part: str, *, method: int | None = None, encrypted: bool = False) -> bytes:
    """A valid workbook whose headers for `part` claim another method, or encryption."""
    data = bytearray(workbook_bytes([recorder_row()]))
    for signature, (length_at, name_at, flags_at, method_at) in LAYOUT.items():
        start = data.find(signature)
        while start >= 0:
            length = struct.unpack_from("<H", data, start + length_at)[0]
            if data[start + name_at : start + name_at + length] == part.encode():
                if method is not None:
                    struct.pack_into("<H", data, start + method_at, method)
                if encrypted:
                    flags = struct.unpack_from("<H", data, start + flags_at)[0]
                    struct.pack_into("<H", data, start + flags_at, flags | 1)
            start = data.find(signature, start + 4)
    return bytes(data)


@pytest.mark.parametrize(
    ("part", "method", "encrypted"),
    [
        pytest.param("xl/worksheets/sheet1.xml", 9, False, id="sheet-deflate64"),
        pytest.param("xl/styles.xml", 99, False, id="styles-aes"),
        pytest.param("xl/worksheets/sheet1.xml", None, True, id="sheet-encrypted"),
        pytest.param("[Content_Types].xml", None, True, id="content-types-encrypted"),
    ],
)
def test_an_encrypted_or_oddly_packed_workbook_is_refused_with_a_report(
    client: TestClient, part: str, method: int | None, encrypted: bool
) -> None:
    response = upload(client, repacked(part, method=method, encrypted=encrypted))
    assert response.status_code == 422, response.text[:300]
    assert "encrypted or packed" in response.json()["errors"][0]["message"]
    assert client.get(f"{API}/incidents").json()["items"] == []

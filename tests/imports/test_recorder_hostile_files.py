"""Files made to break the Incident Recorder import: each is refused with a report, in bounded
time and memory, and nothing is imported."""

from fastapi.testclient import TestClient

from tests.factories import API
from tests.imports.hostile_files import SHEET_PART, rewritten, sheet
from tests.imports.workbooks import ENGLISH, upload


def refusal(response: object) -> str:
    assert response.status_code == 422, response.text[:500]  # type: ignore[attr-defined]
    return response.json()["errors"][0]["message"]  # type: ignore[attr-defined]


def test_a_cell_the_reader_cannot_read_refuses_the_file_naming_its_row(
    client: TestClient,
) -> None:
    for cell in (
        '<c r="E3" t="d"><v>not a date</v></c>',  # an ISO date cell that is not one
        '<c r="E3" t="s"><v>99999</v></c>',  # a shared string that does not exist
        '<c r="E3" t="n"><v>twelve</v></c>',  # a number that is not one
        '<c r="ZZZZ3"><v>1</v></c>',  # a column beyond any spreadsheet's
    ):
        content = rewritten({SHEET_PART: sheet(f'<row r="2"></row><row r="3">{cell}</row>')})
        message = refusal(upload(client, content))
        assert "Row 3" in message, (cell, message)
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_a_csv_header_larger_than_a_field_may_be_is_refused_as_malformed(
    client: TestClient,
) -> None:
    content = ("B" * 200_000 + "," + ",".join(ENGLISH) + "\r\n").encode()
    assert "malformed" in refusal(upload(client, content, filename="recorder.csv"))

"""Files made to break the Incident Recorder import: each is refused with a report, in bounded
time and memory, and nothing is imported."""

import io
import re
import resource
import time
import zipfile

import openpyxl
import pytest
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API
from tests.imports.hostile_files import (
    MAIN,
    SHEET_PART,
    STRINGS_TYPE,
    repeated,
    rewritten,
    sheet,
    sheet_opening,
    with_shared_strings,
)
from tests.imports.workbooks import ENGLISH, csv_bytes, recorder_row, upload, workbook_bytes


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


# Refused before any statement, and measured by the process's peak memory, which a second run in
# the same process could not raise again: once, on one database.
REFUSED_UNREAD = pytest.mark.one_database("refused before any statement; measured by peak memory")


def peak_memory_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


@REFUSED_UNREAD
def test_a_workbook_declaring_more_than_the_bound_is_refused_before_anything_is_unpacked(
    client: TestClient,
) -> None:
    # Half a gigabyte of spaces as the content types: about half a megabyte zipped.
    spaces = repeated(b"", b" " * 1024, 512 * 1024, b"")
    before = peak_memory_mb()
    message = refusal(upload(client, rewritten({"[Content_Types].xml": spaces})))
    assert "too large once unpacked" in message
    assert peak_memory_mb() - before < 100


@REFUSED_UNREAD
def test_sheet_xml_that_would_take_gigabytes_to_hold_is_refused_in_bounded_memory(
    client: TestClient,
) -> None:
    opening, closing = sheet_opening(), b"</sheetData></worksheet>"
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(4096))
    bombs = {
        # one row of 60 million empty cells, then 60 million blank rows, then unknown elements
        "row": rewritten(
            {
                SHEET_PART: repeated(
                    opening + b'<row r="2">', b"<c/>", 2 * 10**7, b"</row>" + closing
                )
            }
        ),
        "rows": rewritten({SHEET_PART: repeated(opening, b"<row/>", 2 * 10**7, closing)}),
        "elements": rewritten({SHEET_PART: repeated(opening, b"<x/>", 2 * 10**7, closing)}),
        # a cell of a quarter of a gigabyte of text
        "text": rewritten(
            {
                SHEET_PART: repeated(
                    opening + b'<row r="2"><c t="str"><v>',
                    b"x" * 1024,
                    256 * 1024,
                    b"</v></c></row>" + closing,
                )
            }
        ),
        # a shared-strings table of 2.5 million strings
        "strings": rewritten(
            {},
            extra={
                "xl/sharedStrings.xml": repeated(f"<sst {MAIN}>".encode(), strings, 600, b"</sst>")
            },
        ),
    }
    before = peak_memory_mb()
    for name, content in bombs.items():
        assert len(content) < 8_000_000, name  # far below the body limit
        message = refusal(upload(client, content))
        assert "beyond its bounds" in message, (name, message)
    assert peak_memory_mb() - before < 300


def test_a_row_numbered_beyond_the_spreadsheet_limit_is_refused_at_once(
    client: TestClient,
) -> None:
    far = '<row r="1000000000"><c t="inlineStr"><is><t>IR-1</t></is></c></row>'
    started = time.monotonic()
    assert "beyond its bounds" in refusal(upload(client, rewritten({SHEET_PART: sheet(far)})))
    assert time.monotonic() - started < 10


def test_xml_declaring_entities_is_refused_never_expanded_nor_fetched(client: TestClient) -> None:
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10 if n else "lol"}">' for n in range(10))
    rows = '<row r="2"><c t="inlineStr"><is><t>&e;</t></is></c></row>'
    for declared in (
        '<!DOCTYPE w [<!ENTITY e "IR-0001">]>',  # harmless-looking, still never expanded
        f"<!DOCTYPE w [{laughs}<!ENTITY e '&l9;'>]>",  # a billion laughs
        '<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>',  # an external entity
    ):
        content = rewritten({SHEET_PART: sheet(rows, before=declared)})
        assert "beyond its bounds" in refusal(upload(client, content)), declared
    assert client.get(f"{API}/incidents").json()["items"] == []
    # openpyxl itself parses with defusedxml, which refuses entities wherever it reads XML
    assert openpyxl.DEFUSEDXML is True


def test_a_file_without_its_header_row_is_refused_without_echoing_its_first_row(
    client: TestClient, client_for
) -> None:
    row = recorder_row(survivor_code="SURV-HEADLESS-9")
    for content, name in (
        (csv_bytes([row]).split(b"\r\n", 1)[1], "recorder.csv"),
        (workbook_bytes([row], headers=[]), "recorder.xlsx"),
    ):
        response = upload(client, content, filename=name)
        assert "column headers" in refusal(response)
        assert "SURV-HEADLESS-9" not in response.text
        dry = upload(client, content, filename=name, dry_run=True)
        assert dry.status_code == 200 and "SURV-HEADLESS-9" not in dry.text
    trail = client_for(Role.ADMIN).get(f"{API}/audit")
    assert "SURV-HEADLESS-9" not in trail.text


def test_macros_under_other_names_are_refused(client: TestClient) -> None:
    original = zipfile.ZipFile(io.BytesIO(rewritten({}))).read("[Content_Types].xml")
    vba_type = b'<Default Extension="dat" ContentType="application/vnd.ms-office.vbaProject"/>'
    for content in (
        # a VBA project named as data, declared by its content type
        rewritten(
            {"[Content_Types].xml": original.replace(b"</Types>", vba_type + b"</Types>")},
            extra={"xl/data.dat": b"\xd0\xcf\x11\xe0 not really VBA"},
        ),
        # an Excel 4 macro sheet
        rewritten({}, extra={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}),
        # the macro-enabled workbook type written in lower case
        rewritten(
            {
                "[Content_Types].xml": original.replace(
                    b"spreadsheetml.sheet.main+xml", b"sheet.macroenabled.main+xml"
                )
            }
        ),
    ):
        assert "macros" in refusal(upload(client, content))


def test_a_sheet_under_a_name_that_is_not_xml_is_still_held_to_the_bounds(
    client: TestClient,
) -> None:
    base = zipfile.ZipFile(io.BytesIO(rewritten({})))
    relations = base.read("xl/_rels/workbook.xml.rels").replace(b"sheet1.xml", b"sheet1.dat")
    far = '<row r="1000000000"><c t="inlineStr"><is><t>IR-1</t></is></c></row>'
    content = rewritten(
        {"xl/_rels/workbook.xml.rels": relations, SHEET_PART: b"<worksheet/>"},
        extra={"xl/worksheets/sheet1.dat": sheet(far)},
    )
    started = time.monotonic()
    assert "beyond its bounds" in refusal(upload(client, content))
    assert time.monotonic() - started < 10
    # a picture is not XML, and is not refused for not being XML
    picture = rewritten({}, extra={"xl/media/image1.png": b"\x89PNG\r\n\x1a\n" + bytes(100)})
    assert upload(client, picture, dry_run=True).json()["created"] == 1


@REFUSED_UNREAD
def test_content_types_within_the_unpacked_bound_but_huge_are_refused_without_being_held(
    client: TestClient,
) -> None:
    # 380 MB of blanks, then the content types (without their XML declaration, which must come
    # first): under the 400 MB a workbook may unpack to, far over what such a part holds.
    original = zipfile.ZipFile(io.BytesIO(rewritten({}))).read("[Content_Types].xml")
    types = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    before = peak_memory_mb()
    content = rewritten({"[Content_Types].xml": repeated(b"", b" " * 1024, 380 * 1024, types)})
    assert "beyond its bounds" in refusal(upload(client, content))
    assert peak_memory_mb() - before < 100


@REFUSED_UNREAD
def test_a_sheet_named_also_as_the_shared_strings_is_refused_before_it_is_read_whole(
    client: TestClient,
) -> None:
    # openpyxl reads shared strings keeping every element that is not a string: a sheet's
    # part read as them would be held whole, so it may not be as large as a sheet may.
    relations = zipfile.ZipFile(io.BytesIO(rewritten({}))).read("xl/_rels/workbook.xml.rels")
    strings = (
        b'<Relationship Id="rIdS" Target="/xl/worksheets/sheet1.xml" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    )
    row = b"<row>" + b"<c/>" * 16_000 + b"</row>"
    content = rewritten(
        {
            "xl/_rels/workbook.xml.rels": relations.replace(
                b"</Relationships>", strings + b"</Relationships>"
            ),
            SHEET_PART: repeated(sheet_opening(), row, 1_000, b"</sheetData></worksheet>"),
        }
    )
    before = peak_memory_mb()
    assert "beyond its bounds" in refusal(upload(client, content))
    assert peak_memory_mb() - before < 300


@REFUSED_UNREAD
def test_shared_strings_beyond_the_bounds_or_declaring_entities_are_refused(
    client: TestClient,
) -> None:
    opening = f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY e "IR-1">]><sst {MAIN}>'
    for part in (
        repeated(f"<sst {MAIN}>".encode(), b"<si><t>1</t></si>", 1_300_000, b"</sst>"),
        (opening + "<si><t>&e;</t></si></sst>").encode(),
        f"<sst {MAIN}><si><t>{'x' * (5 << 20)}</t></si></sst>".encode(),  # one of 5 MB
        repeated(f"<sst {MAIN}><si><t>".encode(), b"x" * 1024, 256 * 1024, b"</t></si></sst>"),
        b"<worksheet/>",  # not a table of strings
    ):
        before = peak_memory_mb()
        cell = '<row r="2"><c t="s"><v>0</v></c></row>'
        content = with_shared_strings(part, sheet(cell))
        assert "beyond its bounds" in refusal(upload(client, content))
        assert peak_memory_mb() - before < 300


def test_sheet_xml_damaged_after_its_first_rows_refuses_the_file_alone(
    client: TestClient,
) -> None:
    # A row with problems, then a quarter of a megabyte of rows, then XML the reader refuses:
    # the file is refused as a whole, as when its XML was checked before any row was read.
    problem = '<row r="2"><c t="inlineStr"><is><t>IR-1</t></is></c></row>'
    filler = "".join(f'<row r="{n}"><c><v>{n}</v></c></row>' for n in range(3, 10_000))
    for damage in (
        '<row r="1000000000"/>',  # a row numbered beyond Excel's
        '<row r="10000"><c t="s"><v>0</v></c>',  # cut short
        f'<row r="10000">{"<c/>" * 16_385}</row>',  # more cells than Excel's columns
    ):
        content = rewritten({SHEET_PART: sheet(problem + filler + damage)})
        report = upload(client, content, dry_run=True).json()
        assert [p["message"] for p in report["problems"]] == [
            "The workbook's XML is damaged or beyond its bounds."
        ], damage
        assert "beyond its bounds" in refusal(upload(client, content))
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_a_sheet_part_that_is_not_a_worksheet_is_refused(client: TestClient) -> None:
    rows = f'<row r="1"><c t="inlineStr"><is><t>{ENGLISH[0]}</t></is></c></row>'
    content = rewritten({SHEET_PART: f"<sst {MAIN}><sheetData>{rows}</sheetData></sst>".encode()})
    assert "beyond its bounds" in refusal(upload(client, content))


def test_shared_strings_declared_but_missing_are_refused(client: TestClient) -> None:
    base = zipfile.ZipFile(io.BytesIO(rewritten({})))
    types = base.read("[Content_Types].xml").replace(b"</Types>", STRINGS_TYPE + b"</Types>")
    content = rewritten({"[Content_Types].xml": types})
    assert "not a readable XLSX workbook" in refusal(upload(client, content))


def _dry_run_cpu_seconds(client: TestClient, row: bytes, count: int) -> float:
    """The least processor time (not wall-clock) of two dry runs of `count` copies of `row`."""
    closing = b"</sheetData></worksheet>"
    content = rewritten({SHEET_PART: repeated(sheet_opening(), row, count, closing)})
    least = float("inf")
    for _ in range(2):
        started = time.process_time()
        response = upload(client, content, dry_run=True)
        least = min(least, time.process_time() - started)
        assert response.status_code == 200, response.text[:500]
    return least


def test_rows_whose_one_cell_is_far_right_cost_what_their_cells_cost(client: TestClient) -> None:
    """Made as wide as their last cell, 100,000 rows with a value at column XFD (a 10 KB upload)
    took some 50 s of CPU, and a million blank ones minutes: now what rows with their cell at
    column A take."""
    count = 5_000
    near = _dry_run_cpu_seconds(client, b"<row><c><v>1</v></c></row>", count)
    far = _dry_run_cpu_seconds(client, b'<row><c r="XFD1"><v>1</v></c></row>', count)
    blank = _dry_run_cpu_seconds(
        client, b'<row><c r="XFD1" t="inlineStr"><is><t> </t></is></c></row>', count
    )
    assert far < 3 * near + 0.1 and blank < 3 * near + 0.1, (near, far, blank)
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_a_row_whose_cells_are_out_of_order_imports_every_cell(client: TestClient) -> None:
    """Read as openpyxl reads it, a row stopped at its last cell's column: with one cell moved
    to the row's end, the cells right of it were dropped (CONSENT GIVEN among them) and the
    import said nothing."""
    content = workbook_bytes([recorder_row()])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        part = archive.read(SHEET_PART).decode()
    row = re.search(r'<row r="2"[^>]*>(.*?)</row>', part, re.S)
    assert row
    moved = re.search(r'<c r="B2"[^>]*?(?:/>|>.*?</c>)', row.group(1), re.S)
    assert moved, row.group(1)[:300]
    reordered = row.group(1).replace(moved.group(0), "") + moved.group(0)
    part = part.replace(row.group(1), reordered)
    answer = upload(client, rewritten({SHEET_PART: part.encode()}))
    assert answer.status_code == 200 and answer.json()["problems"] == [], answer.text[:500]
    incident = client.get(f"{API}/incidents").json()["items"][0]
    victim = client.get(f"{API}/incidents/{incident['id']}").json()["victims"][0]
    assert victim["consent"]["statistics"]["granted"] is True

"""The fast reader of a sheet's rows gives what the expat reader gives, row for row and refusal
for refusal, for every part: the workbooks the other tests build, and sheets generated around
what Excel, openpyxl and Primero write with what they never write (entities, comments, CDATA,
odd references, rows numbered down or beyond Excel's, too many cells, XML cut short...), each
read in chunks of several sizes (where a chunk ends decides which rows come before a
refusal). And the workbooks those writers write are read by the fast reader alone."""

import io
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.imports import sheet_cells, sheet_xml, xml_guard
from app.imports.sheet_xml import Formula
from app.imports.workbook import open_sheet
from tests.imports import hostile_files
from tests.imports.test_recorder_reader import every_kind_of_cell
from tests.imports.workbooks import recorder_row, workbook_bytes

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EXCEL_ROOT = (
    f'<worksheet xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'mc:Ignorable="x14ac" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
)
STRINGS = ["zero", "one", "two & three", "four"]
EPOCH = datetime(1899, 12, 30)
DATES, TIMEDELTAS = {1, 2}, {2}
CHUNKS = (1, 2, 5, 16, 100, 64 * 1024)

Outcome = tuple[list[tuple[int, list[tuple[str, str]]]], tuple[str, str]]


def read(xml: bytes, *, fast: bool, chunk: int, strings: list[str] = STRINGS) -> Outcome:
    """The rows one reader gives, each value with its type, then how it ended."""
    rows: list[tuple[int, list[tuple[str, str]]]] = []
    with mock.patch.object(sheet_xml, "CHUNK_BYTES", chunk):
        part = io.BytesIO(xml)
        read = sheet_xml.sheet_rows(part, "sheet", strings, EPOCH, DATES, TIMEDELTAS, fast=fast)
        try:
            for number, row in read:
                rows.append((number, [_typed(value) for value in row]))
        except xml_guard.UnsafeXmlError as error:
            return rows, ("unsafe", error.reason)
        except sheet_xml.UnreadableRowError as error:
            return rows, ("unreadable", str(error.row))
        except Exception as error:  # whatever the expat reader raises, the fast one must too
            return rows, (type(error).__name__, str(error))
    return rows, ("read", "")


def _typed(value: Any) -> tuple[str, str]:
    if isinstance(value, Formula):
        return "Formula", value.text
    return type(value).__name__, repr(value)


def assert_same(xml: bytes, chunks: tuple[int, ...] = CHUNKS, **strings: Any) -> Outcome:
    for chunk in chunks:
        expected = read(xml, fast=False, chunk=chunk, **strings)
        assert read(xml, fast=True, chunk=chunk, **strings) == expected, (chunk, xml[:300])
    return expected


@pytest.fixture
def expat_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The expat reader fails the test if it is asked to read a sheet's rows."""

    def refused(*_: object) -> Iterator[Any]:
        raise AssertionError("read by expat")

    monkeypatch.setattr(sheet_xml._Rows, "read", refused)


def sheet_part(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(hostile_files.SHEET_PART)


def excel_sheet(rows: int) -> bytes:
    """A sheet as Excel writes one: a declaration, Excel 2010's namespaces, rows with spans and
    heights, styled empty cells, shared strings, numbers, dates, booleans, formulas."""
    body = "".join(
        f'<row r="{n}" spans="1:6" ht="15" customHeight="1" x14ac:dyDescent="0.25">'
        f'<c r="A{n}" s="3" t="s"><v>{n % 4}</v></c><c r="B{n}" s="1"><v>{43000 + n}</v></c>'
        f'<c r="C{n}" s="4"/><c r="D{n}" t="b"><v>{n % 2}</v></c>'
        f'<c r="E{n}"><f>B{n}*2</f><v>{2 * (43000 + n)}</v></c>'
        f'<c r="F{n}" t="inlineStr"><is><t xml:space="preserve"> a &amp; b </t></is></c></row>'
        for n in range(1, rows + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'{EXCEL_ROOT}<dimension ref="A1:F{rows}"/><sheetViews><sheetView workbookViewId="0"/>'
        f'</sheetViews><sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/>'
        f"<sheetData>{body}</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/></worksheet>'
    ).encode()


def test_the_workbooks_excel_openpyxl_and_primero_write_are_read_without_expat(
    expat_refused: None,
) -> None:
    content = workbook_bytes([recorder_row(), recorder_row(incident_id="IR-2", sex=None)])
    sheet = open_sheet(io.BytesIO(content), "recorder.xlsx")
    assert [row[0] for _, row in sheet.rows] == ["IR-0001", "IR-2"]
    assert read(excel_sheet(300), fast=True, chunk=64 * 1024)[1] == ("read", "")
    assert read(sheet_part(content), fast=True, chunk=16)[1] == ("read", "")


def test_an_excel_sheet_reads_as_expat_reads_it() -> None:
    rows, end = assert_same(excel_sheet(40), chunks=(1, 7, 333, 64 * 1024))
    assert end == ("read", "") and len(rows) == 40
    assert rows[1][1] == [
        ("str", "'two & three'"),
        ("datetime", repr(datetime(2017, 9, 24))),
        ("NoneType", "None"),
        ("bool", "False"),
        ("Formula", "B2*2"),
        ("str", "' a & b '"),
    ]


@pytest.mark.parametrize("iso_dates", [False, True])
def test_every_kind_of_cell_reads_as_expat_reads_it(iso_dates: bool) -> None:
    content = every_kind_of_cell(iso_dates)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        strings = sheet_xml.shared_strings(archive.open("xl/sharedStrings.xml"), "strings")
    assert_same(sheet_part(content), strings=strings)


@pytest.mark.parametrize(
    "rows",
    [
        '<row r="2"></row><row r="3"><c r="E3" t="d"><v>not a date</v></c></row>',
        '<row r="2"></row><row r="3"><c r="E3" t="s"><v>99999</v></c></row>',
        '<row r="2"></row><row r="3"><c r="E3" t="n"><v>twelve</v></c></row>',
        '<row r="2"></row><row r="3"><c r="ZZZZ3"><v>1</v></c></row>',
        '<row r="1000000000"><c t="inlineStr"><is><t>IR-1</t></is></c></row>',
        '<row r="2"><c t="inlineStr"><is><t>IR-1</t></is></c></row><row r="10000">'
        '<c t="s"><v>0</v></c>',
        f'<row r="2"><c><v>2</v></c></row><row r="3">{"<c/>" * 16_385}</row>',
        f'<row r="2"><c><v>2</v></c></row><row r="3">{"<c/>" * 16_384}</row>',
        '<row r="2"><c t="s"><v>1</v></c></row><row r="4"><c t="s"><v>-1</v></c></row>',
        '<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
    ],
)
def test_the_hostile_sheets_read_as_expat_reads_them(rows: str) -> None:
    assert_same(hostile_files.sheet(rows), chunks=(3, 1000, 64 * 1024))


def test_a_row_at_the_spreadsheet_limit_then_one_before_it_reads_as_expat_reads_it() -> None:
    """Each reader gives the million rows up to Excel's last: one chunk size is enough, the
    others are tried on short sheets above."""
    rows = '<row r="1048576"><c r="A1048576"><v>1</v></c></row><row r="3"><c><v>3</v></c></row>'
    assert_same(hostile_files.sheet(rows), chunks=(64 * 1024,))


@pytest.mark.parametrize(
    "before",
    ['<!DOCTYPE w [<!ENTITY e "IR-0001">]>', "<!-- a comment -->", "<?pi here?>"],
)
def test_sheets_declaring_entities_or_commented_read_as_expat_reads_them(before: str) -> None:
    assert_same(hostile_files.sheet('<row r="2"><c><v>1</v></c></row>', before=before))


def test_a_row_beyond_the_bound_on_its_size_reads_as_expat_reads_it() -> None:
    text = "x" * (xml_guard.MAX_STREAMED_ITEM_BYTES // 2)
    rows = f'<row r="2"><c t="inlineStr"><is><t>{text}</t></is></c></row>'
    for count in (1, 2):
        assert_same(hostile_files.sheet(rows * count), chunks=(64 * 1024,))


def _cpu_seconds(xml: bytes, *, fast: bool) -> float:
    """The least processor time (not wall-clock) of three readings of the part, in chunks of
    a kilobyte (many chunks to a long row)."""
    least = float("inf")
    for _ in range(3):
        started = time.process_time()
        with mock.patch.object(sheet_xml, "CHUNK_BYTES", 1024):
            part = io.BytesIO(xml)
            list(sheet_xml.sheet_rows(part, "sheet", STRINGS, EPOCH, DATES, TIMEDELTAS, fast=fast))
        least = min(least, time.process_time() - started)
    return least


def test_a_long_row_costs_its_length_once_not_once_a_chunk() -> None:
    """A row of two megabytes read a kilobyte at a time: its text is joined once it ends, not
    copied and searched again at every chunk (some 150 times expat's time when it was)."""
    text = "x" * 2_000_000
    xml = hostile_files.sheet(f'<row r="2"><c t="inlineStr"><is><t>{text}</t></is></c></row>')
    assert _cpu_seconds(xml, fast=True) < 10 * _cpu_seconds(xml, fast=False) + 0.05


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "expat"])
def test_rows_whose_one_cell_is_far_right_are_held_in_bounded_memory(fast: bool) -> None:
    xml = hostile_files.sheet('<row><c r="ZZZ1"/></row>' * 1000)
    tracemalloc.start()
    try:
        with mock.patch.object(sheet_xml, "CHUNK_BYTES", 4096):
            part = io.BytesIO(xml)
            for _ in sheet_xml.sheet_rows(
                part, "sheet", STRINGS, EPOCH, DATES, TIMEDELTAS, fast=fast
            ):
                pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Each row is made whole only as it is given: half a megabyte either way (25 MB by expat
    # and 75 MB by the fast reader when a chunk's rows were held whole).
    assert peak < 1000 * 4096


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "expat"])
def test_a_row_whose_cells_lie_far_apart_holds_only_its_cells(fast: bool) -> None:
    """Given as a WideRow: the values the tuple would give, without its 16,382 empty columns."""
    xml = hostile_files.sheet('<row r="2"><c r="B2"><v>1</v></c><c r="XFD2"><v>2</v></c></row>')
    part = io.BytesIO(xml)
    rows = dict(sheet_xml.sheet_rows(part, "sheet", STRINGS, EPOCH, DATES, TIMEDELTAS, fast=fast))
    row, dense = rows[2], (None, 1, *(None,) * 16381, 2)
    assert isinstance(row, sheet_cells.WideRow) and isinstance(rows[1], tuple)
    assert row == dense and dense == row and list(row) == list(dense) and row != dense[:-1]
    assert len(row) == 16384 and (row[1], row[-1], row[16382], row[-16384]) == (1, 2, None, None)
    assert row[:3] == (None, 1, None) and row.present() == [1, 2]
    for outside in (16384, -16385):
        with pytest.raises(IndexError):
            row[outside]


def test_too_many_elements_outside_rows_reads_as_expat_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The bound's rule, not its size: 1.2 million rows through both readers took 20 s.
    monkeypatch.setattr(xml_guard, "MAX_KEPT_ELEMENTS", 5_000)
    rows = "<row></row>" * (xml_guard.MAX_KEPT_ELEMENTS + 1)
    rows, end = assert_same(hostile_files.sheet(rows), chunks=(4096,))
    assert end == ("unsafe", "too many elements") and rows


# Sheets generated from the pieces writers write and, in some, pieces they never write: each
# piece is odd with a chance drawn for the sheet (none in a third of them, so that the fast
# reader reads many sheets to their end rather than handing them to expat at once).
TEXTS = (
    ["0", "1", "3", "-1", "42", "1.5", "1E3", "2e-3", "43539", "3000000", "1e400", "", "abc",
     "a &amp; b", "&lt;&gt;&quot;&apos;", "2019-03-14", "2019-03-14T08:30:00", "13:30:00", "#N/A",
     "99999999999999999999", "x\ny", "TRUE"],
    ["&#65;&#x42;", " 7", " ", "nan", "\t", "a]]b"],
)  # fmt: skip
REFERENCES = (
    ["", ' r="A{n}"', ' r="B{n}"', ' r="AA{n}"', ' r="C{n}"', ' r="XFD{n}"'],
    [' r="e{n}"', ' r="ZZZZ{n}"', ' r="A"', ' r=""', ' r="C&#49;"', ' r="D 1"', " r='E{n}'",
     ' x:r="F{n}"', ' r="A0"'],
)  # fmt: skip
STYLES = (["", ' s="0"', ' s="1"', ' s="2"', ' s="3"'], [' s=""', ' s="x"', ' s="01"', " s='1'"])
KINDS = (
    ["", ' t="s"', ' t="n"', ' t="b"', ' t="e"', ' t="str"', ' t="d"', ' t="inlineStr"'],
    [' t="x"', ' t=""', ' t="S"'],
)
EXTRAS = ([""], [' cm="1"', ' xml:space="preserve"', "  ", ' foo="a>b"', ' r="B1"'])
CONTENTS = (
    [None, "<v>{t}</v>", "<v></v>", "<f>SUM(A1)</f>", '<f t="shared" si="0"/>',
     "<f>A1&amp;B1</f><v>{t}</v>", "<is><t>{t}</t></is>",
     '<is><t xml:space="preserve">{t}</t></is>'],
    ["<v/>", "<is><t/></is>", "<is/>", "<is><r><t>a</t></r><r><rPr><b/></rPr><t>{t}</t></r></is>",
     '<is><t>p</t><rPh sb="0" eb="1"><t>q</t></rPh></is>', "<v>1</v><v>{t}</v>",
     "<v>{t}</v><f>X</f>", " <v>{t}</v> ", "<x/><v>{t}</v>", '<f t="shared" si="0" ref="A1"/>'],
)  # fmt: skip
ROW_ATTRIBUTES = (
    ["", ' spans="1:3"', ' ht="15" hidden="1"', ' spans="1:2" x14ac:dyDescent="0.25"'],
    [' foo="1"', ' r ="2"', " spans='1:2'", ' hidden="1" ht="15"'],
)
OPENINGS = (
    [f'<worksheet xmlns="{MAIN}">', EXCEL_ROOT,
     f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><dimension ref="A1"/>'],
    [f"<?xml version='1.0' encoding='ISO-8859-1'?><worksheet xmlns='{MAIN}'>",
     f'\ufeff<worksheet xmlns="{MAIN}">', f'<x:worksheet xmlns:x="{MAIN}">',
     f'<worksheet xmlns="{MAIN}x">', f'<worksheet xmlns="{MAIN}"><sheetPr xmlns="other"/>',
     f'<worksheet xmlns="{MAIN}"><sheetViews><x:row xmlns:x="{MAIN}"/></sheetViews>'],
)  # fmt: skip
ENDINGS = (["", '<pageMargins left="0.7"/>'], ["<row/>", "<!-- c -->", "<x:row xmlns:x='u'/>"])
DAMAGES = (
    [None],
    ["<!-- c -->", "<![CDATA[x]]>", "<?pi x?>", "&bogus;", "&#0;", "\x01", "]]>", "\ufffe",
     "\ud800", "<", ">", "&", '"', "'", " ", "\r\n", "\r", "<x/>", "<y:z xmlns:y='u'/>",
     '<c r="Q9"><v>1</v></c>', "<row/>", "</row>", "cut", "crlf", "quotes"],
)  # fmt: skip


def pick(draw: st.DrawFn, odd: int, choices: tuple[list[Any], list[Any]]) -> Any:
    """A writer's piece, or (with a chance of `odd` in a hundred) one they never write."""
    plain, other = choices
    return draw(st.sampled_from(other if draw(st.integers(0, 99)) < odd else plain))


@st.composite
def cells(draw: st.DrawFn, odd: int) -> str:
    attributes = "".join(pick(draw, odd, part) for part in (REFERENCES, STYLES, KINDS, EXTRAS))
    content = pick(draw, odd, CONTENTS)
    if content is None:
        return f"<c{attributes}/>"
    return f"<c{attributes}>{content.format(t=pick(draw, odd, TEXTS))}</c>"


@st.composite
def rows(draw: st.DrawFn, number: int, odd: int) -> str:
    numbers = ([str(number), "", str(number + 2), str(number + 999)],
               [str(number - 3), "1048577", "0", "007", "x", "1" * 5000])  # fmt: skip
    given = pick(draw, odd, numbers)
    attributes = ("" if given == "" else f' r="{given}"') + pick(draw, odd, ROW_ATTRIBUTES)
    if draw(st.integers(0, 9)) == 0:
        return f"<row{attributes}/>"
    body = "".join(draw(st.lists(cells(odd), max_size=5)))
    return f"<row{attributes}>{body}</row>".replace("{n}", str(number))


@st.composite
def sheets(draw: st.DrawFn) -> bytes:
    odd = draw(st.sampled_from([0, 0, 3, 10, 40]))
    count = draw(st.integers(min_value=0, max_value=8))
    body = "".join(draw(rows(number, odd)) for number in range(1, count + 1))
    opening = pick(draw, odd, OPENINGS)
    closing = "</x:worksheet>" if opening.startswith("<x:") else "</worksheet>"
    xml = f"{opening}<sheetData>{body}</sheetData>{pick(draw, odd, ENDINGS)}{closing}"
    return _damaged(draw, xml, pick(draw, odd, DAMAGES)).encode("utf-8", "surrogatepass")


def _damaged(draw: st.DrawFn, xml: str, damage: str | None) -> str:
    """The sheet, or the sheet with something writers never write somewhere in it."""
    at = draw(st.integers(min_value=0, max_value=len(xml)))
    if damage is None:
        return xml
    if damage == "cut":
        return xml[:at]
    if damage == "crlf":
        return xml.replace("><", ">\r\n<")
    if damage == "quotes":
        return xml.replace('"', "'")
    return xml[:at] + damage + xml[at:]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets(), st.sampled_from(CHUNKS))
def test_generated_sheets_read_as_expat_reads_them(xml: bytes, chunk: int) -> None:
    assert read(xml, fast=True, chunk=chunk) == read(xml, fast=False, chunk=chunk)

"""The workbook reader gives the values openpyxl's read-only reader gives, cell kind by cell kind:
the workbook is written with openpyxl, then its XML rewritten as Excel and Primero write theirs
(shared strings, cached formula results, rich text, error codes, rows and cells left out)."""

import io
import re
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from app.imports.sheet_xml import Formula
from app.imports.workbook import is_formula, open_sheet

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
STRINGS_RELATION = (
    '<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
)
# Rows as Excel writes what openpyxl does not: each cell kind the reader must give back.
RAW_ROWS = (
    '<row r="12"><c r="A12" t="inlineStr"><is><r><t>rich </t></r><r><rPr><b/></rPr>'
    '<t xml:space="preserve">text </t></r><rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c>'
    '<c r="B12" t="s"><v>{rich}</v></c><c r="C12" t="e"><v>#N/A</v></c>'
    '<c r="D12" t="str"><v>a formula\'s text</v></c><c r="E12" t="s"><v>{escaped}</v></c>'
    '<c r="F12"><v></v></c><c r="G12" t="n"><v>1E+3</v></c><c r="H12" t="b"><v>0</v></c></row>'
    '<row><c t="inlineStr"><is><t>no references</t></is></c><c><v>7</v></c>'
    '<c r="e13"><v>8</v></c><c><v>9</v></c></row>'  # then a row numbered below: left out
    '<row r="11"><c r="A11"><v>11</v></c></row>'
    '<row r="15"><c r="D15"><v>4</v></c><c r="B15"><v>2</v></c></row>'
    '<row r="16"><c r="A16" t="d"><v>2019-03-14T08:30:00</v></c>'
    '<c r="B16" t="d"><v>2019-03-14</v></c><c r="C16" t="d"><v>13:30:00</v></c></row>'
)


def every_kind_of_cell(iso_dates: bool) -> bytes:
    book = Workbook()
    book.iso_dates = iso_dates
    sheet = book.active
    sheet.title = "Incident Data"
    sheet.append(["INCIDENT ID", "NUMBER", "DATE", "TEXT", "OTHER", "MORE"])
    sheet.append(["IR-1", 1, -2.5, "  spaced  ", "Ünïcödé & <b>", 12345678901234])
    sheet.append([True, False, datetime(2019, 3, 14, 8, 15, 30), date(2019, 3, 14), time(13, 30)])
    sheet.append([timedelta(hours=30), 1.5e-7, "=SUM(B2:C2)", None, "", "=A2"])
    sheet["B5"] = date(1900, 1, 15)  # before Excel's 29 February 1900
    sheet.merge_cells("A6:C6")
    sheet["A6"] = "merged"
    sheet["B8"], sheet["C8"] = 43539, 3_000_000  # numbers formatted as dates; the second
    sheet["B8"].number_format = sheet["C8"].number_format = "dd/mm/yyyy"  # beyond 9999
    sheet["F10"] = "after a gap"
    output = io.BytesIO()
    book.save(output)
    return _as_excel_writes(output.getvalue())


def _as_excel_writes(content: bytes) -> bytes:
    """Plain inline strings moved to a shared-strings table (two more strings: rich text and an
    `_x005F_` escape), a cached result for the formula, and the raw rows."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    table: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        index = table.setdefault(match.group(2), len(table))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), index)

    sheet = re.sub(
        rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', shared, parts[SHEET]
    )
    sheet = sheet.replace(b"<f>SUM(B2:C2)</f><v />", b"<f>SUM(B2:C2)</f><v>-1.5</v>")
    rows = RAW_ROWS.format(rich=len(table), escaped=len(table) + 1).encode()
    parts[SHEET] = sheet.replace(b"</sheetData>", rows + b"</sheetData>")
    items = b"".join(b"<si><t>%s</t></si>" % text for text in table)
    items += b"<si><r><t>shared </t></r><r><rPr><i/></rPr><t>rich</t></r></si>"
    items += b"<si><t>_x005F_x000D_ kept</t></si>"
    parts[STRINGS] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</sst>' % items
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", STRINGS_TYPE.encode() + b"</Types>"
    )
    relations = "xl/_rels/workbook.xml.rels"
    parts[relations] = parts[relations].replace(
        b"</Relationships>", STRINGS_RELATION.encode() + b"</Relationships>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name, part in parts.items():
            target.writestr(name, part)
    return output.getvalue()


def typed(row: tuple[Any, ...]) -> list[tuple[type, Any]]:
    """Each value with its type (True == 1 == 1.0 in Python); a formula as its text."""
    return [
        (str, str(value)) if isinstance(value, Formula) else (type(value), value) for value in row
    ]


def openpyxl_rows(content: bytes) -> list[tuple[int, list[tuple[type, Any]]]]:
    """The rows openpyxl's read-only reader gives, blank ones left out as the import does."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    sheet = book["Incident Data"]
    sheet.reset_dimensions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the date beyond 9999, which it reads as "#VALUE!"
        rows = list(enumerate(sheet.iter_rows(values_only=True), start=1))
    return [
        (number, typed(row))
        for number, row in rows
        if not all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)
    ]


@pytest.mark.parametrize("iso_dates", [False, True])
def test_every_kind_of_cell_reads_as_openpyxl_reads_it(iso_dates: bool) -> None:
    content = every_kind_of_cell(iso_dates)
    blank = (type(None), None)
    # But for one row: openpyxl stops a row at its last cell's column, so D15, written before
    # B15, is dropped. The reader keeps every cell of a row, whatever their order.
    expected = [
        (n, [blank, (int, 2), blank, (int, 4)] if n == 15 else row)
        for n, row in openpyxl_rows(content)
    ]
    sheet = open_sheet(io.BytesIO(content), "recorder.xlsx")
    read = [(1, typed(tuple(sheet.headers)))] + [(n, typed(row)) for n, row in sheet.rows]
    assert read == expected
    values = dict(read)
    # what the comparison covers, so that it could not pass on rows both readers leave empty
    assert (datetime, datetime(2019, 3, 14, 8, 15, 30)) in values[3]
    assert (str, "=SUM(B2:C2)") in values[4] and (timedelta, timedelta(hours=30)) in values[4]
    assert values[8][1:] == [(datetime, datetime(2019, 3, 15)), (str, "#VALUE!")]
    assert values[12][:5] == [
        (str, "rich text "),
        (str, "shared rich"),
        (str, "#N/A"),
        (str, "a formula's text"),
        (str, "_x000D_ kept"),
    ]
    assert values[13] == [(str, "no references"), (int, 7), blank, blank, (int, 8), (int, 9)]
    assert 11 not in values and values[15] == [blank, (int, 2), blank, (int, 4)]
    assert values[16] == [
        (datetime, datetime(2019, 3, 14, 8, 30)),
        (date, date(2019, 3, 14)),
        (time, time(13, 30)),
    ]


def test_a_formula_is_never_its_cached_value() -> None:
    sheet = open_sheet(io.BytesIO(every_kind_of_cell(False)), "recorder.xlsx")
    row = dict(sheet.rows)[4]
    formulas = [value for value in row if isinstance(value, Formula)]
    assert [str(value) for value in formulas] == ["=SUM(B2:C2)", "=A2"]
    assert all(is_formula(value) for value in formulas)
    assert -1.5 not in row

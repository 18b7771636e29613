"""Cells that reach a spreadsheet as text: CSV cells escaped, XLSX cells typed as strings.

A spreadsheet program runs a CSV cell starting with `=`, `+`, `-` or `@` (and, in some, a tab
or a carriage return before one) as a formula: a region, a party's name or a survivor's details
typed as `=HYPERLINK(...)` must reach the reader's sheet as text. Every CSV and XLSX the service
writes goes through these functions.
"""

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold (openpyxl refuses them): control characters but tab and newlines.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_cell(value: Any) -> Any:
    """A CSV cell: a string that a spreadsheet would run as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


def xlsx_row(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet: strings typed as strings, so `=cmd` stays text.

    Numbers stay numbers. openpyxl takes a string starting with `=` for a formula: such a value
    goes in a cell whose type is set to string after its value, which is written as an inline
    string. Other strings openpyxl types as strings itself (a cell object each would cost time).
    """
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            value = NOT_IN_XML.sub("\ufffd", value)
            if value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                value = cell
        row.append(value)
    return row

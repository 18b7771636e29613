"""What a worksheet's cells hold, as openpyxl's `parse_cell` reads them: shared by the two
readers of a sheet's rows (`sheet_xml`'s, with expat, for any part; `sheet_rows_fast`'s, with
regular expressions, for the parts Excel, openpyxl and Primero write), so that both give the same
values and refuse the same rows."""

from datetime import datetime
from typing import Any

from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601

DIGITS = "0123456789"
Row = tuple[Any, ...]


class UnreadableRowError(Exception):
    """A cell of row `row` is not what its type says (openpyxl would raise on it)."""

    def __init__(self, row: int) -> None:
        super().__init__(f"row {row}")
        self.row = row


class Formula:
    """A cell's formula, never evaluated (its text as openpyxl gives it, for a header)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return "=" + self.text


class Cells:
    """A cell's value from its type, style, value and formula, as openpyxl's `parse_cell`."""

    def __init__(
        self, strings: list[str], epoch: datetime, dates: set[int], timedeltas: set[int]
    ) -> None:
        self.strings, self.epoch = strings, epoch
        self.dates, self.timedeltas = dates, timedeltas

    def value(self, kind: str, style: int, text: str | None) -> Any:
        if text is None:
            return None
        if kind == "n":
            number = float(text) if "." in text or "E" in text or "e" in text else int(text)
            if style in self.dates:
                try:
                    return from_excel(number, self.epoch, timedelta=style in self.timedeltas)
                except (OverflowError, ValueError):
                    return "#VALUE!"  # openpyxl's value for a date beyond the calendar
            return number
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text result), "e" (an error code) and the like


COLUMNS: dict[str, int] = {}  # "AB" -> 28, filled as columns are met (at most "ZZZ")


def column_of(reference: str) -> int:
    """The column of a cell reference ("AB12" -> 28) met for the first time, or an odd one."""
    letters = reference.rstrip(DIGITS)
    if not (letters.isascii() and letters.isalpha() and letters.isupper()):
        return coordinate_to_tuple(reference)[1]  # openpyxl's rules for the odd ones
    if len(letters) == len(reference) or len(letters) > 3:
        raise ValueError(reference)
    column = COLUMNS[letters] = column_index_from_string(letters)
    return column


def cell_column(reference: str | None, previous: int) -> int:
    """A cell's column: its reference's, or the one after the cell before when it has none. A
    reference of letters alone cannot be read (ValueError), as in openpyxl's `parse_cell`."""
    if not reference:
        return previous + 1
    letters = reference.rstrip(DIGITS)
    found = COLUMNS.get(letters)
    column = column_of(reference) if found is None else found
    if len(letters) == len(reference):
        raise ValueError(reference)
    return column


# A row as read: its cells' (column, value), in the order written. Rows are held so until each
# is given (`placed`): a row as wide as its last cell's column, held for every row of a chunk,
# let a few kilobytes of rows whose one cell is far right take hundreds of megabytes.
Sparse = list[tuple[int, Any]]


def placed(cells: Sparse) -> Row:
    """The row's values by column, up to its last cell's (as openpyxl's `_get_row`)."""
    if not cells:
        return ()
    width = cells[-1][0]
    if width <= 0:
        return ()
    values: list[Any] = [None] * width
    for column, value in cells:
        if 1 <= column <= width:
            values[column - 1] = value
    return tuple(values)

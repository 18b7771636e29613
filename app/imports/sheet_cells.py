"""What a worksheet's cells hold, as openpyxl's `parse_cell` reads them: shared by the two
readers of a sheet's rows (`sheet_xml`'s, with expat, for any part; `sheet_rows_fast`'s, with
regular expressions, for the parts Excel, openpyxl and Primero write), so that both give the same
values and refuse the same rows."""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, overload

from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601

DIGITS = "0123456789"
Row = Sequence[Any]  # a tuple, or a `WideRow`


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
    """The row's values by column, up to its rightmost cell's: a tuple, or a `WideRow` when its
    cells are few for its width. openpyxl's `_get_row` stops at the *last* cell's column, so a
    row whose cells are written out of order (no spreadsheet program writes them so) lost every
    cell right of its last one, the survivor's consent among them, and said nothing."""
    if not cells:
        return ()
    width = max(column for column, _ in cells)
    if width <= 0:
        return ()
    if width > 4 * len(cells) + DENSE_WIDTH:
        return WideRow(cells, width)
    values: list[Any] = [None] * width
    for column, value in cells:
        if 1 <= column <= width:
            values[column - 1] = value
    return tuple(values)


# Wider than this, and four times wider than its cells, a row is given as a `WideRow`. The
# Incident Recorder's sheet has under a hundred columns: its rows are tuples.
DENSE_WIDTH = 256


class WideRow(Sequence[Any]):
    """A row whose few cells lie far apart (one at column XFD, say): its values by column, as
    the tuple of the same row gives them, without making or walking the empty columns between.
    Made as wide as its last cell, 100,000 such rows in a 10 KB upload cost some 50 s of CPU,
    and a million blank ones minutes; now their cost is their cells'."""

    __slots__ = ("_values", "_width")

    def __init__(self, cells: Sparse, width: int) -> None:
        self._width = width
        # A later cell of the same column replaces an earlier one, as in the tuple.
        self._values = {column: value for column, value in cells if 1 <= column <= width}

    def __len__(self) -> int:
        return self._width

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return tuple(self)[index]
        position = index + self._width if index < 0 else index
        if not 0 <= position < self._width:
            raise IndexError("row index out of range")
        return self._values.get(position + 1)

    def __iter__(self) -> Iterator[Any]:
        values = self._values
        return (values.get(column) for column in range(1, self._width + 1))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, WideRow | tuple):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"WideRow({sorted(self._values.items())!r}, width={self._width})"

    def present(self) -> list[Any]:
        """The values of the cells the row has, in column order: what tells a blank row."""
        return [value for _, value in sorted(self._values.items())]


def values_present(row: Row) -> Sequence[Any]:
    """A row's values, but for a wide row's empty columns, which hold nothing to look at."""
    return row.present() if isinstance(row, WideRow) else row

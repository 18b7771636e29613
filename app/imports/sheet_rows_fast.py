"""A worksheet part's rows read with regular expressions, for the parts Excel, openpyxl and
Primero write (`sheet_plain`): the rows and refusals `sheet_xml`'s expat reader gives, at a
fraction of its cost.

expat calls Python five times for a cell (its start, its value's start, text and end, its end),
and that is most of the time a sheet takes. Here a row's cells are found by one regular
expression, each a tuple of strings; Python only turns them into values, with the `Cells` the
expat reader uses. A row whose cells are all written as those writers write most (`r`, `s` and
`t` in that order, then a value or a plain inline string, no entity) is read from the tuples:
every `<` of the row being in one of them, nothing else is in it but text. Any other row of the
subset (a formula, an entity) is read cell by cell in full.

Each piece of the part is checked before the rows of the piece before it are given away (the
rows a chunk of XML completes are given away once what follows them is known to be plain, or
to have ended). At the first piece found not plain, the part is read again from its start by
the expat reader, past the rows already given: it gives the rest of the rows and its refusal,
and it would have given the rows before them (they were plain). A cell that cannot be read
refuses its row once the rest of the part is known to be plain, as the expat reader refuses
it once the part is parsed.
"""

import itertools
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

from openpyxl.utils.cell import column_index_from_string

from app.imports import sheet_plain, xml_guard
from app.imports.sheet_cells import (
    COLUMNS,
    Cells,
    Formula,
    Sparse,
    UnreadableRowError,
    cell_column,
)
from app.imports.sheet_plain import NotPlainError

UNREADABLE = (ValueError, IndexError, OverflowError, TypeError)  # as the expat reader's
# A cell as Excel writes most: its column, its style and type, a value or a plain inline string
CELL = re.compile(
    '<c(?: r="([A-Z]+)[0-9]+")?((?: s="[0-9]+")?(?: t="[a-zA-Z]+")?)'
    '(?:/>|><v>([^<&]+)</v></c>|><is><t(?: xml:space="preserve")?>([^<&]+)</t></is></c>)'
)
SPEC = re.compile('(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?')
# Any cell of the subset (`sheet_plain.CELLS`): its attributes, value, formula, inline string
CELL_IN_FULL = re.compile(
    '<c(?: r="([^"]*)")?(?: s="([^"]*)")?(?: t="([^"]*)")?(?:/>|>(?:<v>([^<]*)</v>'
    "|(<f)[^>]*?(?:/>|>([^<]*)</f>)(?:<v>([^<]*)</v>)?|<is><t[^>]*>([^<]*)</t></is>)</c>)"
)
ENTITY = re.compile("&(amp|lt|gt|quot|apos);")
ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
MAX_ROW_BYTES = xml_guard.MAX_STREAMED_ITEM_BYTES
MAX_KNOWN = 1 << 16  # values kept, by their text: a shared string's index, a date
SHARED, INLINE, OTHER = "shared", "inline", "other"  # how a cell's value is read, by its type


def rows(
    part: IO[bytes],
    cells: Cells,
    expat_rows: Callable[[], Iterator[tuple[int, Sparse]]],
    chunk_bytes: int,
) -> Iterator[tuple[int, Sparse]]:
    """The part's (number, cells) as `expat_rows()` (the expat reader, parsing the part in
    chunks of `chunk_bytes`) gives them. The rows a chunk completes are given once the chunk is
    known to be plain to its end, as the expat reader gives them once it has parsed it."""
    if not part.seekable():
        yield from expat_rows()
        return
    start, given = part.tell(), 0
    try:
        for batch in _Reader(cells).batches(part, chunk_bytes):
            yield from batch
            given += len(batch)
    except UnreadableRowError:
        raise
    except Exception:  # not plain, or a damaged part: expat meets the damage where it reads it
        part.seek(start)
        yield from itertools.islice(expat_rows(), given, None)


class _Reader:
    def __init__(self, cells: Cells) -> None:
        self.cells = cells
        self.specs: dict[str, tuple[str, str, int, dict[str, Any] | None]] = {}
        self.shared: dict[str, str] = {}  # "12" -> the 13th shared string
        self.number = 0  # the last row's
        self.failed: UnreadableRowError | None = None

    def batches(self, part: IO[bytes], chunk_bytes: int) -> Iterator[list[tuple[int, Sparse]]]:
        """The rows of each piece of rows, once the next piece is checked."""
        outside = sheet_plain.Outside()
        held: list[tuple[int, Sparse]] = []
        for phase, text in sheet_plain.pieces(part, chunk_bytes):
            if phase == sheet_plain.PROLOG:
                outside.prolog(text)
            elif phase == sheet_plain.EPILOG:
                outside.epilog(text)
            else:
                outside.check_rows(text)
                done = self.piece(text, outside)
                if held:
                    yield held
                held = done
        outside.end()
        if held:
            yield held
        if self.failed is not None:
            raise self.failed

    def piece(self, text: str, outside: sheet_plain.Outside) -> list[tuple[int, Sparse]]:
        """The rows of a piece of whole rows, checked."""
        done: list[tuple[int, Sparse]] = []
        parts = text.split("</row>")  # each a row's start and cells, after any empty rows
        for index, row_text in enumerate(parts):
            at, end = 0, len(row_text)
            while at < end:
                head = sheet_plain.ROW_HEAD.match(row_text, at)
                if head is None:
                    raise NotPlainError
                given, empty = head.groups()
                self.number = int(given) if given else self.number + 1
                outside.count(1)
                if empty:
                    row: Sparse = []
                    at = head.end()
                elif index == len(parts) - 1:
                    raise NotPlainError  # a row that does not end
                else:
                    _check_size(row_text, head.start(), end)
                    row, at = self.row(row_text, head.end(), end), end
                if self.failed is None:
                    done.append((self.number, row))
        return done

    def row(self, text: str, at: int, end: int) -> Sparse:
        """The cells of a row, `text[at:end]`; none past a cell that cannot be read."""
        if self.failed is not None:
            _check_cells(text, at, end)
            return []
        try:
            values = self.fast(text, at, end)
            if values is None:
                _check_cells(text, at, end)
                values = self.in_full(text, at, end)
        except UNREADABLE:
            _check_cells(text, at, end)
            self.failed = UnreadableRowError(self.number)
            return []
        return values

    def fast(self, text: str, at: int, end: int) -> Sparse | None:
        """The row's cells, when all are as `CELL` has them (else None)."""
        value, specs, columns, shared = self.cells.value, self.specs, COLUMNS, self.shared
        cells = CELL.findall(text, at, end)
        if len(cells) > xml_guard.MAX_ROW_CELLS:
            raise NotPlainError
        row: Sparse = []
        column = brackets = 0  # brackets: the cells' `<` beyond four each
        for letters, spec, found, inline in cells:
            if letters:
                column = columns.get(letters) or _column(letters)
            else:
                column += 1
            use, kind, style, known = specs.get(spec) or self._spec(spec)
            if found:
                if use is SHARED:
                    cell = shared.get(found)
                    if cell is None:
                        cell = self._shared(found)
                elif use is INLINE:
                    cell = None
                elif known is None:
                    cell = value(kind, style, found)
                else:
                    cell = known.get(found)
                    if cell is None:
                        cell = self._date(known, kind, style, found)
            elif inline:
                brackets += 2
                cell = inline if use is INLINE else None
            else:
                brackets -= 3
                cell = None
            row.append((column, cell))
        if text.count("<", at, end) != 4 * len(cells) + brackets or text.find("&", at, end) >= 0:
            return None  # a cell of another kind, or an entity
        return row

    def _spec(self, spec: str) -> tuple[str, str, int, dict[str, Any] | None]:
        """How a cell with these `s` and `t` is read; date styles' values are kept, as a
        sheet holds the same dates again and again and `from_excel` is slow."""
        parsed = SPEC.fullmatch(spec)
        assert parsed is not None  # `CELL` found it as SPEC has it
        style_text, kind = parsed.groups()
        style, kind = int(style_text) if style_text else 0, kind or "n"
        use = {"s": SHARED, "inlineStr": INLINE}.get(kind, OTHER)
        known = {} if kind == "n" and style in self.cells.dates else None
        found = self.specs[spec] = (use, kind, style, known)
        return found

    def _shared(self, text: str) -> str:
        """A shared string by its index's text, kept for the next cell giving the same."""
        index = int(text)
        if index < 0:
            raise IndexError(index)
        found = self.cells.strings[index]
        if len(self.shared) < MAX_KNOWN:
            self.shared[text] = found
        return found

    def _date(self, known: dict[str, Any], kind: str, style: int, text: str) -> Any:
        found = self.cells.value(kind, style, text)
        if len(known) < MAX_KNOWN:
            known[text] = found
        return found

    def in_full(self, text: str, at: int, end: int) -> Sparse:
        """A row's cells, each read as the expat reader reads it."""
        row: Sparse = []
        column = 0
        for cell in CELL_IN_FULL.finditer(text, at, end):
            reference, style, kind = cell.group(1, 2, 3)
            if style:
                style = int(style)
            column = cell_column(reference, column)
            row.append((column, self._value(kind or "n", style or 0, cell)))
        return row

    def _value(self, kind: str, style: Any, cell: re.Match[str]) -> Any:
        value, formula, formula_text, after_formula, inline = cell.group(4, 5, 6, 7, 8)
        if formula:
            return Formula(_unescape(formula_text or ""))
        text = _unescape(value if value is not None else after_formula or "")
        if kind == "s" and text:
            index = int(text)
            if index < 0:
                raise IndexError(index)
            return self.cells.strings[index]
        if kind == "inlineStr":
            return None if inline is None else _unescape(inline)
        return self.cells.value(kind, style, text or None)


def _check_cells(text: str, at: int, end: int) -> None:
    if sheet_plain.CELLS.fullmatch(text, at, end) is None:
        raise NotPlainError


def _check_size(text: str, start: int, end: int) -> None:
    """The guard's bound on a row (`</row>` included), in bytes as read: each character is
    four bytes at most, a line end may have been two."""
    size = end - start + len("</row>")
    if 4 * size > MAX_ROW_BYTES:
        span = text[start:end]
        if len(span.encode()) + span.count("\n") + len("</row>") > MAX_ROW_BYTES:
            raise NotPlainError


def _column(letters: str) -> int:
    column = COLUMNS[letters] = column_index_from_string(letters)
    return column


def _unescape(text: str) -> str:
    return ENTITY.sub(lambda name: ENTITIES[name.group(1)], text) if "&" in text else text

"""A worksheet's rows and a workbook's shared strings, streamed from their XML with expat.

openpyxl's read-only reader builds an element tree for every row and a dictionary for every
cell; reading the values takes several times as long as parsing the XML. This reader keeps only
the row being read and gives the values openpyxl's `iter_rows(values_only=True)` gives (after
`reset_dimensions`): numbers as int or float, date-formatted numbers as datetime, time or
timedelta, shared and inline strings as text, booleans, ISO dates, error codes as their text,
missing cells as None and missing rows as empty. A cell holding a formula is a `Formula`, never
its cached value. Strings' rich-text formatting is not read (only its text).

Each part is held, as it is parsed, to the bounds `xml_guard` sets on the parts read row by row
(no document type, so no entity; elements outside rows; a row's size, cells and number), so it
is parsed once, not scanned first.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any
from xml.parsers import expat

from app.imports import sheet_rows_fast, xml_guard
from app.imports.sheet_cells import (
    Cells,
    Formula,
    Row,
    Sparse,
    UnreadableRowError,
    cell_column,
    placed,
)
from app.imports.xml_guard import MAIN, UnsafeXmlError

CHUNK_BYTES = 64 * 1024  # small: the rows of one chunk are held until they are read (by
# either reader: the fast one gives a chunk's rows when the expat one would)
WORKSHEET, SST = f"{MAIN} worksheet", f"{MAIN} sst"
ROW, SI = f"{MAIN} row", f"{MAIN} si"
VALUE, FORMULA, INLINE = f"{MAIN} v", f"{MAIN} f", f"{MAIN} is"


class _Text:
    """The text of a string item (`<si>` or `<is>`): its `t`, then its runs' `t`, as openpyxl's
    `Text.content` (the last `t` of each holder counts; phonetic runs do not). A `t` is read up
    to its first child element, as an element's `.text` is."""

    def __init__(self, depth: int) -> None:
        self.depth = depth  # the item's
        self.plain: list[str] = []
        self.runs: list[list[str]] = []
        self.in_run = False
        self.open = True  # until the item's element ends

    def start(self, tag: str, depth: int) -> list[str] | None:
        """The list the element's text goes to, if it is text of the item."""
        local = tag.rpartition(" ")[2]
        level = depth - self.depth
        if level == 1:
            self.in_run = local == "r"
            if self.in_run:
                self.runs.append([])
            elif local == "t":
                self.plain = []
                return self.plain
        elif level == 2 and self.in_run and local == "t":
            self.runs[-1] = []
            return self.runs[-1]
        return None

    def content(self) -> str:
        return "".join(self.plain + [piece for run in self.runs for piece in run])


class _Stream:
    """One part parsed in chunks, held to the bounds of a part read item by item."""

    root = ""
    item = ""

    def __init__(self, part: IO[bytes], name: str) -> None:
        self.part, self.name = part, name
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.depth = 0
        self.kept = 0
        self.item_start = 0

    def refuse(self, reason: str) -> None:
        raise UnsafeXmlError(self.name, reason)

    def _doctype(self, *_: object) -> None:
        self.refuse("a document type or entity declaration")

    def chunks(self) -> Iterator[None]:
        """Parse the part a chunk at a time, yielding after each (the caller takes what the
        chunk completed)."""
        parse = self.parser.Parse
        try:
            while chunk := self.part.read(CHUNK_BYTES):
                parse(chunk, False)
                yield None
            parse(b"", True)
        except expat.ExpatError as error:
            self.refuse(f"not well-formed XML ({expat.errors.messages.get(error.code, '')})")
        yield None

    def outside(self, tag: str) -> bool:
        """The bounds on an element outside any item; True when it starts one."""
        self.kept += 1
        if self.kept > xml_guard.MAX_KEPT_ELEMENTS:
            self.refuse("too many elements")
        if self.depth == 1 and tag != self.root:
            self.refuse(f"not a part of its kind ({tag})")
        if tag != self.item:
            return False
        self.item_start = self.parser.CurrentByteIndex
        return True

    def check_size(self) -> None:
        if self.parser.CurrentByteIndex - self.item_start > xml_guard.MAX_STREAMED_ITEM_BYTES:
            self.refuse("a row or string too large")


def shared_strings(part: IO[bytes], name: str) -> list[str]:
    """The shared-strings table, as openpyxl reads it (`_x005F_` escapes' marks dropped)."""
    return _Strings(part, name).read()


class _Strings(_Stream):
    root, item = SST, SI

    def read(self) -> list[str]:
        self.strings: list[str] = []
        self.text: _Text | None = None
        self.reading: list[str] | None = None
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._characters
        for _ in self.chunks():
            pass
        return self.strings

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.text is not None:
            self.check_size()
            self.reading = self.text.start(tag, self.depth)
        elif self.outside(tag):
            self.text = _Text(self.depth)

    def _end(self, _tag: str) -> None:
        self.reading = None
        text = self.text
        if text is not None and self.depth == text.depth:
            self.check_size()
            self.strings.append(text.content().replace("x005F_", ""))
            self.text = None
        self.depth -= 1

    def _characters(self, data: str) -> None:
        if self.reading is not None:
            self.check_size()  # text is held as it comes: a string of gigabytes never is
            self.reading.append(data)


def sheet_rows(
    part: IO[bytes],
    name: str,
    strings: list[str],
    epoch: datetime,
    date_styles: set[int],
    timedelta_styles: set[int],
    *,
    fast: bool = True,
) -> Iterator[tuple[int, Row]]:
    """(row number, values) for every row from the first, empty ones for those the part leaves
    out; a row numbered below one already read is left out (as openpyxl does). A part in the
    shape Excel, openpyxl and Primero write is read by `sheet_rows_fast` (unless not `fast`),
    any other by expat here: the same rows and refusals either way."""
    cells = Cells(strings, epoch, date_styles, timedelta_styles)

    def expat_rows() -> Iterator[tuple[int, Sparse]]:
        return _Rows(part, name, cells).read()

    read = sheet_rows_fast.rows(part, cells, expat_rows, CHUNK_BYTES) if fast else expat_rows()
    counter = 1
    for number, row in read:
        while counter < number:
            yield counter, ()
            counter += 1
        if counter == number:
            yield counter, placed(row)
            counter += 1


class _Rows(_Stream):
    root, item = WORKSHEET, ROW

    def __init__(self, part: IO[bytes], name: str, cells: Cells) -> None:
        super().__init__(part, name)
        self.cells = cells

    def read(self) -> Iterator[tuple[int, Sparse]]:
        """The rows as each chunk completes them. Past a cell that cannot be read, the rest of
        the part is still held to the bounds (XML beyond them refuses the file as a whole, as
        when it was checked before any row was read), then the cell's row is refused."""
        done: list[tuple[int, Sparse]] = []
        failed: list[UnreadableRowError] = []
        self._handlers(done, failed)
        for _ in self.chunks():
            yield from done
            done.clear()
        if failed:
            raise failed[0]

    def _handlers(self, done: list[tuple[int, Sparse]], failed: list[UnreadableRowError]) -> None:
        """The parser's handlers: closures over the row being read, everything a cell needs
        at hand (a cell is five calls from expat: this is where the time goes)."""
        parser, outside, refuse = self.parser, self.outside, self.refuse
        value, strings = self.cells.value, self.cells.strings
        max_cells, max_bytes = xml_guard.MAX_ROW_CELLS, xml_guard.MAX_STREAMED_ITEM_BYTES
        depth = row_depth = number = column = cell_count = row_start = 0
        row: list[tuple[int, Any]] = []
        cell: dict[str, str] = {}
        text: list[str] | None = None
        formula: list[str] | None = None
        inline: _Text | None = None
        reading: list[str] | None = None

        def start(tag: str, attributes: dict[str, str]) -> None:
            nonlocal depth, row_depth, number, column, cell_count, row_start
            nonlocal cell, text, formula, inline, reading
            depth += 1
            if not row_depth:
                self.depth = depth
                if outside(tag):
                    row_depth, column, cell_count, row_start = depth, 0, 0, self.item_start
                    row.clear()
                    try:
                        number = self._row_number(attributes, number)
                    except UnreadableRowError as error:
                        failed.append(error)
                        number += 1
                return
            if parser.CurrentByteIndex - row_start > max_bytes:
                refuse("a row or string too large")
            level = depth - row_depth
            reading = None
            if level == 1:
                cell_count += 1
                if cell_count > max_cells:
                    refuse("too many cells in a row")
                cell, text, formula, inline = attributes, None, None, None
            elif level == 2:
                if tag == VALUE and text is None:
                    text = reading = []
                elif tag == FORMULA and formula is None:
                    formula = reading = []
                elif tag == INLINE and inline is None:
                    inline = _Text(depth)
            elif inline is not None and inline.open:
                reading = inline.start(tag, depth)

        def end(_tag: str) -> None:
            nonlocal depth, row_depth, column, reading
            reading = None
            level = depth - row_depth
            depth -= 1
            if not row_depth or level > 2:
                return
            if level == 2:
                if inline is not None:
                    inline.open = False
                return
            if level == 0:
                if parser.CurrentByteIndex - row_start > max_bytes:
                    refuse("a row or string too large")
                row_depth = 0
                if not failed:
                    done.append((number, list(row)))  # placed once given
                return
            if failed:
                return
            # A cell's end: its value, in the order openpyxl's `parse_cell` checks it.
            try:
                style: Any = cell.get("s", 0)
                if style:
                    style = int(style)
                column = cell_column(cell.get("r"), column)
                kind = cell.get("t", "n")
                if formula is not None:
                    row.append((column, Formula("".join(formula))))
                elif kind == "s" and text:
                    index = int("".join(text))
                    if index < 0:
                        raise IndexError(index)
                    row.append((column, strings[index]))
                elif kind == "inlineStr":
                    row.append((column, None if inline is None else inline.content()))
                else:
                    row.append((column, value(kind, style, "".join(text) if text else None)))
            except (ValueError, IndexError, OverflowError, TypeError):
                failed.append(UnreadableRowError(number))

        def characters(data: str) -> None:
            if reading is not None:
                if parser.CurrentByteIndex - row_start > max_bytes:
                    refuse("a row or string too large")  # before text of gigabytes is held
                reading.append(data)

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = characters

    def _row_number(self, attributes: dict[str, str], previous: int) -> int:
        """The guard's bound on a row's number, then openpyxl's reading of it."""
        given = attributes.get("r")
        if given is None:
            return previous + 1
        if given and not (
            given.isascii() and given.isdigit() and 1 <= int(given) <= xml_guard.MAX_ROW_NUMBER
        ):
            self.refuse("a row number beyond Excel's")
        if not given:
            raise UnreadableRowError(previous + 1)
        return int(given)

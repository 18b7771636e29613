"""Reading an uploaded Incident Recorder file, row by row, without trusting it.

Only a real XLSX (a zip holding a workbook and no macros) or a UTF-8 CSV is read. The zip's
declared sizes are checked first, so a small file that inflates to gigabytes is refused before a
byte of it is unpacked; then every XML part openpyxl reads whole (content types, workbook,
styles, properties) is streamed through `xml_guard`'s bounds before openpyxl reads it. The sheet
and the shared strings are read by `sheet_xml`, which streams them under the same bounds (XML
that would be held whole, such as a row of millions of cells, or walked for hours, such as a row
numbered a billion, refuses the file as a whole). Formulas are never evaluated: a cell holding
one is an error naming the cell (its value would be whatever the file claims).
"""

import csv
import io
import logging
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.xml.constants import SHARED_STRINGS

from app.core.i18n import N_
from app.imports import sheet_xml, xml_guard
from app.imports.recorder_vocabulary import SHEET, normalise
from app.imports.sheet_cells import Row, values_present

logger = logging.getLogger(__name__)

# Unpacked, a workbook of 50,000 rows of 44 columns is about 60 MB; allow headroom, no more.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_ROWS = 100_000
MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"macrosheet")
CELL_TYPES = (str, int, float, datetime, date, time, bool, type(None))


class FileRefusedError(Exception):
    """The file as a whole cannot be read; `message` is a catalogue message."""

    def __init__(self, message: str, *, whole_file: bool = False, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values
        # The file is refused as a whole: problems found in rows read before are not reported.
        self.whole_file = whole_file


@dataclass(frozen=True)
class Sheet:
    kind: str  # "xlsx" or "csv"
    name: str
    headers: list[str]
    rows: Iterator[tuple[int, Row]]  # (row number as the user sees it, values)
    epoch: datetime | None  # the workbook's date system, for serial numbers


def column_letter(index: int) -> str:
    return get_column_letter(index + 1)


def open_sheet(content: IO[bytes], filename: str) -> Sheet:
    """The "Incident Data" sheet of an XLSX, or a CSV, by what the bytes are (the name's
    extension must agree)."""
    head = content.read(8)
    content.seek(0)
    name = filename.casefold()
    if head.startswith(b"PK\x03\x04"):
        if not name.endswith(".xlsx"):
            raise FileRefusedError(
                N_("Only .xlsx workbooks are read (macro-enabled .xlsm are not).")
            )
        return _workbook_sheet(content)
    if name.endswith(".csv") and b"\x00" not in head:
        return _csv_sheet(content)
    raise FileRefusedError(N_("The file is neither an XLSX workbook nor a CSV file."))


ENCRYPTED = 0x1  # the zip format's flag bit for an encrypted part
PACKINGS = frozenset((zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED))


def _workbook_sheet(content: IO[bytes]) -> Sheet:
    try:
        archive = zipfile.ZipFile(content)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileRefusedError(N_("The file is not a readable XLSX workbook.")) from None
    names = [info.filename for info in infos]
    # Excel stores or deflates each part, never encrypts one: anything else would fail deep in
    # the zip reader (a password asked for, a method it lacks) instead of being refused here.
    if any(info.flag_bits & ENCRYPTED or info.compress_type not in PACKINGS for info in infos):
        raise FileRefusedError(
            N_(
                "The workbook is encrypted or packed in a way Excel does not write: "
                "save it again as a plain .xlsx without a password."
            )
        )
    # The declared sizes first: nothing is unpacked from a workbook that would pass them (the
    # zip reader stops at the declared size of each part).
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise FileRefusedError(N_("The workbook is too large once unpacked."))
    with _refusals():
        _refuse_macros(None, names)
        streamed = xml_guard.check_whole_parts(archive)  # before the content types are read
        _refuse_macros(archive, names)
    if "xl/workbook.xml" not in names:
        raise FileRefusedError(N_("The file is not a readable XLSX workbook."))
    content.seek(0)
    book = _Book(content)
    found = next((name for name in book.sheets if normalise(name) == normalise(SHEET)), None)
    if found is None:
        raise FileRefusedError(N_('The workbook has no sheet named "{sheet}".'), sheet=SHEET)
    part = book.sheets[found]
    if part is None:  # a chart sheet: no cells
        raise FileRefusedError(N_("The file is not a readable XLSX workbook."))
    # The sheet and the shared strings are held to the bounds as they are read; the other
    # sheets are never read, but a workbook whose XML passes them is refused all the same.
    inline = {name for name in (part, book.strings_part) if name in streamed}
    with _refusals():
        xml_guard.check_streamed_parts(archive, streamed, inline)
        strings = book.strings_table()
    rows = _guarded(book.rows(part, strings))
    headers = _header(next(rows, (1, ()))[1])
    return Sheet("xlsx", found, headers, _bounded(rows), book.epoch)


@contextmanager
def _refusals() -> Iterator[None]:
    """The guard's refusals and a damaged zip, as the file's refusal."""
    try:
        yield
    except xml_guard.UnsafeXmlError as unsafe:
        logger.info("workbook refused", extra={"reason": unsafe.reason})
        raise FileRefusedError(
            N_("The workbook's XML is damaged or beyond its bounds."), whole_file=True
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        raise FileRefusedError(N_("The file is not a readable XLSX workbook.")) from None


class _Book(ExcelReader):
    """openpyxl's reading of the workbook's small parts (content types, workbook, styles,
    properties), without its reading of the rows and strings (`sheet_xml` reads those)."""

    def __init__(self, content: IO[bytes]) -> None:
        self.sheets: dict[str, str | None] = {}  # name -> its part (None: a chart sheet)
        try:
            super().__init__(content, read_only=True, data_only=False, keep_links=False)
            self.read()
            found = self.package.find(SHARED_STRINGS)
        except Exception:  # openpyxl raises many kinds on a damaged file; none is ours to show
            raise FileRefusedError(N_("The file is not a readable XLSX workbook.")) from None
        self.strings_part: str | None = found.PartName[1:] if found is not None else None
        self.epoch: datetime = self.wb.epoch

    def read_strings(self) -> None:
        pass  # read afterwards by `shared_strings`, within the bounds

    def read_worksheets(self) -> None:
        """The sheets' names and parts, in order, as openpyxl's read-only reader finds them."""
        for sheet, relation in self.parser.find_sheets():
            if relation.target not in self.valid_files:
                continue
            if "chartsheet" in relation.Type:
                self.read_chartsheet(sheet, relation)
                self.sheets.setdefault(sheet.name, None)
                continue
            relations = get_rels_path(relation.target)
            if relations in self.valid_files:
                get_dependents(self.archive, relations)
            self.sheets.setdefault(sheet.name, relation.target)

    def strings_table(self) -> list[str]:
        if self.strings_part is None:
            return []
        name = self.strings_part
        if name not in self.valid_files:  # declared, not there
            raise FileRefusedError(N_("The file is not a readable XLSX workbook."))
        with self.archive.open(name) as part:
            return sheet_xml.shared_strings(part, name)

    def rows(self, name: str, strings: list[str]) -> Iterator[tuple[int, Row]]:
        with self.archive.open(name) as part:
            yield from sheet_xml.sheet_rows(
                part,
                name,
                strings,
                self.epoch,
                self.wb._date_formats,
                self.wb._timedelta_formats,
            )


def _refuse_macros(archive: zipfile.ZipFile | None, names: list[str]) -> None:
    """A VBA project or Excel 4 macro sheet, by its part's name, or (given the archive) by the
    content type the workbook declares for it under any name, in any case: content types are
    case-blind. The names are checked before anything is unpacked, the content types once the
    XML bounds have held them to a size worth reading."""
    by_name = any(
        "vbaproject" in name.casefold() or "macrosheets/" in name.casefold() for name in names
    )
    content_types = b""
    if archive is not None and "[Content_Types].xml" in names:
        content_types = archive.read("[Content_Types].xml").lower()
    if by_name or any(kind in content_types for kind in MACRO_CONTENT_TYPES):
        raise FileRefusedError(
            N_("The workbook holds macros: save it as a plain .xlsx and try again.")
        )


def _guarded(
    rows: Iterator[tuple[int, Row]],
) -> Iterator[tuple[int, Row]]:
    """The sheet's rows; a cell that cannot be read (a date that is not one, a shared string
    that does not exist) refuses the file, naming the row; XML beyond the bounds or a damaged
    zip refuses it as a whole."""
    with _refusals():
        try:
            yield from rows
        except sheet_xml.UnreadableRowError as error:
            raise FileRefusedError(
                N_("Row {row} of the sheet cannot be read: the workbook is damaged."),
                row=str(error.row),
            ) from None


def _csv_sheet(content: IO[bytes]) -> Sheet:
    text = io.TextIOWrapper(content, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raise FileRefusedError(N_("The CSV file is not UTF-8 text.")) from None
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        headers = _header(next(csv.reader([first], delimiter=delimiter), []))
    except csv.Error:  # e.g. a header larger than a field may be
        raise FileRefusedError(N_("The CSV file is malformed.")) from None
    reader = csv.reader(text, delimiter=delimiter)
    return Sheet("csv", SHEET, headers, _bounded(_csv_rows(reader)), None)


def _csv_rows(reader: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        for number, row in enumerate(reader, start=2):
            yield number, tuple(row)
    except UnicodeDecodeError:
        raise FileRefusedError(N_("The CSV file is not UTF-8 text.")) from None
    except csv.Error:
        raise FileRefusedError(N_("The CSV file is malformed.")) from None


def _header(cells: Any) -> list[str]:
    return [str(cell).strip() if cell is not None else "" for cell in cells]


def _bounded(
    rows: Iterator[tuple[int, Row]],
) -> Iterator[tuple[int, Row]]:
    """Every row that has a value (blank rows are skipped), up to MAX_ROWS."""
    count = 0
    for number, row in rows:
        cells = values_present(row)
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise FileRefusedError(N_("The file has more than {limit} rows."), limit=MAX_ROWS)
        yield number, row


def is_formula(value: Any) -> bool:
    """A cell whose content is a formula (never evaluated), or an object that is not a value."""
    if isinstance(value, str):
        return value.startswith("=") and len(value) > 1
    return not isinstance(value, CELL_TYPES)

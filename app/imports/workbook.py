"""Reading an uploaded Incident Recorder file, row by row, without trusting it.

Only a real XLSX (a zip holding a workbook and no macros) or a UTF-8 CSV is read. Workbooks are
opened with openpyxl in read-only mode, which streams the sheet: formulas are never evaluated, and
a cell holding one is an error naming the cell (its value would be whatever the file claims). The
zip's declared sizes are checked first, so a small file that inflates to gigabytes is refused
before a byte of it is unpacked; then every XML part is streamed through `xml_guard`'s bounds,
so that XML openpyxl would hold whole (a row of millions of cells, millions of elements) or walk
for hours (a row numbered a billion) is refused before openpyxl reads it.
"""

import csv
import io
import logging
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from app.core.i18n import N_
from app.imports import xml_guard
from app.imports.recorder_vocabulary import SHEET, normalise

logger = logging.getLogger(__name__)

# Unpacked, a workbook of 50,000 rows of 44 columns is about 60 MB; allow headroom, no more.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_ROWS = 100_000
MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"macrosheet")
CELL_TYPES = (str, int, float, datetime, date, time, bool, type(None))


class FileRefusedError(Exception):
    """The file as a whole cannot be read; `message` is a catalogue message."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Sheet:
    kind: str  # "xlsx" or "csv"
    name: str
    headers: list[str]
    rows: Iterator[tuple[int, tuple[Any, ...]]]  # (row number as the user sees it, values)
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


def _workbook_sheet(content: IO[bytes]) -> Sheet:
    try:
        archive = zipfile.ZipFile(content)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileRefusedError(N_("The file is not a readable XLSX workbook.")) from None
    names = [info.filename for info in infos]
    # The declared sizes first: nothing is unpacked from a workbook that would pass them (the
    # zip reader stops at the declared size of each part).
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise FileRefusedError(N_("The workbook is too large once unpacked."))
    try:
        _refuse_macros(None, names)
        xml_guard.check_archive(archive)  # before the content types are read whole
        _refuse_macros(archive, names)
    except xml_guard.UnsafeXmlError as unsafe:
        logger.info("workbook refused", extra={"reason": unsafe.reason})
        raise FileRefusedError(N_("The workbook's XML is damaged or beyond its bounds.")) from None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        raise FileRefusedError(N_("The file is not a readable XLSX workbook.")) from None
    if "xl/workbook.xml" not in names:
        raise FileRefusedError(N_("The file is not a readable XLSX workbook."))
    content.seek(0)
    try:
        book = load_workbook(content, read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds on a damaged file; none is ours to show
        raise FileRefusedError(N_("The file is not a readable XLSX workbook.")) from None
    wanted = normalise(SHEET)
    found = next((title for title in book.sheetnames if normalise(title) == wanted), None)
    if found is None:
        raise FileRefusedError(N_('The workbook has no sheet named "{sheet}".'), sheet=SHEET)
    sheet = book[found]
    # The dimensions a file declares may be missing or wrong (openpyxl would then scan the
    # whole sheet for them first): read the rows as they come.
    sheet.reset_dimensions()  # type: ignore[union-attr]
    rows = _guarded(enumerate(sheet.iter_rows(values_only=True), start=1))
    headers = _header(next(rows, (1, ()))[1])
    return Sheet("xlsx", found, headers, _bounded(rows), book.epoch)


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
    rows: Iterator[tuple[int, tuple[Any, ...]]],
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The sheet's rows; a cell openpyxl cannot read (a date that is not one, a shared string
    that does not exist, XML cut short) refuses the file, naming the row."""
    number = 0
    while True:
        try:
            number, row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # openpyxl raises many kinds; none is ours to show
            logger.info("workbook row unreadable", extra={"error": type(error).__name__})
            raise FileRefusedError(
                N_("Row {row} of the sheet cannot be read: the workbook is damaged."),
                row=str(number + 1),
            ) from None
        yield number, tuple(row)


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
    rows: Iterator[tuple[int, tuple[Any, ...]]],
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Every row that has a value (blank rows are skipped), up to MAX_ROWS."""
    count = 0
    for number, row in rows:
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
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

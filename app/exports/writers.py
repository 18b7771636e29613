"""The record export's files, written as they are read so memory holds one page at a time.

CSV: one zip holding `incidents.csv`, `victims.csv` and `perpetrators.csv`, joined by the
incident's reference. One download keeps the three tables of one export together (three
endpoints would be three exports, each its own moment and audit event), and every spreadsheet
program and statistics package opens the files inside. The zip is streamed: each table is one
pass over the pages, the bytes sent as each page is written.

XLSX: one workbook with the three sheets, written by openpyxl in write-only mode (rows go to
temporary files, not memory), then sent in chunks. A sheet holds at most `XLSX_MAX_ROWS` rows.
"""

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from openpyxl import Workbook

from app.core.spreadsheets import csv_row, xlsx_row
from app.exports import tables
from app.exports.service import Page

Pages = Callable[[], Iterator[Page]]
CHUNK_BYTES = 64 * 1024
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit, header included
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_rows(name: str, page: Page, *, identity: bool) -> Iterator[list[Any]]:
    for incident in page.incidents:
        if name == "incidents":
            summary = page.summaries.get(incident["id"]) if page.summaries is not None else None
            yield tables.incident_row(incident, summary, identity=identity)
        elif name == "victims":
            yield from tables.victim_rows(incident, page.identities)
        else:
            yield from tables.perpetrator_rows(incident)


class _Sink(io.RawIOBase):
    """Collects what the zip writes until it is sent. Not seekable: the zip then writes each
    entry's sizes after its data, as a streamed zip must."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def csv_zip(pages: Pages, *, identity: bool) -> Iterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, header in tables.headers(identity=identity).items():
            with (
                archive.open(f"{name}.csv", "w", force_zip64=True) as entry,
                io.TextIOWrapper(entry, encoding="utf-8", newline="") as text,
            ):
                # RFC 4180's line ends: a field holding a lone carriage return is quoted too.
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow(header)
                for page in pages():
                    rows = table_rows(name, page, identity=identity)
                    writer.writerows(csv_row(row) for row in rows)
                    text.flush()
                    if chunk := sink.take():
                        yield chunk
    yield sink.take()


def xlsx(pages: Pages, *, identity: bool) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheets = {name: workbook.create_sheet(name) for name in tables.headers(identity=identity)}
    for name, header in tables.headers(identity=identity).items():
        sheets[name].append(xlsx_row(sheets[name], header))
    # One pass: each sheet writes to a temporary file of its own.
    for page in pages():
        for name, sheet in sheets.items():
            for row in table_rows(name, page, identity=identity):
                sheet.append(xlsx_row(sheet, row))
    with tempfile.TemporaryFile() as output:
        workbook.save(output)
        output.seek(0)
        while chunk := output.read(CHUNK_BYTES):
            yield chunk

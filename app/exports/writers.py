"""The record export's files, written as they are read so memory holds one page at a time.

CSV: one zip holding `incidents.csv`, `victims.csv` and `perpetrators.csv`, joined by the
incident's reference. One download keeps the three tables of one export together (three
endpoints would be three exports, each its own moment and audit event), and every spreadsheet
program and statistics package opens the files inside. The zip is streamed in one pass over
the pages (see `csv_zip`).

XLSX: one workbook with the three sheets, written by openpyxl in write-only mode (rows go to
temporary files, not memory), then sent in chunks. A sheet holds at most `XLSX_MAX_ROWS` rows.
openpyxl names its temporary files (in the system's temporary directory) and removes them once
the workbook is saved; a process killed meanwhile would leave them behind.
"""

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook

from app.core.spreadsheets import csv_row, xlsx_row
from app.exports import tables
from app.exports.service import Page

CHUNK_BYTES = 64 * 1024
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit, header included


def table_rows(name: str, page: Page, identity: bool) -> Iterator[list[Any]]:
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


def csv_zip(pages: Iterator[Page], *, identity: bool) -> Iterator[bytes]:
    """One pass over the pages: `incidents.csv` is streamed as they come, the victims' and
    perpetrators' rows wait in unnamed temporary files (no path to them, gone when closed)
    and follow it as the next two entries."""
    headers = tables.headers(identity=identity)
    sink = _Sink()
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as victims,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as perpetrators,
        zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        spools = {"victims": victims, "perpetrators": perpetrators}
        spooled = {name: _csv_writer(spool) for name, spool in spools.items()}
        for name, writer in spooled.items():
            writer.writerow(headers[name])
        with (
            archive.open("incidents.csv", "w", force_zip64=True) as entry,
            io.TextIOWrapper(entry, encoding="utf-8", newline="") as text,
        ):
            streamed = _csv_writer(text)
            streamed.writerow(headers["incidents"])
            for page in pages:
                streamed.writerows(csv_row(r) for r in table_rows("incidents", page, identity))
                for name, writer in spooled.items():
                    writer.writerows(csv_row(r) for r in table_rows(name, page, identity))
                text.flush()
                if chunk := sink.take():
                    yield chunk
        for name, spool in spools.items():
            spool.seek(0)
            with archive.open(f"{name}.csv", "w", force_zip64=True) as entry:
                while part := spool.read(CHUNK_BYTES):
                    entry.write(part.encode("utf-8"))
                    if chunk := sink.take():
                        yield chunk
    yield sink.take()


def _csv_writer(stream: Any) -> Any:
    # RFC 4180's line ends: a field holding a lone carriage return is quoted too.
    return csv.writer(stream, lineterminator="\r\n")


def xlsx(pages: Iterator[Page], *, identity: bool) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheets = {name: workbook.create_sheet(name) for name in tables.headers(identity=identity)}
    for name, header in tables.headers(identity=identity).items():
        sheets[name].append(xlsx_row(sheets[name], header))
    # One pass: each sheet writes to a temporary file of its own.
    for page in pages:
        for name, sheet in sheets.items():
            for row in table_rows(name, page, identity):
                sheet.append(xlsx_row(sheet, row))
    with tempfile.TemporaryFile() as output:
        workbook.save(output)
        output.seek(0)
        while chunk := output.read(CHUNK_BYTES):
            yield chunk

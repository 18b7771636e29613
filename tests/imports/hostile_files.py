"""Workbooks that are not what they claim: their parts rewritten at the XML level."""

import io
import zipfile
from collections.abc import Callable

from tests.imports.workbooks import ENGLISH, recorder_row, workbook_bytes

SHEET_PART = "xl/worksheets/sheet1.xml"
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
Part = bytes | Callable[[zipfile.ZipExtFile], None]


def rewritten(parts: dict[str, Part], extra: dict[str, Part] | None = None) -> bytes:
    """A valid one-row workbook with some parts replaced (or added); a callable writes its part
    as a stream, so that a part of gigabytes is built without holding it."""
    output = io.BytesIO()
    source_bytes = workbook_bytes([recorder_row()])
    with (
        zipfile.ZipFile(io.BytesIO(source_bytes)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            _write(target, item.filename, parts.get(item.filename, source.read(item.filename)))
        for name, part in (extra or {}).items():
            _write(target, name, part)
    return output.getvalue()


def _write(target: zipfile.ZipFile, name: str, part: Part) -> None:
    if isinstance(part, bytes):
        target.writestr(name, part)
        return
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with target.open(info, "w", force_zip64=True) as stream:
        part(stream)  # type: ignore[arg-type]


def repeated(prefix: bytes, unit: bytes, count: int, suffix: bytes) -> Part:
    """A part made of `unit` written `count` times between a prefix and a suffix."""

    def write(stream: zipfile.ZipExtFile) -> None:
        stream.write(prefix)
        block = unit * 4096
        for _ in range(count // 4096):
            stream.write(block)
        stream.write(unit * (count % 4096))
        stream.write(suffix)

    return write  # type: ignore[return-value]


def sheet(rows: str, before: str = "") -> bytes:
    """The sheet part: the Incident Recorder's headers, then `rows` as XML."""
    cells = "".join(
        f'<c t="inlineStr"><is><t>{header.replace("&", "&amp;")}</t></is></c>' for header in ENGLISH
    )
    return (
        f'<?xml version="1.0"?>{before}<worksheet {MAIN}><sheetData>'
        f'<row r="1">{cells}</row>{rows}</sheetData></worksheet>'
    ).encode()


def sheet_opening() -> bytes:
    """The sheet part up to (not including) the rows after the headers."""
    return sheet("")[: -len(b"</sheetData></worksheet>")]


STRINGS_PART = "xl/sharedStrings.xml"
STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
STRINGS_RELATION = (
    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
)


def with_shared_strings(strings: Part, sheet_part: Part | None = None) -> bytes:
    """A workbook whose shared-strings table is `strings`, declared as Excel declares one."""
    base = zipfile.ZipFile(io.BytesIO(rewritten({})))
    types = base.read("[Content_Types].xml").replace(b"</Types>", STRINGS_TYPE + b"</Types>")
    relations = base.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>", STRINGS_RELATION + b"</Relationships>"
    )
    parts: dict[str, Part] = {
        "[Content_Types].xml": types,
        "xl/_rels/workbook.xml.rels": relations,
    }
    if sheet_part is not None:
        parts[SHEET_PART] = sheet_part
    return rewritten(parts, extra={STRINGS_PART: strings})

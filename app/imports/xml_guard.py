"""Bounds on a workbook's XML, checked by streaming each part before it is read.

openpyxl keeps the parts it reads (the workbook, styles, relationships, properties) whole in
memory, and a sheet or a shared-strings table is only safe to stream when its rows and strings
are bounded. A few hundred kilobytes of zip can unpack to XML that would take gigabytes or
hours. So each XML part is first read here with expat, in chunks, holding nothing, and refused
when it passes a bound no Incident Recorder workbook comes near: a document type (where
entities are declared), too many elements kept at once, a row or string too large, more cells
in a row or a higher row number than Excel allows. The sheet and strings the import reads are
held to the same bounds by `sheet_xml` as it reads them, rather than scanned first.
"""

import zipfile
from xml.parsers import expat

from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_dependents
from openpyxl.reader.excel import _find_workbook_part
from openpyxl.xml.functions import fromstring

CHUNK_BYTES = 1 << 20
MAX_KEPT_ELEMENTS = 1_200_000  # per part; Excel's 1,048,576 rows and some room
MAX_STREAMED_ITEM_BYTES = 4 << 20  # one row, or one shared string, as XML
MAX_ROW_CELLS = 16_384  # Excel's columns
MAX_ROW_NUMBER = 1_048_576  # Excel's rows
# Parts openpyxl reads whole (not row by row): the workbook, styles, relationships, properties.
MAX_WHOLE_PART_BYTES = 16 << 20
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Where openpyxl reads a part row by row, which item of it it lets go once read.
STREAMED = {
    f"{MAIN} worksheet": f"{MAIN} row",
    f"{MAIN} sst": f"{MAIN} si",
}
WORKSHEET_ROOT, STRINGS_ROOT = f"{MAIN} worksheet", f"{MAIN} sst"
STREAMED_BY_RELATION = {"worksheet": WORKSHEET_ROOT, "sharedStrings": STRINGS_ROOT}
CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


class UnsafeXmlError(Exception):
    """The part passes a bound; `reason` says which (for the log, never for the user)."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"{part}: {reason}")
        self.reason = reason


def check_whole_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Every XML part of the archive that is read whole within the bounds, or UnsafeXmlError;
    returns the parts read row by row (part name -> root), for `check_streamed_parts` or a
    reader that holds them to the same bounds as it reads them. A part is known for XML by its
    first bytes, not its name: openpyxl reads whatever part the relationships point at, under
    any name. Only the workbook's sheets and shared strings, as its relationships name them,
    may be large; they are named once the small parts that name them have been held to the
    bounds."""
    names = set(archive.namelist())
    first = [name for name in (CONTENT_TYPES, WORKBOOK_RELS) if name in names]
    for name in first:
        _scan(archive, name, None)
    streamed = {
        name: root for name, root in _streamed_parts(archive, names).items() if name not in first
    }
    for name in archive.namelist():
        if name not in first and name not in streamed:
            _scan(archive, name, None)
    return streamed


def check_streamed_parts(
    archive: zipfile.ZipFile, streamed: dict[str, str], skip: set[str]
) -> None:
    """The parts read row by row within the bounds, but those in `skip` (read under them)."""
    for name in archive.namelist():
        if name in streamed and name not in skip:
            _scan(archive, name, streamed[name])


def _scan(archive: zipfile.ZipFile, name: str, root: str | None) -> None:
    with archive.open(name) as part:
        _Scan(name, streamed_root=root).run(part)


def _streamed_parts(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Part name -> the root element openpyxl reads it row by row as: the sheets and shared
    strings the workbook's relationships name, when the workbook is where openpyxl will look
    for it (else nothing is large-able: a workbook read from a sheet's part would be read whole).
    """
    if CONTENT_TYPES not in names or WORKBOOK_RELS not in names:
        return {}
    try:
        manifest = Manifest.from_tree(fromstring(archive.read(CONTENT_TYPES)))
        workbook = _find_workbook_part(manifest)
        relations = get_dependents(archive, WORKBOOK_RELS)
    except Exception:  # openpyxl's own readers; it would refuse this workbook anyway
        return {}
    if workbook is None or workbook.PartName.lstrip("/") != WORKBOOK:
        return {}
    roles: dict[str, set[str]] = {}
    for relation in relations:
        role = STREAMED_BY_RELATION.get(relation.Type.rsplit("/", 1)[-1])
        if role is not None and relation.TargetMode != "External":
            roles.setdefault(relation.target, set()).add(role)
    # A part named for two roles would be read as both: it is held to the small parts' bounds.
    return {target: next(iter(kinds)) for target, kinds in roles.items() if len(kinds) == 1}


def _may_be_xml(first: bytes) -> bool:
    """XML starts with a byte-order mark, blanks or `<`; anything else no parser reads as XML."""
    if first.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    text = first.lstrip(b" \t\r\n")
    return not text or text.startswith(b"<")


class _Scan:
    def __init__(self, part: str, *, streamed_root: str | None) -> None:
        self.part, self.streamed_root = part, streamed_root
        self.parser = expat.ParserCreate(namespace_separator=" ")
        # OOXML has no document type; it is where entities (expanded a billion times, or read
        # from the server's files) would be declared.
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.streamed_tag: str | None = None
        self.depth = 0
        self.item_depth = 0  # depth of the row (or string) being read; 0: none
        self.item_start = 0
        self.cells = 0
        self.kept = 0

    def refuse(self, reason: str) -> None:
        raise UnsafeXmlError(self.part, reason)

    def run(self, part: zipfile.ZipExtFile) -> None:
        first = part.read(CHUNK_BYTES)
        if not _may_be_xml(first):
            return  # an image or other binary part, which no XML parser would read
        size = 0
        try:
            chunk = first
            while chunk:
                size += len(chunk)
                if size > MAX_WHOLE_PART_BYTES and self.streamed_tag is None:
                    self.refuse("too large for a part read whole")
                self.parser.Parse(chunk, False)
                chunk = part.read(CHUNK_BYTES)
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            self.refuse(f"not well-formed XML ({expat.errors.messages.get(error.code, '')})")

    def _doctype(self, *_: object) -> None:
        self.refuse("a document type declaration")

    def _entity(self, *_: object) -> None:
        self.refuse("an entity declaration")

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1 and tag == self.streamed_root:
            self.streamed_tag = STREAMED[tag]
        if self.item_depth:
            if self.depth == self.item_depth + 1:
                self.cells += 1
                if self.cells > MAX_ROW_CELLS:
                    self.refuse("too many cells in a row")
            if self.parser.CurrentByteIndex - self.item_start > MAX_STREAMED_ITEM_BYTES:
                self.refuse("a row or string too large")
            return
        self.kept += 1
        if self.kept > MAX_KEPT_ELEMENTS:
            self.refuse("too many elements")
        if tag == self.streamed_tag:
            self.item_depth, self.cells = self.depth, 0
            self.item_start = self.parser.CurrentByteIndex
            number = attributes.get("r", "")
            if (
                tag.endswith(" row")
                and number
                and not (
                    number.isascii() and number.isdigit() and 1 <= int(number) <= MAX_ROW_NUMBER
                )
            ):
                self.refuse("a row number beyond Excel's")

    def _end(self, _tag: str) -> None:
        if self.depth == self.item_depth:
            if self.parser.CurrentByteIndex - self.item_start > MAX_STREAMED_ITEM_BYTES:
                self.refuse("a row or string too large")
            self.item_depth = 0
        self.depth -= 1

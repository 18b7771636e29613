"""A worksheet part's pieces, as `sheet_rows_fast` reads them, and what makes a part "plain":
in the subset of XML Excel, openpyxl and Primero write, where regular expressions find rows and
cells exactly where expat does, and within every bound `xml_guard` sets. The fast reader checks
each piece before it gives the rows of the one before away; the first piece found not plain
(NotPlainError) hands the part to `sheet_xml`'s expat reader, which gives every row and refusal
from there on. Being conservative is safe (a part wrongly found not plain is read by expat,
slower but the same); accepting a part expat would read differently, or refuse, is not. So the
subset is strict:

- UTF-8 (or no encoding declared), XML's characters only; an XML declaration only at the start;
  no document type, comment, processing instruction or CDATA section anywhere;
- the root an unprefixed `worksheet` whose default namespace is the main one, and no other
  default namespace declared before the rows (so every unprefixed element in the rows is in the
  main namespace, as expat names them); expat, with no handler (no Python called), parses all
  but the rows, with the namespaces;
- one unprefixed `sheetData`, with no attribute; no element named `row` (under any prefix)
  outside it, and nothing but rows in it;
- rows and cells as those writers write them (`ROW_HEAD`, `CELLS`): each attribute once, in
  the schema's order, double-quoted, valued as they value it (no entity, no blank), a row's `r`
  1 to Excel's last, without leading zeros; a cell's value, formula or plain inline string;
- the guard's bounds: elements outside rows, a row's cells and its size in bytes.
"""

import codecs
import re
from collections.abc import Iterator
from typing import IO
from xml.parsers import expat

from app.imports import xml_guard
from app.imports.xml_guard import MAIN

PROLOG, ROWS, EPILOG = "prolog", "rows", "epilog"
MAX_PROLOG_CHARS = 1 << 20  # Excel's columns, views and formats before the rows: kilobytes
MAX_CARRIED_CHARS = xml_guard.MAX_STREAMED_ITEM_BYTES  # a longer row is read by expat

# What Excel, openpyxl and Primero write, each attribute in the schema's order (so at most
# once: expat refuses a repeated one), valued as they value it (no entity to decode, no blank to
# normalise); text with no entity but the five XML names (`&#...;` sends the part to expat).
_TEXT = "[^<&]*+(?:&(?:amp|lt|gt|quot|apos);[^<&]*+)*+"
_FLAG = '"(?:0|1|true|false)"'
_HEIGHT = '"[0-9]{1,3}(?:\\.[0-9]{1,17})?"'
# 1 to 1,048,576, without leading zeros (which `_row_number` reads, but Excel never writes)
_ROW_NUMBER = (
    "(?:10[0-3][0-9]{4}|104[0-7][0-9]{3}|1048[0-4][0-9]{2}|10485[0-6][0-9]|104857[0-6]"
    "|[1-9][0-9]{0,5})"
)
_FORMULA = (
    '<f(?: t="(?:normal|shared|array)")?(?: ref="[A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?")?'
    f'(?: si="[0-9]{{1,9}}")?(?:/>|>{_TEXT}</f>)'
)
_CELL = (
    '<c(?: r="[A-Z]{1,3}[0-9]{1,7}")?(?: s="[0-9]{1,9}")?(?: t="(?:s|n|b|e|str|d|inlineStr)")?'
    f"(?:/>|>(?:<v>{_TEXT}</v>|{_FORMULA}(?:<v>{_TEXT}</v>)?"
    f'|<is><t(?: xml:space="preserve")?>{_TEXT}</t></is>)</c>)'
)
ROW_HEAD = re.compile(
    f'<row(?: r="({_ROW_NUMBER})")?(?: spans="[0-9]{{1,5}}:[0-9]{{1,5}}")?(?: s="[0-9]{{1,9}}")?'
    f"(?: customFormat={_FLAG})?(?: ht={_HEIGHT})?(?: hidden={_FLAG})?(?: customHeight={_FLAG})?"
    f'(?: outlineLevel="[0-7]")?(?: collapsed={_FLAG})?(?: thickTop={_FLAG})?'
    f"(?: thickBot={_FLAG})?(?: x14ac:dyDescent={_HEIGHT})?(/?)>"
)
CELLS = re.compile(f"(?:{_CELL}){{0,{xml_guard.MAX_ROW_CELLS}}}+")  # a row's, between its tags
XML_BYTES = bytes([9, 10, 13, *range(32, 256)])  # the bytes expat reads as characters (in UTF-8)

_BLANK = "[ \t\n]"
_NAME = "[^ \t\n=/>\"'<]+"
DECLARATION = (
    f"<\\?xml{_BLANK}+version{_BLANK}*={_BLANK}*(?:\"1\\.0\"|'1\\.0')"
    f"(?:{_BLANK}+encoding{_BLANK}*={_BLANK}*(?:\"(?i:utf-8)\"|'(?i:utf-8)'))?"
    f"(?:{_BLANK}+standalone{_BLANK}*={_BLANK}*(?:\"(?:yes|no)\"|'(?:yes|no)'))?{_BLANK}*\\?>"
)
ROOT = re.compile(
    f"(?:{DECLARATION})?{_BLANK}*<worksheet"
    f"((?:{_BLANK}+{_NAME}{_BLANK}*={_BLANK}*(?:\"[^\"<]*\"|'[^'<]*'))*){_BLANK}*>"
)
ATTRIBUTE = re.compile(f"({_NAME}){_BLANK}*={_BLANK}*(\"[^\"<]*\"|'[^'<]*')")
SHEET_DATA = re.compile("<sheetData(/?)>")
SHEET_DATA_END = "</sheetData>"
_TAIL_CHARS = len(SHEET_DATA_END) - 1  # enough of a chunk for an end cut by the next
ROW_ELEMENT = re.compile("<(?:[^ \t\n/>:]+:)?row[ \t\n/>]")
DEFAULT_NAMESPACE = re.compile(f"{_BLANK}xmlns{_BLANK}*=")


class NotPlainError(Exception):
    """The part, from here on, is outside the plain subset (or unreadable): expat reads it."""


class Outside:
    """What is outside the rows: parsed by expat (for its errors) and held to the subset."""

    def __init__(self) -> None:
        self.parser = expat.ParserCreate(namespace_separator=" ")  # as sheet_xml's

        def refuse(*_: object) -> None:
            raise NotPlainError

        self.parser.StartDoctypeDeclHandler = refuse
        self.parser.EntityDeclHandler = refuse
        self.kept = 0  # elements outside rows (with the rows), as `sheet_xml` counts them
        self.excel_2010 = False  # whether `x14ac:` is bound, for the rows' `x14ac:dyDescent`

    def prolog(self, text: str) -> None:
        self._parse(text)
        root = ROOT.match(text)
        if root is None:
            raise NotPlainError
        values = {name: value[1:-1] for name, value in ATTRIBUTE.findall(root.group(1))}
        if values.get("xmlns") != MAIN or DEFAULT_NAMESPACE.search(text, root.end()):
            raise NotPlainError  # the rows' elements would not be in the main namespace
        self.excel_2010 = "xmlns:x14ac" in values
        self.count(1 + _elements(text[root.end() :]))

    def epilog(self, text: str) -> None:
        self._parse(text)
        self.count(_elements(text))

    def end(self) -> None:
        self._parse("", final=True)

    def count(self, elements: int) -> None:
        self.kept += elements
        if self.kept > xml_guard.MAX_KEPT_ELEMENTS:
            raise NotPlainError

    def check_rows(self, text: str) -> None:
        """What the rows' patterns do not see: their characters, and `x14ac:` unbound."""
        if "]]>" in text or "\ufffe" in text or "\uffff" in text:
            raise NotPlainError  # not XML's (the other characters are checked as bytes)
        if not self.excel_2010 and "x14ac:" in text:
            raise NotPlainError

    def _parse(self, text: str, *, final: bool = False) -> None:
        try:
            self.parser.Parse(text.encode(), final)
        except expat.ExpatError:
            raise NotPlainError from None


def _elements(text: str) -> int:
    """The elements that start in text outside the root and the rows, checked."""
    if "<!" in text or "<?" in text or ROW_ELEMENT.search(text):
        raise NotPlainError
    return text.count("<") - text.count("</")


def pieces(part: IO[bytes], chunk_bytes: int) -> Iterator[tuple[str, str]]:
    """The part's text as (PROLOG, up to and with the `sheetData` tag), (ROWS, the rows each
    chunk of `chunk_bytes` completes)..., (EPILOG, the rest) pieces, cut the same wherever
    its chunks end; NotPlainError when that cannot be done in bounded memory, or a byte is not
    a character of XML's."""
    phase, carried = PROLOG, ""
    # A long row's text, chunk by chunk, joined to `carried` once a row or the rows end in it:
    # joined at every chunk, a row of megabytes would be copied and searched again for each.
    waiting: list[str] = []
    waiting_chars, tail = 0, ""  # tail: the last characters before the next chunk's
    for text in _texts(part, chunk_bytes):
        if phase == ROWS:
            probe = tail + text
            if SHEET_DATA_END not in probe and "</row>" not in probe:
                waiting.append(text)
                waiting_chars += len(text)
                tail = probe[-_TAIL_CHARS:]
                if len(carried) + waiting_chars > MAX_CARRIED_CHARS:
                    raise NotPlainError
                continue
        text = carried + "".join(waiting) + text
        waiting, waiting_chars = [], 0
        while True:
            if phase == PROLOG:
                found = SHEET_DATA.search(text)
                if found is None:
                    if len(text) > MAX_PROLOG_CHARS:
                        raise NotPlainError
                    carried = text
                    break
                yield PROLOG, text[: found.end()]
                text = text[found.end() :]
                phase = EPILOG if found.group(1) else ROWS
            elif phase == ROWS:
                end = text.find(SHEET_DATA_END)
                if end >= 0:
                    yield ROWS, text[:end]
                    text, phase = text[end:], EPILOG
                    continue
                cut = text.rfind("</row>")
                cut = 0 if cut < 0 else cut + len("</row>")
                if cut:
                    yield ROWS, text[:cut]
                carried = text[cut:]
                if len(carried) > MAX_CARRIED_CHARS:
                    raise NotPlainError
                tail = carried[-_TAIL_CHARS:]
                break
            else:
                cut = text.rfind("<")
                if cut > 0:
                    yield EPILOG, text[:cut]
                carried = text[max(cut, 0) :]
                if len(carried) > MAX_CARRIED_CHARS:
                    raise NotPlainError
                break
    if phase != EPILOG:
        raise NotPlainError
    yield EPILOG, carried


def _texts(part: IO[bytes], chunk_bytes: int) -> Iterator[str]:
    """The part decoded, its line ends normalised as expat normalises them; the last piece
    may be empty."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    held = ""  # a "\r" at a chunk's end, perhaps the first half of "\r\n"
    try:
        while chunk := part.read(chunk_bytes):
            if chunk.translate(None, XML_BYTES):
                raise NotPlainError  # a control character
            text = held + decoder.decode(chunk)
            held = "\r" if text.endswith("\r") else ""
            yield _lines(text[: len(text) - len(held)])
        yield _lines(held + decoder.decode(b"", True))
    except UnicodeDecodeError:
        raise NotPlainError from None


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text

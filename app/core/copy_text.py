"""Rows as the text COPY reads, made a column at a time rather than a value at a time.

psycopg's `write_row` formats each row value by value, calling a dumper for each (a Python one
for a UUID), behind two Python calls per row. Most of a batch's columns are plain text already
(enums, dates and JSON are made text before: `bulk_insert._converter`), so here each column is
made text with a few calls over the whole column, and the rows joined at once: what is left in
Python per value is a UUID's hex digits and, in the rare column holding one, escaping.

The text is COPY's own format (PostgreSQL's documentation, "File Formats"): columns separated by
a tab, rows ended by a newline, NULL as `\\N`, and a backslash, newline, carriage return or tab
within a value escaped with a backslash. A column of a type not made here (floats, arrays, ...)
leaves the whole table to psycopg (`None`).
"""

import uuid
from collections.abc import Callable, Sequence
from typing import Any

NULL = "\\N"
# The characters that must be escaped within a value, and how.
SPECIAL = ("\\", "\n", "\r", "\t")
BOOLEANS = {True: "t", False: "f", None: NULL}


def copy_text(columns: Sequence[Sequence[Any]]) -> str | None:
    """The rows whose columns these are, as COPY text; None if a column holds a type not
    written here."""
    texts = []
    for column in columns:
        text = column_text(column)
        if text is None:
            return None
        texts.append(text)
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


def column_text(column: Sequence[Any]) -> Sequence[str] | None:
    """Each value of one column as COPY text, or None for a type not written here."""
    kinds = set(map(type, column))
    kinds.discard(type(None))
    if not kinds or kinds == {str}:
        return _escaped(column)
    if len(kinds) > 1:
        return None
    (kind,) = kinds
    writer = _WRITERS.get(kind)
    return None if writer is None else writer(column)


def _escaped(column: Sequence[str | None]) -> Sequence[str]:
    """Text as it is, unless some value holds a character to escape (JSON with one escaped in
    a string, a note over several lines): looked for once in the whole column."""
    present = "".join(filter(None, column))
    if any(character in present for character in SPECIAL):
        return [NULL if value is None else _escape(value) for value in column]
    if None in column:
        return [NULL if value is None else value for value in column]
    return column


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


def _uuids(column: Sequence[uuid.UUID | None]) -> Sequence[str]:
    """A column of ids, each as its 32 hex digits (which PostgreSQL reads as it reads the
    hyphenated form): `hex` is a sixth of the cost of `str`, which cuts and joins it. One id in
    every row (the actor, the organisation) is made text once."""
    first = column[0]
    if first is not None and first is column[-1] and column.count(first) == len(column):
        return [first.hex] * len(column)
    return [NULL if value is None else value.hex for value in column]


def _integers(column: Sequence[int | None]) -> Sequence[str]:
    if None in column:
        return [NULL if value is None else str(value) for value in column]
    return list(map(str, column))


def _booleans(column: Sequence[bool | None]) -> Sequence[str]:
    return list(map(BOOLEANS.__getitem__, column))


def _bytes(column: Sequence[bytes | None]) -> Sequence[str]:
    """bytea as hex (`\\x...`), its backslash escaped for COPY."""
    return [NULL if value is None else f"\\\\x{value.hex()}" for value in column]


_WRITERS: dict[type, Callable[[Sequence[Any]], Sequence[str]]] = {
    uuid.UUID: _uuids,
    int: _integers,
    bool: _booleans,
    bytes: _bytes,
}

"""Rows COPY'd as `copy_text` writes them are stored as psycopg's own `write_row` stores them.

Every new incident's rows, and every audit event, reach PostgreSQL through `copy_text`: each kind
of value it writes, with every character COPY's text format treats apart, must come back as
psycopg's formatting of the same rows gives it."""

import uuid
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.core.copy_text import column_text, copy_text

TRICKY = [
    "plain",
    "",
    "tab\there",
    "two\nlines",
    "carriage\rreturn",
    "back\\slash",
    "\\N",
    "bell\b form\f vertical\v",
    "accents é, « guillemets », 🗂️",
    None,
]
ONE_ACTOR = uuid.uuid4()
COLUMNS = (
    "words text, id uuid, actor uuid, n bigint, yes boolean, data bytea, at timestamptz, "
    "on_day date, doc json"
)


def _rows() -> list[tuple[Any, ...]]:
    return [
        (
            text,
            uuid.uuid4() if index % 3 else None,
            ONE_ACTOR,
            [0, -1, 2**40, None][index % 4],
            [True, False, None][index % 3],
            [b"", b"\x00\\\n\xff", None][index % 3],
            "2026-11-26 15:24:46.123456+00:00",
            "2024-03-01" if index % 2 else None,
            '{"note": "a \\"quoted\\" word\\n", "n": 1}' if index % 2 else "[]",
        )
        for index, text in enumerate(TRICKY * 3)
    ]


def _copied(connection: psycopg.Connection[Any], table: str, rows: list[tuple[Any, ...]]) -> Any:
    connection.execute(f"CREATE TEMPORARY TABLE {table} (position serial, {COLUMNS})")
    names = "words, id, actor, n, yes, data, at, on_day, doc"
    with connection.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        if table == "by_psycopg":
            for row in rows:
                copy.write_row(row)
        else:
            text = copy_text([list(column) for column in zip(*rows, strict=True)])
            assert text is not None
            copy.write(text)
    query = f"SELECT {names}, doc::text FROM {table} ORDER BY position"
    return connection.execute(query).fetchall()


def test_copy_text_stores_what_psycopg_stores(backend: str, database_url: str) -> None:
    if backend != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    url = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
        rows = _rows()
        ours, theirs = _copied(connection, "by_text", rows), _copied(connection, "by_psycopg", rows)
    assert ours == theirs
    assert ours[2][0] == "tab\there" and ours[9][0] is None and ours[6][0] == "\\N"


def test_types_it_does_not_write_are_left_to_psycopg() -> None:
    assert column_text([1.5, 2.0]) is None
    assert column_text([1, True]) is None  # an integer and a boolean: neither alone
    assert copy_text([["a"], [[1, 2]]]) is None
    assert column_text([None, None]) == [r"\N", r"\N"]

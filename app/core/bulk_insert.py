"""Inserting many rows of one table in one statement, whatever their number.

On PostgreSQL a few rows go as one `INSERT ... SELECT * FROM unnest(<one array per column>)`:
its text is the same for one row or two hundred, so it is built once and psycopg keeps it
prepared (a multi-row `VALUES` list is a new statement for each number of rows, and SQLAlchemy
spends more building and compiling it than the database spends running it). Many rows go by
COPY. SQLite, which has neither and no round trips to save, gets one `executemany`.

`upsert_rows` does the same with `ON CONFLICT ... DO UPDATE` adding each measure to the row
already there (COPY cannot), for the statistics' kept counts.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from functools import cache
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Date, DateTime, Dialect, Enum, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.core.copy_behind import CopyPart, send_copy
from app.core.copy_text import copy_text

# From this many rows, PostgreSQL is sent COPY (measured: about 2.5 times a multi-row INSERT's
# speed for an import's thousands of rows; for a handful, one INSERT is one round trip less).
COPY_FROM_ROWS = 200
POSTGRES = postgresql.dialect()
_CONVERTERS: dict[tuple[str, Table, tuple[str, ...]], tuple[Any, ...]] = {}


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys, every value given) into `table`."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
    elif len(rows) >= COPY_FROM_ROWS:
        _copy(connection, table, rows)
    else:
        statement = _unnest_insert(table, tuple(rows[0]))
        connection.exec_driver_sql(statement, _columns_of(connection, table, rows))


def upsert_rows(
    session: Session,
    table: Table,
    keys: tuple[str, ...],
    measures: tuple[str, ...],
    rows: list[dict[str, Any]],
) -> None:
    """Insert each row, or add its `measures` to the row already there with the same `keys`.

    Rows are written in the order given: give every writer the same order, so two never wait
    on each other's rows the other way round."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        statement = _unnest_insert(table, (*keys, *measures)) + _on_conflict_add(
            table, keys, measures
        )
        connection.exec_driver_sql(statement, _columns_of(connection, table, rows))
        return
    connection.execute(_sqlite_upsert(table, keys, measures), rows)


@cache
def _unnest_insert(table: Table, names: tuple[str, ...]) -> str:
    """`INSERT INTO t (a, b) SELECT * FROM unnest(%s::uuid[], %s::varchar[])`: one parameter,
    an array, per column."""
    arrays = ", ".join(
        f"%s::{table.c[name].type.compile(dialect=POSTGRES).split('(')[0]}[]" for name in names
    )
    columns = ", ".join(f'"{name}"' for name in names)
    return f"INSERT INTO {table.name} ({columns}) SELECT * FROM unnest({arrays})"


@cache
def _on_conflict_add(table: Table, keys: tuple[str, ...], measures: tuple[str, ...]) -> str:
    additions = ", ".join(f'"{m}" = {table.name}."{m}" + EXCLUDED."{m}"' for m in measures)
    return f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {additions}"


def _columns_of(
    connection: Connection, table: Table, rows: list[dict[str, Any]]
) -> tuple[list[Any], ...]:
    """One list per column, each value converted as SQLAlchemy would bind it."""
    return tuple(map(list, _converted_columns(connection, table, rows)))


def _converted_columns(
    connection: Connection, table: Table, rows: list[dict[str, Any]], as_text: bool = False
) -> list[Iterable[Any]]:
    """Each column's values, converted as SQLAlchemy would bind them (see `_converter`).

    Converted a column at a time, and each distinct value once (`_by_distinct_value`): most
    columns a converter applies to (enums, timestamps, booleans) hold a handful of values for a
    thousand rows, rather than a Python call for every value."""
    names = tuple(rows[0])
    columns: list[Iterable[Any]] = list(zip(*map(dict.values, rows), strict=True))
    for index, convert in enumerate(_converters(connection.dialect, table, names, as_text)):
        if convert is not None:
            columns[index] = _by_distinct_value(convert, columns[index])
    return columns


def _converters(
    dialect: Dialect, table: Table, names: tuple[str, ...], as_text: bool = False
) -> tuple[Any, ...]:
    """The converters of these columns, found once (per dialect name: one is PostgreSQL's)."""
    key = (dialect.name, table, names, as_text)
    if key not in _CONVERTERS:
        _CONVERTERS[key] = tuple(_converter(table.c[name].type, dialect, as_text) for name in names)
    return _CONVERTERS[key]


def _converter(
    column_type: Any, dialect: Dialect, as_text: bool = False
) -> Callable[[Any], Any] | None:
    """What makes a value one psycopg writes as the column expects, or None if it already is.

    JSON is sent as its text (cast by the column, or the statement's `::json[]`), dumped by
    orjson rather than the standard library's `json` behind psycopg's `Json`; a StrEnum member
    as its value (`str` of one is its value: what SQLAlchemy's `Enum` binds, as it stores values);
    anything else as SQLAlchemy's bind processor for the type has it (timestamps made UTC,
    booleans checked), when the type has one.

    `as_text` (COPY, whose every value is text): dates and timestamps as the text psycopg would
    write for them, `str` of the value. Made here once per distinct value (`_by_distinct_value`)
    rather than by psycopg for every row: `str` of a date or a timestamp is CPython's
    printf-style formatting, some 5,000 instructions a value."""
    if isinstance(column_type, JSON):
        return json_text
    if isinstance(column_type, Enum) and issubclass(column_type.enum_class or object, StrEnum):
        return str
    process = column_type.bind_processor(dialect)
    if as_text and isinstance(getattr(column_type, "impl", column_type), Date | DateTime):
        return str if process is None else lambda value: str(process(value))
    return process  # type: ignore[no-any-return]


def _by_distinct_value(convert: Callable[[Any], Any], column: Sequence[Any]) -> Iterable[Any]:
    """`convert` applied to each value of `column`, None left as it is.

    Converting an enum, a timestamp or a boolean is a pure function of its value (equal values
    convert alike), so each distinct value is converted once and the column mapped through the
    results, a dictionary lookup in C per value. JSON is written one value at a time: its values
    may be equal yet written differently (`1`, `1.0` and `true`), or unhashable."""
    if convert is json_text:
        return [None if value is None else json_text(value) for value in column]
    try:
        converted = {value: convert(value) for value in set(column) if value is not None}
    except TypeError:  # unhashable
        return [None if value is None else convert(value) for value in column]
    converted[None] = None
    return map(converted.__getitem__, column)


def json_text(value: Any) -> str:
    """`value` as JSON text: orjson's, or the standard library's for what orjson refuses
    (integers beyond 64 bits), so that anything `json` wrote is still written."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value)


@cache
def _sqlite_upsert(table: Table, keys: tuple[str, ...], measures: tuple[str, ...]) -> Any:
    statement = sqlite.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in measures},
    )


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY in the session's transaction."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    send_copy(raw, copy_part(connection, table, rows))  # type: ignore[arg-type]


def copy_part(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> CopyPart:
    """The COPY of `rows` into `table`, each value converted as SQLAlchemy binds it, the rows
    written as one text (`copy_text`), or left to psycopg where a column's type is not one it
    writes."""
    columns = ", ".join(f'"{name}"' for name in rows[0])
    statement = f"COPY {table.name} ({columns}) FROM STDIN"
    values = [list(column) for column in _converted_columns(connection, table, rows, True)]
    text = copy_text(values)
    if text is None:
        return CopyPart(statement, None, list(zip(*values, strict=True)))
    return CopyPart(statement, text)

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
from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import cache
from typing import Any

import orjson
import psycopg
from sqlalchemy import JSON, Connection, Dialect, Enum, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

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
    connection: Connection, table: Table, rows: list[dict[str, Any]]
) -> list[Iterable[Any]]:
    """Each column's values, converted as SQLAlchemy would bind them (see `_converter`).

    Converted a column at a time: one converter applied by `map` over a column costs a fraction
    of a Python loop over every value of every row, and most columns need none."""
    names = tuple(rows[0])
    columns: list[Iterable[Any]] = list(zip(*map(dict.values, rows), strict=True))
    for index, convert in enumerate(_converters(connection.dialect, table, names)):
        if convert is not None:
            columns[index] = map(_unless_none(convert), columns[index])
    return columns


def _converters(dialect: Dialect, table: Table, names: tuple[str, ...]) -> tuple[Any, ...]:
    """The converters of these columns, found once (per dialect name: one is PostgreSQL's)."""
    key = (dialect.name, table, names)
    if key not in _CONVERTERS:
        _CONVERTERS[key] = tuple(_converter(table.c[name].type, dialect) for name in names)
    return _CONVERTERS[key]


def _converter(column_type: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """What makes a value one psycopg writes as the column expects, or None if it already is.

    JSON is sent as its text (cast by the column, or the statement's `::json[]`), dumped by
    orjson rather than the standard library's `json` behind psycopg's `Json`; a StrEnum member
    as its value (`str` of one is its value: what SQLAlchemy's `Enum` binds, as it stores values);
    anything else as SQLAlchemy's bind processor for the type has it (timestamps made UTC,
    booleans checked), when the type has one."""
    if isinstance(column_type, JSON):
        return json_text
    if isinstance(column_type, Enum) and issubclass(column_type.enum_class or object, StrEnum):
        return str
    return column_type.bind_processor(dialect)  # type: ignore[no-any-return]


def _unless_none(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert`, None left as it is. A bind processor is called again only for a value other
    than the one before: most columns it converts (timestamps) hold one value for every row of
    a set, and converting is a pure function of a value that cannot change."""
    if convert is str:
        return _str_or_none
    last: list[Any] = [None, None]  # the value converted last, and what it became

    def converted(value: Any) -> Any:
        if value is None:
            return None
        if value is not last[0]:
            last[:] = value, convert(value)
        return last[1]

    return converted


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


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
    """COPY in the session's transaction, each value converted as SQLAlchemy binds it."""
    columns = ", ".join(f'"{name}"' for name in rows[0])
    raw = connection.connection.dbapi_connection
    assert raw is not None
    statement = f"COPY {table.name} ({columns}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for values in zip(*_converted_columns(connection, table, rows), strict=True):
                copy.write_row(values)
    except psycopg.Error as error:
        # Raised by the driver below SQLAlchemy: wrapped as SQLAlchemy wraps its own, so a
        # conflict or a lock timeout is answered as anywhere else (409, 503), not 500.
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from None

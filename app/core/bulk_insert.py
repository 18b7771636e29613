"""Inserting many rows of one table in one statement, whatever their number.

On PostgreSQL a few rows go as one `INSERT ... SELECT * FROM unnest(<one array per column>)`:
its text is the same for one row or two hundred, so it is built once and psycopg keeps it
prepared (a multi-row `VALUES` list is a new statement for each number of rows, and SQLAlchemy
spends more building and compiling it than the database spends running it). Many rows go by
COPY. SQLite, which has neither and no round trips to save, gets one `executemany`.

`upsert_rows` does the same with `ON CONFLICT ... DO UPDATE` adding each measure to the row
already there (COPY cannot), for the statistics' kept counts.
"""

from collections.abc import Iterator
from functools import cache
from typing import Any

import psycopg
from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

# From this many rows, PostgreSQL is sent COPY (measured: about 2.5 times a multi-row INSERT's
# speed for an import's thousands of rows; for a handful, one INSERT is one round trip less).
COPY_FROM_ROWS = 200
POSTGRES = postgresql.dialect()


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
    return tuple(map(list, zip(*_converted(connection, table, rows), strict=True)))


def _converted(
    connection: Connection, table: Table, rows: list[dict[str, Any]]
) -> Iterator[list[Any]]:
    """Each row's values, converted as SQLAlchemy would bind them (JSON as psycopg's Json)."""
    converters = [
        Json
        if isinstance(table.c[name].type, JSON)
        else table.c[name].type.bind_processor(connection.dialect)
        for name in rows[0]
    ]
    for row in rows:
        yield [
            value if convert is None or value is None else convert(value)
            for convert, value in zip(converters, row.values(), strict=True)
        ]


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
            for values in _converted(connection, table, rows):
                copy.write_row(values)
    except psycopg.Error as error:
        # Raised by the driver below SQLAlchemy: wrapped as SQLAlchemy wraps its own, so a
        # conflict or a lock timeout is answered as anywhere else (409, 503), not 500.
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from None

"""Inserting many rows of one table in as few statements as the database allows."""

from typing import Any

import psycopg
from psycopg.types.json import Json
from sqlalchemy import JSON, Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

# From this many rows, PostgreSQL is sent COPY (measured: about 2.5 times a multi-row INSERT's
# speed for an import's thousands of rows; for a handful, one INSERT is one round trip less).
COPY_FROM_ROWS = 200
# Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
MAX_PARAMETERS = 30_000


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys, every value given) into `table`."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        _copy(session, table, rows)
        return
    per_statement = max(1, MAX_PARAMETERS // len(rows[0]))
    for start in range(0, len(rows), per_statement):
        connection.execute(insert(table).values(rows[start : start + per_statement]))


def _copy(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY in the session's transaction, each value converted as SQLAlchemy binds it."""
    connection = session.connection()
    columns = [table.c[name] for name in rows[0]]
    converters = [
        Json if isinstance(column.type, JSON) else column.type.bind_processor(connection.dialect)
        for column in columns
    ]
    names = ", ".join(f'"{column.name}"' for column in columns)
    raw = connection.connection.dbapi_connection
    assert raw is not None
    statement = f"COPY {table.name} ({names}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if convert is None or value is None else convert(value)
                        for convert, value in zip(converters, row.values(), strict=True)
                    ]
                )
    except psycopg.Error as error:
        # Raised by the driver below SQLAlchemy: wrapped as SQLAlchemy wraps its own, so a
        # conflict or a lock timeout is answered as anywhere else (409, 503), not 500.
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from None

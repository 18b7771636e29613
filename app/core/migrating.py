"""Migrating once when several instances start at the same time.

Every `crsv-registry serve` migrates before it serves. Two instances started together on one
PostgreSQL database would both find the schema behind and both run the same revisions: one of
them fails half-way (a table or type that already exists) and its container restarts. A session
advisory lock on a fixed key makes the second wait for the first; it then finds the schema at head
and nothing to do. The lock belongs to a connection of its own, so PostgreSQL releases it if the
migrating process dies.

SQLite needs nothing: the embedded database is served by one process, which migrates it before
starting its worker.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

# Any fixed 64-bit number no other application on the same cluster uses: "crsvmigr" in ASCII.
MIGRATION_LOCK_KEY = int.from_bytes(b"crsvmigr", "big") - 2**63


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Hold the migration lock of `database_url`'s database (PostgreSQL) while the block runs."""
    if make_url(database_url).get_backend_name() != "postgresql":
        yield
        return
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            # A session lock outlives the transaction: end it so this connection holds no snapshot
            # or table lock while the migrations run on their own connection.
            connection.commit()
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
                connection.commit()
    finally:
        engine.dispose()

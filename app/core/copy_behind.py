"""COPY sent by a second thread, so that Python makes the next rows while PostgreSQL writes these.

An import makes its rows in Python and writes them with COPY, a part at a time. Written in turn,
each part's COPY keeps the request's thread waiting while PostgreSQL stores the last rows and
runs the foreign-key checks queued for every row: some 40% of an import's time, with one core
idle. Here the request's thread hands each part's COPY text to a writer thread and goes on
reading and checking the next rows, while PostgreSQL, in its own process, writes the part.

Both threads use the one connection, so every row is written in the request's transaction, in
the order given. psycopg lets one thread at a time use a connection (a COPY holds its lock from
start to end), so a query the request's thread makes meanwhile waits its turn. At most `depth`
parts wait to be written: memory stays bounded however long the file. `close` waits for every
part and raises the first error as the session would have raised it; `abandon`, on the way out
of a failed import, skips what waits and returns once the writer thread has stopped, so the
transaction is never rolled back under a COPY still running.
"""

import queue
import threading
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy.exc import DBAPIError


@dataclass(frozen=True)
class CopyPart:
    """One COPY: its statement, and its data as COPY text, or as rows for psycopg to write
    (a column of a type `copy_text` does not write)."""

    statement: str
    text: str | None
    rows: list[tuple[Any, ...]] | None = None


def send_copy(connection: psycopg.Connection[Any], part: CopyPart) -> None:
    """Run one COPY on `connection`, psycopg's errors wrapped as SQLAlchemy wraps its own (so a
    conflict or a lock timeout is answered as anywhere else: 409, 503, not 500)."""
    try:
        with connection.cursor() as cursor, cursor.copy(part.statement) as copy:
            if part.text is not None:
                copy.write(part.text)
            for row in part.rows or ():
                copy.write_row(row)
    except psycopg.Error as error:
        raise DBAPIError.instance(part.statement, None, error, psycopg.Error) from None


class CopyBehind:
    """A writer thread running COPY parts, in order, on the caller's connection."""

    def __init__(self, connection: psycopg.Connection[Any], depth: int = 1) -> None:
        self._connection = connection
        self._waiting: queue.Queue[list[CopyPart] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._abandoned = False
        self._thread = threading.Thread(target=self._write, name="copy-behind", daemon=True)
        self._thread.start()

    def send(self, parts: list[CopyPart]) -> None:
        """Queue these COPYs (waiting while `depth` parts wait); raise the writer's error if a
        part already failed (the transaction is then lost: nothing more is worth making)."""
        self._raise_failure()
        self._waiting.put(parts)

    def close(self) -> None:
        """Wait for every part to be written; raise the first error."""
        self._stop()
        self._raise_failure()

    def abandon(self) -> None:
        """Stop after the part being written, skipping those waiting; errors are dropped (the
        caller is already failing, and rolls back)."""
        self._abandoned = True
        self._stop()

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._waiting.put(None)
            self._thread.join()

    def _raise_failure(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            self._abandoned = True  # raised once; later parts are skipped
            raise error

    def _write(self) -> None:
        while (parts := self._waiting.get()) is not None:
            if self._abandoned or self._error is not None:
                continue  # drained, so a caller waiting to send is never left blocked
            try:
                for part in parts:
                    send_copy(self._connection, part)
            except BaseException as error:  # handed to the caller's thread, raised there
                self._error = error

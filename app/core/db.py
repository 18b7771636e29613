"""Engine construction and the per-request session that owns the transaction."""

import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    Uuid,
    any_,
    bindparam,
    create_engine,
    event,
    exc,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def build_engine(
    database_url: str,
    pool_size: int = 10,
    pool_timeout: float = 30,
    *,
    lock_timeout: float | None = None,
    statement_timeout: float | None = None,
) -> Engine:
    """`pool_size` connections, and a few more for work outside requests (the audit CLI...).

    On PostgreSQL, `lock_timeout` and `statement_timeout` (seconds) bound how long one statement
    may wait for a row lock or run: a request never waits for good behind another.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _build_sqlite_engine(database_url, url.database)
    engine = create_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=5,
        pool_timeout=pool_timeout,
        connect_args=_postgres_timeouts(url.query, lock_timeout, statement_timeout),
    )
    _ping_after_idle(engine)
    return engine


# A pooled connection unused for longer than this is checked with a round trip before a request
# gets it. Every checkout used to be checked (pool_pre_ping): a round trip per request, though
# under load a connection comes back within milliseconds. What the check is for stays covered:
# after PostgreSQL restarts while the service is quiet, the first request of each connection
# still gets a fresh one; a restart in the middle of busy traffic fails the requests then in
# flight either way, and SQLAlchemy then replaces every pooled connection at once.
IDLE_BEFORE_PING = 10.0


def _ping_after_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _note_idle(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool throws this connection away and checks out another (or a new one).
            raise exc.DisconnectionError() from error


def _postgres_timeouts(
    query: Mapping[str, Any], lock_timeout: float | None, statement_timeout: float | None
) -> dict[str, str]:
    """libpq `options` setting the timeouts at connection start (no extra round trip)."""
    settings = [
        f"-c {name}={round(seconds * 1000)}"
        for name, seconds in (
            ("lock_timeout", lock_timeout),
            ("statement_timeout", statement_timeout),
        )
        if seconds is not None
    ]
    if not settings:
        return {}
    given = query.get("options")  # options already in the URL are kept, ours come after
    return {"options": " ".join([*([str(given)] if given else []), *settings])}


def _build_sqlite_engine(database_url: str, path: str | None) -> Engine:
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # SQLite ignores foreign keys unless asked; WAL lets readers work during a write.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


def build_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error.

    Services only flush, so every row a request writes lands together or not at all. Async only
    so that opening the session, which touches no connection yet, costs no trip to the thread
    pool and back (measured: about a fifth more list pages a second); the commit or rollback, which
    talk to the database, run in a thread.
    """
    async with _request_session(request.app.state.session_factory) as session:
        yield session


async def get_read_session(request: Request) -> AsyncIterator[Session]:
    """The session statistics are read from: READ_DATABASE_URL's replica when set, else the
    primary's. A replica lags the primary (by well under a second when it keeps up), so nothing a
    user must read back right after writing it is read here: only figures."""
    async with _request_session(request.app.state.read_session_factory) as session:
        yield session


@asynccontextmanager
async def _request_session(factory: sessionmaker[Session]) -> AsyncIterator[Session]:
    """The request's session, rolled back when the request raised, else committed; closed.

    A context manager, not a generator iterated with `async for`: an exception thrown into the
    dependency at its `yield` leaves an `async for` without reaching the inner generator, which
    then stayed open (its transaction, locks and connection held) until garbage collection
    closed it, possibly after the response had gone, or never when its event loop had ended.
    """
    session: Session = factory()
    try:
        yield session
    except BaseException:
        await _end(_roll_back_and_close, session)
        raise
    await _end(_commit_and_close, session)


async def _end(finish: Callable[[Session], None], session: Session) -> None:
    if session.in_transaction():
        await _in_thread(finish, session)
    else:
        # Nothing begun, or already committed by the route on its own thread (`commit_early`):
        # no connection is held, so closing is no database work and needs no thread.
        session.close()


def commit_early(session: Session) -> None:
    """Commit the request's transaction now, from a sync route's own thread.

    For a route whose work is done: the commit that would follow the route then costs no trip
    to a thread and back. Anything read afterwards begins a new transaction, which the
    request's end commits as usual.
    """
    session.commit()


def _commit_and_close(session: Session) -> None:
    with session:
        session.commit()


def _roll_back_and_close(session: Session) -> None:
    with session:
        session.rollback()


async def _in_thread(finish: Callable[[Session], None], session: Session) -> None:
    # A limiter of its own, as FastAPI uses for the exit of sync dependencies: ending a request
    # must never wait for a thread-pool slot held by requests that are waiting for it to end.
    await to_thread.run_sync(finish, session, limiter=CapacityLimiter(1))


# scope="function": the transaction commits before the response leaves. By default FastAPI runs
# the code after `yield` once the response is sent, so a client could be told "created" and read
# the record back before it was committed, or a failed commit could follow a success response.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]


def dialect_insert(session: Session) -> Any:
    """The INSERT construct of the session's backend, for ON CONFLICT clauses both understand."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def ids_array_text(ids: Iterable[uuid.UUID]) -> str:
    """The ids as one PostgreSQL array literal (`'{id,id,...}'`), for a statement that reads it
    as `%(ids)s::uuid[]`: one text parameter, which psycopg sends as it is, where a list of
    UUIDs is dumped one by one."""
    return "{" + ",".join(map(str, ids)) + "}"


def among_ids(column: Any, dialect: str) -> ColumnElement[bool]:
    """`column` among the ids given as the `ids` parameter.

    On PostgreSQL one array parameter (`= ANY(:ids)`): the statement's text is the same for any
    number of ids, so it is compiled once and PostgreSQL can keep it prepared. SQLite has no
    arrays: an expanding IN, rendered anew for each number of ids.
    """
    if dialect == "postgresql":
        return column == any_(bindparam("ids", type_=postgresql.ARRAY(Uuid())))
    return column.in_(bindparam("ids", expanding=True))


def lock_for_change(session: Session, query: Select[Any]) -> None:
    """Hold the rows `query` selects to the end of the transaction, so that checks made after
    this see what is stored and nobody changes it before the commit.

    PostgreSQL locks the rows (FOR NO KEY UPDATE: foreign-key checks of other writes naming them
    do not wait). SQLite ignores FOR UPDATE, and its driver starts a transaction only at the
    first write, so a check that only read could pass in two requests at once, each then writing
    over the other. There, the database's one write lock is taken first, by a write that changes
    nothing: a second request waits on it until the first commits, then reads what it wrote."""
    hold_sqlite_write_lock(session)
    session.execute(query.with_for_update(key_share=True))


def hold_sqlite_write_lock(session: Session) -> None:
    """On SQLite, take the database's one write lock now, to the end of the transaction, by a
    write that changes nothing (any table would do; the audit chain's head is always there).
    Nothing on PostgreSQL, whose row locks are asked for where they are needed."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE audit_head SET id = id WHERE 0"))

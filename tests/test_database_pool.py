"""The pool checks a connection that sat idle before lending it, and only then: a connection that
PostgreSQL closed while the service was quiet is replaced, not handed to a request."""

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, exc, make_url, text

from app.core import db


@pytest.fixture
def engine(backend: str, database_url: str) -> Iterator[Engine]:
    if backend != "postgresql":
        pytest.skip("the idle check is for PostgreSQL's pooled connections")
    built = db.build_engine(database_url, pool_size=1)
    yield built
    built.dispose()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(database_url: str, pid: int) -> None:
    url = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_connection_closed_by_the_server_while_idle_is_replaced(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend_pid(engine)
    _terminate(database_url, first)
    monkeypatch.setattr(db, "IDLE_BEFORE_PING", 0.0)  # as if it had been idle for long

    assert _backend_pid(engine) != first


def test_a_connection_just_returned_is_lent_again_without_a_check(
    engine: Engine, database_url: str
) -> None:
    first = _backend_pid(engine)
    _terminate(database_url, first)

    # No round trip to check it: the closed connection is lent and its first statement fails.
    with pytest.raises(exc.OperationalError):
        _backend_pid(engine)
    assert _backend_pid(engine) != first  # and the pool then replaces it

"""Test harness: every test runs against SQLite and, when reachable, a real PostgreSQL.

Each run gets fresh databases built by the Alembic migrations (never by `create_all`), and every
test starts from empty tables. In CI (`CI` set) an unreachable PostgreSQL fails the run; on a
machine without it, the suite runs the SQLite leg and says so in its header and summary.

Speed: the suite must finish within CI's budget on a 2-core machine, so it spends nothing on what
no test observes. Test databases do not wait for the disk at each commit (PostgreSQL's
`synchronous_commit = off` on the databases the tests create, SQLite's `synchronous = NORMAL`):
a commit is as visible and as atomic, it is only not yet durable through a power cut, which no
test looks at. The production settings stay the defaults. Whatever a test needs started (a
database, an application, a server process), prefer a fixture that starts it once for a module
or the session and leaves it as it found it, over starting it again per test.
"""

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, make_url

from app.cli import migrate
from app.core.config import Settings
from app.core.crypto import generate_key
from app.counting import rollup
from app.main import create_app
from app.models import Base
from app.models.enums import Role
from tests.factories import MISSION, log_in, make_user

# Servers and commands the tests start (`crsv-registry serve`, `migrate`) run this checkout's code:
# the installed script would otherwise import the package from wherever it was installed.
CHECKOUT = str(Path(__file__).resolve().parents[1])
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [CHECKOUT, os.environ.get("PYTHONPATH")]))

POSTGRES_ADMIN_URL = os.environ.get(
    "CRSV_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _postgres_problem() -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


POSTGRES_PROBLEM = _postgres_problem()
TEST_ENCRYPTION_KEY = generate_key()
BACKENDS = ["sqlite"] if POSTGRES_PROBLEM else ["sqlite", "postgresql"]


def pytest_configure(config: pytest.Config) -> None:
    if POSTGRES_PROBLEM and os.environ.get("CI"):
        pytest.exit(
            f"PostgreSQL is required in CI but {POSTGRES_ADMIN_URL} is unreachable: "
            f"{POSTGRES_PROBLEM}",
            returncode=3,
        )
    config.addinivalue_line(
        "markers",
        "one_database(why): what the test checks does not depend on the database, so it runs on "
        "one (PostgreSQL where reachable): a browser's layout, a file refused before any statement",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("one_database")
    callspec = getattr(item, "callspec", None)
    if marker is None or callspec is None or len(BACKENDS) == 1:
        return
    if callspec.params.get("backend") != BACKENDS[-1]:
        pytest.skip(f"run on PostgreSQL only: {marker.args[0]}")


def _legs_line() -> str:
    if POSTGRES_PROBLEM:
        return (
            f"crsv-registry: PostgreSQL NOT reachable at {POSTGRES_ADMIN_URL} "
            f"({POSTGRES_PROBLEM}); "
            "ran the SQLite leg ONLY. PostgreSQL is the production database: start it and rerun."
        )
    return f"crsv-registry: ran every test on SQLite and on PostgreSQL ({POSTGRES_ADMIN_URL})."


def pytest_report_header() -> str:
    return _legs_line()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(_legs_line(), yellow=bool(POSTGRES_PROBLEM), bold=True)


@event.listens_for(Engine, "connect")
def _sqlite_commits_without_waiting_for_the_disk(dbapi_connection: object, _record: object) -> None:
    """In WAL mode, NORMAL syncs at checkpoints instead of at every commit (see the docstring)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def create_postgres_database(prefix: str = "crsv_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
        # Every session on it, the tests' and their servers': commits do not wait for the disk.
        connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """A new, empty database on `backend`, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'crsv-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The run's database on the backend under test, migrated to the latest revision."""
    with fresh_database(backend, tmp_path_factory.mktemp("db")) as url:
        migrate(url)
        yield url


def test_settings(database_url: str) -> Settings:
    # Cheap password hashing keeps hundreds of logins fast; production uses the defaults.
    return Settings(
        database_url=database_url,
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
        encryption_keys=TEST_ENCRYPTION_KEY,
    )


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[FastAPI]:
    application = create_app(test_settings(database_url))
    yield application
    application.state.engine.dispose()


# A lock held longer than this is a 503 for an `impatient_app`'s requests (and a test's wait).
IMPATIENT_LOCK_TIMEOUT = 0.5


@pytest.fixture
def impatient_app(backend: str, database_url: str) -> Iterator[FastAPI]:
    """The app with a lock timeout of half a second, for tests that hold a lock past it."""
    if backend != "postgresql":
        pytest.skip("lock_timeout is PostgreSQL's; SQLite has one writer and a busy timeout")
    settings = test_settings(database_url).model_copy(
        update={"database_lock_timeout": IMPATIENT_LOCK_TIMEOUT}
    )
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@contextmanager
def audit_triggers_off(connection: Connection) -> Iterator[None]:
    """Let a test (as a database owner could) change the append-only audit tables."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        yield
        return
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        " AND tbl_name IN ('audit_events', 'audit_head')"
    ).all()
    for name, _sql in triggers:
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    for _name, sql in triggers:
        connection.exec_driver_sql(sql)


def wipe(application: FastAPI) -> None:
    """Empty every table: it runs after every test."""
    # Duplicates point at other incidents of the same table: unhook them first.
    engine = application.state.engine
    quoted = engine.dialect.identifier_preparer.format_table
    statements = [
        "UPDATE incidents SET duplicate_of_id = NULL WHERE duplicate_of_id IS NOT NULL",
        *(f"DELETE FROM {quoted(table)}" for table in reversed(Base.metadata.sorted_tables)),
    ]
    with engine.begin() as connection, audit_triggers_off(connection):
        if engine.dialect.name == "postgresql":  # one round trip
            connection.exec_driver_sql(";\n".join(statements))
            return
        for statement in statements:  # SQLite runs one statement per call
            connection.exec_driver_sql(statement)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A protection adviser of the mission's human rights division, logged in."""
    with TestClient(app) as test_client:
        user = make_user(app, Role.PROTECTION_ADVISER, organisation=MISSION)
        test_client.headers["Authorization"] = f"Bearer {log_in(test_client, user)}"
        yield test_client
    assert_counts_kept(app)
    wipe(app)


def assert_counts_kept(application: FastAPI) -> None:
    """Whatever a test did through the API, the statistics' kept counts equal a recount."""
    with application.state.engine.connect() as connection:
        assert rollup.mismatches(connection) == []


@pytest.fixture
def client_for(app: FastAPI, client: TestClient) -> Callable[..., TestClient]:
    """Log in a new user with these roles, in this organisation (the mission's by default)."""

    def logged_in(*roles: Role, organisation: str = MISSION) -> TestClient:
        user = make_user(app, *roles, organisation=organisation)
        return TestClient(app, headers={"Authorization": f"Bearer {log_in(client, user)}"})

    return logged_in


@pytest.fixture
def anonymous(app: FastAPI, client: TestClient) -> TestClient:
    return TestClient(app)

"""Statistics read from a real PostgreSQL streaming replica (READ_DATABASE_URL).

Writes and what a user reads back right after writing go to the primary; the figures come from the
replica and so lag it. Replay is paused on the replica to make that lag as long as the test needs:
a figure that still moved would have been read from the primary.
"""

from collections.abc import Iterator
from contextlib import ExitStack

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text

from app.core.config import Settings
from app.main import create_app
from app.models.enums import Role
from tests.conftest import POSTGRES_ADMIN_URL, TEST_ENCRYPTION_KEY
from tests.factories import API, create_incident, log_in, make_user, stats
from tests.replica import ReplicaUnavailableError, streaming_replica, wait_until_replayed


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def replica_url(client: TestClient, database_url: str, backend: str) -> Iterator[str]:
    """The test database on a replica started for the test (after `client`: stopped first)."""
    if backend != "postgresql":
        pytest.skip("streaming replication is PostgreSQL's")
    with ExitStack() as stack:
        try:
            port = stack.enter_context(streaming_replica(POSTGRES_ADMIN_URL))
        except ReplicaUnavailableError as reason:
            pytest.skip(f"no streaming replica here: {reason}")
        yield make_url(database_url).set(port=port).render_as_string(hide_password=False)


@pytest.fixture
def reading_app(database_url: str, replica_url: str) -> Iterator[FastAPI]:
    settings = Settings(
        database_url=database_url,
        read_database_url=replica_url,
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
        encryption_keys=TEST_ENCRYPTION_KEY,
    )
    application = create_app(settings)
    yield application
    application.state.engine.dispose()
    application.state.read_engine.dispose()


def test_statistics_are_read_from_the_replica_and_writes_read_back_from_the_primary(
    app: FastAPI, client: TestClient, reading_app: FastAPI, database_url: str, replica_url: str
) -> None:
    create_incident(client)
    create_incident(client)
    wait_until_replayed(_libpq(database_url), _libpq(replica_url))
    with reading_app.state.read_session_factory() as session:
        assert session.scalar(text("SELECT pg_is_in_recovery()")) is True
    with reading_app.state.session_factory() as session:
        assert session.scalar(text("SELECT pg_is_in_recovery()")) is False

    with TestClient(reading_app) as reader:
        adviser = make_user(app, Role.PROTECTION_ADVISER, Role.REPORT_WRITER)
        reader.headers["Authorization"] = f"Bearer {log_in(reader, adviser)}"
        assert stats(reader, group_by="source")["total"]["incidents"] == 2

        with psycopg.connect(_libpq(replica_url), autocommit=True) as replica:
            replica.execute("SELECT pg_wal_replay_pause()")
            try:
                created = create_incident(reader)
                # Read back at once, from the primary: the list and the incident itself.
                listed = reader.get(f"{API}/incidents").json()["items"]
                assert created["id"] in {incident["id"] for incident in listed}
                assert reader.get(f"{API}/incidents/{created['id']}").status_code == 200
                # The figures come from the paused replica: not yet counted.
                assert stats(reader, group_by="source")["total"]["incidents"] == 2
            finally:
                replica.execute("SELECT pg_wal_replay_resume()")

        wait_until_replayed(_libpq(database_url), _libpq(replica_url))
        assert stats(reader, group_by="source")["total"]["incidents"] == 3

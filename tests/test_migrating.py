"""Instances started together on one PostgreSQL database migrate it once."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, make_url, text

from app.cli import alembic_config
from app.core.migrating import MIGRATION_LOCK_KEY
from tests.conftest import (
    POSTGRES_PROBLEM,
    TEST_ENCRYPTION_KEY,
    create_postgres_database,
    drop_postgres_database,
)

postgresql_only = pytest.mark.skipif(
    POSTGRES_PROBLEM is not None,
    reason="the migration lock is PostgreSQL's; the embedded SQLite file has one process",
)
CLI = str(Path(sys.executable).with_name("crsv-registry"))


def _start_migration(database_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY}
    return subprocess.Popen(
        [CLI, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _libpq(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def _versions(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return []
            return list(connection.scalars(text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


@postgresql_only
def test_two_migrations_started_at_once_both_succeed_and_reach_head_once() -> None:
    url = create_postgres_database()
    try:
        migrations = [_start_migration(url), _start_migration(url)]
        outputs = [migration.communicate(timeout=120)[0] for migration in migrations]
        assert [m.returncode for m in migrations] == [0, 0], outputs
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert _versions(url) == [head]
    finally:
        drop_postgres_database(url)


@postgresql_only
def test_a_migration_waits_while_another_holds_the_lock() -> None:
    url = create_postgres_database()
    try:
        with psycopg.connect(_libpq(url), autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
            migration = _start_migration(url)
            time.sleep(2)  # ample for a migration that did not wait to create its first table
            assert migration.poll() is None
            assert _versions(url) == []
            holder.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
            output = migration.communicate(timeout=120)[0]
        assert migration.returncode == 0, output
        assert len(_versions(url)) == 1
    finally:
        drop_postgres_database(url)


def test_serve_with_serve_migrates_false_refuses_a_database_not_at_head(tmp_path: Path) -> None:
    database = tmp_path / "empty.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SERVE_MIGRATES": "false"}
    finished = subprocess.run(
        [CLI, "serve", "--port", "9"], env=env, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode != 0
    assert "run `crsv-registry migrate` first" in finished.stderr
    assert _versions(f"sqlite:///{database}") == []

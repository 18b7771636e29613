"""The Alembic migrations and the ORM models describe exactly the same schema."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.cli import alembic_config, migrate
from app.models import Base
from tests.conftest import fresh_database


def _schema_diff(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _check_constraints(url: str) -> set[tuple[str, str | None]]:
    """(table, name) of every CHECK constraint: autogenerate does not compare these."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {
            (table, check["name"])
            for table in inspector.get_table_names()
            for check in inspector.get_check_constraints(table)
        }
    finally:
        engine.dispose()


def test_migrations_build_exactly_the_models_schema(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        migrate(url)
        assert _tables(url) == set(Base.metadata.tables)
        assert _schema_diff(url) == []


def test_migrations_create_the_same_check_constraints_as_the_models(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as migrated, fresh_database(backend, tmp_path) as direct:
        migrate(migrated)
        engine = create_engine(direct)
        Base.metadata.create_all(engine)
        engine.dispose()
        expected = _check_constraints(direct)
        assert ("victims", "ck_victims_age_range") in expected
        assert ("incidents", "ck_incidents_source") in expected
        assert _check_constraints(migrated) == expected


def test_migrations_downgrade_to_nothing_and_upgrade_again(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        migrate(url)
        command.downgrade(alembic_config(url), "base")
        assert _tables(url) == set()
        migrate(url)
        assert _schema_diff(url) == []

"""The Alembic migrations and the ORM models describe exactly the same schema."""

import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from app.cli import alembic_config, migrate
from app.core.config import get_settings
from app.core.crypto import FieldCipher
from app.counting import rollup
from app.models import Base
from tests.conftest import TEST_ENCRYPTION_KEY, fresh_database


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


def _insert_incident_at_first_revision(
    url: str, displacement_status: str = "idp", number: int = 1, precision: str = "day"
) -> None:
    """An incident with a victim, a perpetrator, a form of violence and a summary, as 0001 had."""
    engine = create_engine(url)
    ids = {name: uuid.uuid4() for name in ("incident", "victim", "perpetrator")}
    as_stored = (lambda u: u) if engine.dialect.name == "postgresql" else (lambda u: u.hex)
    values = {name: as_stored(value) for name, value in ids.items()}
    statements = [
        "INSERT INTO incidents (id, reference, occurred_on, date_precision, reported_on, country,"
        " source, verification_status, summary, created_at, updated_at, version) VALUES"
        f" (:incident, 'ML-2019-{number:06d}', '2019-03-01', '{precision}', '2019-03-02', 'ML',"
        " 'gbvims',"
        " 'reported', 'Met at the health centre', '2019-03-02T10:00:00+00:00',"
        " '2019-03-02T10:00:00+00:00', 1)",
        "INSERT INTO incident_violations (incident_id, violation) VALUES (:incident, 'rape')",
        "INSERT INTO victims (id, incident_id, position, sex, age, age_group, category,"
        " displacement_status, disability) VALUES (:victim, :incident, 0, 'female', 16, '12-17',"
        f" 'girl', '{displacement_status}', 'no')",
        "INSERT INTO perpetrators (id, incident_id, position, category) VALUES"
        " (:perpetrator, :incident, 0, 'non_state_armed_group')",
    ]
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement), values)
    finally:
        engine.dispose()


def test_upgrading_keeps_every_stored_row(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENCRYPTION_KEYS", TEST_ENCRYPTION_KEY)
    get_settings.cache_clear()
    with fresh_database(backend, tmp_path) as url:
        command.upgrade(alembic_config(url), "0001")
        _insert_incident_at_first_revision(url)
        migrate(url)
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                counts = {
                    table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                    for table in ("incidents", "incident_violations", "victims", "perpetrators")
                }
                ciphertext = connection.execute(
                    text("SELECT ciphertext FROM incident_narratives")
                ).scalar_one()
                victim_counts = connection.execute(
                    text("SELECT victim_count, shared_victim_count FROM incidents")
                ).one()
                kept = connection.execute(
                    text("SELECT facet, incidents FROM stat_counts ORDER BY facet")
                ).all()
                kept_mismatches = rollup.mismatches(connection)
        finally:
            engine.dispose()
    get_settings.cache_clear()
    assert counts == {"incidents": 1, "incident_violations": 1, "victims": 1, "perpetrators": 1}
    assert tuple(victim_counts) == (1, 0)  # backfilled; no consent was recorded then
    # The statistics' kept counts are filled from the stored incidents, as a recount gives.
    assert [tuple(row) for row in kept] == [
        ("incident", 1),
        ("perpetrator_category", 1),
        ("victim_category", 1),
        ("violation", 1),
    ]
    assert kept_mismatches == []
    assert b"health centre" not in bytes(ciphertext)
    summary = FieldCipher([TEST_ENCRYPTION_KEY]).decrypt_json(bytes(ciphertext))["summary"]
    assert summary == "Met at the health centre"


def test_upgrading_keeps_references_and_gives_organisations_codes(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        command.upgrade(alembic_config(url), "0012")
        engine = create_engine(url)
        as_stored = (lambda u: u) if engine.dialect.name == "postgresql" else (lambda u: u.hex)
        organisations = {name: uuid.uuid4() for name in ("Mission human rights", "Mopti health")}
        try:
            with engine.begin() as connection:
                for name, organisation_id in organisations.items():
                    connection.execute(
                        text(
                            "INSERT INTO organisations (id, name, kind, created_at) VALUES"
                            " (:id, :name, 'ngo', '2026-01-01T00:00:00+00:00')"
                        ),
                        {"id": as_stored(organisation_id), "name": name},
                    )
                connection.execute(
                    text(
                        "INSERT INTO incidents (id, reference, occurred_on, date_precision,"
                        " reported_on, country, source, verification_status, organisation_id,"
                        " created_at, updated_at, version) VALUES (:id, 'ML-2019-000003',"
                        " '2019-03-01', 'day', '2019-03-02', 'ML', 'gbvims', 'reported', :org,"
                        " '2019-03-02T10:00:00+00:00', '2019-03-02T10:00:00+00:00', 1)"
                    ),
                    {
                        "id": as_stored(uuid.uuid4()),
                        "org": as_stored(organisations["Mopti health"]),
                    },
                )
            migrate(url)
            with engine.connect() as connection:
                codes = connection.execute(
                    text("SELECT name, reference_code FROM organisations ORDER BY name")
                ).all()
                reference = connection.execute(text("SELECT reference FROM incidents")).scalar_one()
        finally:
            engine.dispose()
    assert [tuple(row) for row in codes] == [
        ("Mission human rights", "MHR"),
        ("Mopti health", "MH"),
    ]
    assert reference == "ML-2019-000003"


# (incident reference, status now, its decisions as (from, to, decided at)), verified_on expected
VERIFICATION_HISTORIES = [
    (
        "ML-2019-J-1",
        "verified",
        [
            (None, "reported", "2019-07-02T08:00:00+00:00"),
            ("reported", "pending_verification", "2019-07-03T08:00:00+00:00"),
            ("pending_verification", "verified", "2019-10-01T09:30:00+00:00"),
        ],
        "2019-10-01",
    ),
    ("ML-2019-J-2", "verified", [(None, "verified", "2019-08-01T08:00:00+00:00")], None),
    (
        "ML-2019-J-3",
        "pending_verification",
        [
            ("pending_verification", "verified", "2019-08-01T08:00:00+00:00"),
            ("verified", "pending_verification", "2019-08-05T08:00:00+00:00"),
        ],
        None,
    ),
    ("ML-2019-J-4", "verified", [], None),
]


def test_upgrading_dates_verifications_from_their_decisions_where_they_tell(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        command.upgrade(alembic_config(url), "h01")
        engine = create_engine(url)
        as_stored = (lambda u: u) if engine.dialect.name == "postgresql" else (lambda u: u.hex)
        organisation_id = as_stored(uuid.uuid4())
        try:
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO organisations (id, name, kind, reference_code, created_at)"
                        " VALUES (:id, 'Mission', 'ngo', 'MHR', '2019-01-01T00:00:00+00:00')"
                    ),
                    {"id": organisation_id},
                )
                for reference, status, decisions, _expected in VERIFICATION_HISTORIES:
                    incident_id = as_stored(uuid.uuid4())
                    connection.execute(
                        text(
                            "INSERT INTO incidents (id, reference, occurred_on, date_precision,"
                            " reported_on, country, source, verification_status,"
                            " organisation_id, record_key, created_at, updated_at, version)"
                            " VALUES (:id, :reference, '2019-06-20', 'day', '2019-06-25', 'ML',"
                            " 'gbvims', :status, :org, 7, '2019-07-02T08:00:00+00:00',"
                            " '2019-07-02T08:00:00+00:00', 1)"
                        ),
                        {
                            "id": incident_id,
                            "reference": reference,
                            "status": status,
                            "org": organisation_id,
                        },
                    )
                    for from_status, to_status, decided_at in decisions:
                        connection.execute(
                            text(
                                "INSERT INTO verification_events (id, incident_id, from_status,"
                                " to_status, sources, decided_at) VALUES (:id, :incident,"
                                " :from_status, :to_status, '[]', :decided_at)"
                            ),
                            {
                                "id": as_stored(uuid.uuid4()),
                                "incident": incident_id,
                                "from_status": from_status,
                                "to_status": to_status,
                                "decided_at": decided_at,
                            },
                        )
            migrate(url)
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT reference, verified_on, version FROM incidents")
                ).all()
        finally:
            engine.dispose()
    found = {reference: (str(day) if day else None, version) for reference, day, version in rows}
    assert found == {
        reference: (expected, 1) for reference, _s, _d, expected in VERIFICATION_HISTORIES
    }


def test_a_victim_of_the_host_community_becomes_a_resident_and_delays_are_derived(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENCRYPTION_KEYS", TEST_ENCRYPTION_KEY)
    get_settings.cache_clear()
    with fresh_database(backend, tmp_path) as url:
        command.upgrade(alembic_config(url), "0001")
        _insert_incident_at_first_revision(url, displacement_status="host_community")
        _insert_incident_at_first_revision(url, number=2, precision="month")
        migrate(url)
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                statuses = (
                    connection.execute(
                        text("SELECT displacement_status FROM victims ORDER BY displacement_status")
                    )
                    .scalars()
                    .all()
                )
                delays = connection.execute(
                    text("SELECT reference, reporting_delay FROM incidents ORDER BY reference")
                ).all()
                kept_mismatches = rollup.mismatches(connection)
        finally:
            engine.dispose()
    get_settings.cache_clear()
    assert list(statuses) == ["idp", "resident"]  # every victim kept; host community mapped
    # Reported a day after the incident; the other known only to the month: never guessed.
    assert [tuple(row) for row in delays] == [
        ("ML-2019-000001", "0_3_days"),
        ("ML-2019-000002", None),
    ]
    assert kept_mismatches == []

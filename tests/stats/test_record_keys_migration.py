"""The migration that adds record keys: existing incidents and victims get random keys, and the
kept counts get the key sums a recount gives."""

from pathlib import Path

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.cli import alembic_config, migrate
from app.counting import rollup
from app.main import create_app
from app.models.enums import Role
from tests.conftest import fresh_database
from tests.conftest import test_settings as settings_for
from tests.factories import MISSION, create_incident, log_in, make_user

CONSENTING = {"sex": "female", "age": 30, "consent": {"statistics": True}}


def test_stored_records_get_random_keys_and_the_kept_counts_their_sums(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as url:
        migrate(url)
        app = create_app(settings_for(url))
        with TestClient(app) as client:
            adviser = make_user(app, Role.PROTECTION_ADVISER, organisation=MISSION)
            client.headers["Authorization"] = f"Bearer {log_in(client, adviser)}"
            for region in ("Gao", "Mopti") * 15:
                create_incident(client, admin1=region, victims=[CONSENTING, CONSENTING])
        command.downgrade(alembic_config(url), "d01")  # as stored before record keys
        migrate(url)
        try:
            with app.state.engine.connect() as connection:
                incident_keys = connection.execute(text("SELECT record_key FROM incidents"))
                victim_keys = connection.execute(text("SELECT record_key FROM victims"))
                keys = [row[0] for row in (*incident_keys, *victim_keys)]
                kept_sums = connection.execute(
                    text(
                        "SELECT sum(shareable_incident_keys), sum(shared_victim_keys) "
                        "FROM stat_counts WHERE facet = 'incident'"
                    )
                ).one()
                victims_sums = connection.execute(
                    text("SELECT sum(shared_victim_keys) FROM incidents")
                ).scalar_one()
                victim_key_total = connection.execute(
                    text("SELECT sum(record_key) FROM victims")
                ).scalar_one()
                mismatches = rollup.mismatches(connection)
        finally:
            app.state.engine.dispose()
    assert len(keys) == 90 and all(0 <= key < 256 for key in keys)
    assert len(set(keys)) > 30  # drawn for each row, not one value for all
    assert victims_sums == victim_key_total == kept_sums[1]  # every victim consented
    assert kept_sums[0] > 0
    assert mismatches == []

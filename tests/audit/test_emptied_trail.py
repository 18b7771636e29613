"""An emptied audit trail does not verify as intact, even without a kept head.

Issue 12 §4: with the triggers off (as a superuser may), deleting every event and the head left
a chain of no events, which needs no key: `audit verify` said "intact: 0 events" on a database
holding accounts and incidents, each created with an event. Verification now fails when the
trail is empty but such records exist; `--against` a kept head still catches everything else.
"""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete

from app.audit.chain import verify_chain
from app.models import AuditEvent, AuditHead
from tests.conftest import audit_triggers_off
from tests.factories import create_incident


def test_an_emptied_trail_of_a_database_with_records_is_not_intact(
    app: FastAPI, client: TestClient
) -> None:
    create_incident(client)
    with app.state.engine.begin() as connection, audit_triggers_off(connection):
        connection.execute(delete(AuditEvent))
        connection.execute(delete(AuditHead))
    with app.state.session_factory() as session:
        report = verify_chain(session, app.state.audit_key, None)
    assert not report.intact, report

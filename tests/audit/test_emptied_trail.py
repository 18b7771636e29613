"""Red team: an emptied audit trail still verifies as intact without a kept head.

Issue 12 §4 reproduced: `TRUNCATE audit_events` with `audit_head` cleared, and `audit verify`
reports "intact: 0 events". With the triggers off (as a superuser may), that is still so: the
chain is keyed, but a chain of no events needs no key, and verify exits 0 on a database that
holds accounts and incidents, each of which was created with an event. Only `--against` a head
kept elsewhere catches it; an operator who has not kept one yet is told all is well.
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
    # Today: intact, 0 events checked.
    assert not report.intact, report

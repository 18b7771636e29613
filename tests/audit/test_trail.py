"""The audit trail: what is recorded, who may read it, and that tampering is detected."""

import os
import subprocess
import sys

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from app.audit.chain import verify_chain
from app.models import AuditEvent
from app.models.enums import Role
from tests.conftest import TEST_ENCRYPTION_KEY, audit_triggers_off
from tests.factories import API, create_incident, patch_incident, verify


def _events(client: TestClient, **params: object) -> list[dict]:
    response = client.get(f"{API}/audit", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_changes_are_recorded_with_field_names_but_never_values(
    client: TestClient, client_for
) -> None:
    created = create_incident(client, summary="Survivor met at the Sévaré health centre")
    incident = f"{API}/incidents/{created['id']}"
    patch_incident(client, created, summary="Moved to Mopti", admin2="Djenné")
    assert verify(client, created, "pending_verification").status_code == 200
    client.delete(incident, params={"reason": "duplicate"})

    auditor = client_for(Role.ADMIN)
    events = _events(auditor, record_id=created["id"])
    assert [e["action"] for e in reversed(events)] == [
        "incident.create",
        "identity.update",  # the summary, stored encrypted
        "identity.update",
        "incident.update",
        "incident.verification",
        "incident.archive",
    ]
    update_event = next(e for e in events if e["action"] == "incident.update")
    assert update_event["fields"] == ["admin2", "summary"]
    verification = next(e for e in events if e["action"] == "incident.verification")
    assert verification["details"] == {"from": "reported", "to": "pending_verification"}
    assert all(e["actor_username"].startswith("protection-adviser") for e in events)
    everything = auditor.get(f"{API}/audit", params={"limit": 200}).text
    assert "Sévaré" not in everything and "Moved to Mopti" not in everything


def test_audit_filters_by_user_and_action_and_pages(client: TestClient, client_for) -> None:
    for _ in range(3):
        create_incident(client)
    me = client.get(f"{API}/auth/me").json()
    auditor = client_for(Role.ADMIN)
    mine = _events(auditor, user_id=me["user_id"], action="incident.create", limit=2)
    assert len(mine) == 2
    page = auditor.get(f"{API}/audit", params={"action": "incident.create", "limit": 2}).json()
    rest = _events(auditor, action="incident.create", cursor=page["next_cursor"])
    assert len(page["items"]) + len(rest) == 3


def test_chain_is_intact_after_normal_use(app: FastAPI, client: TestClient) -> None:
    for _ in range(3):
        create_incident(client)
    with app.state.session_factory() as session:
        report = verify_chain(session, app.state.audit_key)
    assert report.intact and report.events_checked >= 5  # users, logins and incidents


def _tamper(app: FastAPI, statement) -> None:  # type: ignore[no-untyped-def]
    with app.state.engine.begin() as connection, audit_triggers_off(connection):
        connection.execute(statement)


def test_the_database_refuses_to_change_or_delete_audit_events(
    app: FastAPI, client: TestClient
) -> None:
    create_incident(client)
    first = _event_ids(app)[0]
    for statement in (
        update(AuditEvent).where(AuditEvent.id == first).values(action="x"),
        delete(AuditEvent).where(AuditEvent.id == first),
    ):
        with pytest.raises(DBAPIError, match="append-only"), app.state.engine.begin() as conn:
            conn.execute(statement)
    with app.state.session_factory() as session:
        assert verify_chain(session, app.state.audit_key).intact


def _event_ids(app: FastAPI) -> list[int]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def test_altered_event_is_reported_as_the_first_broken_link(
    app: FastAPI, client: TestClient
) -> None:
    create_incident(client)
    create_incident(client)
    ids = _event_ids(app)
    _tamper(app, update(AuditEvent).where(AuditEvent.id == ids[2]).values(fields=["nothing"]))
    with app.state.session_factory() as session:
        report = verify_chain(session, app.state.audit_key)
    assert (report.broken_at, report.events_checked) == (ids[2], 2)
    assert report.reason == "this event was altered"


def test_deleted_event_breaks_the_link_of_the_next(app: FastAPI, client: TestClient) -> None:
    create_incident(client)
    create_incident(client)
    ids = _event_ids(app)
    _tamper(app, delete(AuditEvent).where(AuditEvent.id == ids[1]))
    with app.state.session_factory() as session:
        report = verify_chain(session, app.state.audit_key)
    assert report.broken_at == ids[2]
    assert report.reason == "an earlier event was altered or deleted"


def test_deleting_the_latest_events_is_detected_too(app: FastAPI, client: TestClient) -> None:
    create_incident(client)
    last = max(_event_ids(app))
    _tamper(app, delete(AuditEvent).where(AuditEvent.id == last))
    with app.state.session_factory() as session:
        report = verify_chain(session, app.state.audit_key)
        remaining = session.scalar(select(func.count()).select_from(AuditEvent))
    assert not report.intact and report.events_checked == remaining
    assert report.reason == "the latest events were deleted"


def test_audit_verify_command_exits_non_zero_on_a_broken_chain(
    app: FastAPI, client: TestClient, database_url: str
) -> None:
    create_incident(client)
    command = [sys.executable, "-m", "app.cli", "audit", "verify"]
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
    }
    intact = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    assert intact.returncode == 0 and "intact" in intact.stdout, intact.stderr

    target = _event_ids(app)[1]
    _tamper(app, update(AuditEvent).where(AuditEvent.id == target).values(action="tampered"))
    broken = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    assert broken.returncode == 1
    assert f"BROKEN at event {target}" in broken.stderr

"""Rewriting the audit trail as a database owner or superuser would, and being caught.

Every scenario runs with the triggers off (`audit_triggers_off`, as a superuser could) unless it
tests the triggers themselves. The attacker never holds the audit key: it lives outside the
database.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from app.audit.chain import (
    GENESIS_HASH,
    ChainReport,
    SignedHead,
    event_hash,
    plain_event_hash,
    verify_chain,
)
from app.audit.service import key_the_chain
from app.models import AuditEvent, AuditHead
from tests.conftest import TEST_ENCRYPTION_KEY, audit_triggers_off
from tests.factories import create_incident


def _verify(app: FastAPI, against: SignedHead | None = None) -> ChainReport:
    with app.state.session_factory() as session:
        return verify_chain(session, app.state.audit_key, against)


def _signed_head(app: FastAPI) -> SignedHead:
    report = _verify(app)
    assert report.intact and report.head is not None, report
    return report.head


def _events(app: FastAPI) -> list[AuditEvent]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _rewrite(app: FastAPI, events: list[AuditEvent], rehash) -> None:  # type: ignore[no-untyped-def]
    """Store `events` as the whole chain, relinked with `rehash`, and point the head at the end."""
    with app.state.engine.begin() as connection, audit_triggers_off(connection):
        connection.execute(delete(AuditEvent))
        previous = GENESIS_HASH
        for event in events:
            event.prev_hash = previous
            event.hash = previous = rehash(event)
            values = {column.key: getattr(event, column.key) for column in AuditEvent.__table__.c}
            connection.execute(AuditEvent.__table__.insert().values(**values))
        connection.execute(
            update(AuditHead).values(
                last_event_id=events[-1].id if events else None, last_hash=previous
            )
        )


def test_deleting_the_last_events_and_moving_the_head_back_fails_against_a_kept_head(
    app: FastAPI, client: TestClient
) -> None:
    create_incident(client)
    kept = _signed_head(app)
    create_incident(client)
    survivors = [event for event in _events(app) if event.id < kept.event_id - 1]
    with app.state.engine.begin() as connection, audit_triggers_off(connection):
        connection.execute(delete(AuditEvent).where(AuditEvent.id > survivors[-1].id))
        connection.execute(
            update(AuditHead).values(last_event_id=survivors[-1].id, last_hash=survivors[-1].hash)
        )
    # A shorter chain is still a chain: only the head kept elsewhere shows what went.
    assert _verify(app).intact
    report = _verify(app, kept)
    assert not report.intact and report.broken_at == kept.event_id
    assert "events were deleted" in (report.reason or "")


def test_new_events_after_a_deletion_do_not_hide_it_from_a_kept_head(
    app: FastAPI, client: TestClient
) -> None:
    create_incident(client)
    kept = _signed_head(app)
    last_kept = _events(app)[-2]
    with app.state.engine.begin() as connection, audit_triggers_off(connection):
        connection.execute(delete(AuditEvent).where(AuditEvent.id > last_kept.id))
        connection.execute(
            update(AuditHead).values(last_event_id=last_kept.id, last_hash=last_kept.hash)
        )
    # The service carries on from the moved head; on SQLite the kept event's id is even reused.
    create_incident(client)
    assert max(event.id for event in _events(app)) >= kept.event_id
    assert _verify(app).intact
    assert not _verify(app, kept).intact


def test_rewriting_one_event_and_rehashing_the_rest_is_caught(
    app: FastAPI, client: TestClient
) -> None:
    create_incident(client)
    create_incident(client)
    events = _events(app)
    target = events[2]
    target.action = "incident.read"
    untouched = {event.id for event in events[:2]}

    def rehash(event: AuditEvent) -> str:
        # Without the key the attacker can only use plain SHA-256 (as before the chain was keyed).
        return event.hash if event.id in untouched else plain_event_hash(event)

    _rewrite(app, events, rehash)
    report = _verify(app)
    assert (report.broken_at, report.reason) == (target.id, "this event was altered")

    _rewrite(app, events, plain_event_hash)  # every event rehashed, from the first
    report = _verify(app)
    assert not report.intact
    assert "no event is sealed with the audit key" in (report.reason or "")


def test_rehashing_under_any_other_key_is_caught(app: FastAPI, client: TestClient) -> None:
    create_incident(client)
    events = _events(app)
    events[-1].fields = ["nothing"]
    _rewrite(app, events, lambda event: event_hash(b"a guessed key", event))
    assert not _verify(app).intact


def test_a_plain_event_appended_after_keyed_ones_is_caught(
    app: FastAPI, client: TestClient
) -> None:
    create_incident(client)
    events = _events(app)
    forged = AuditEvent(**{c.key: getattr(events[-1], c.key) for c in AuditEvent.__table__.c})
    forged.id, forged.action = events[-1].id + 1, "auth.logout"
    _rewrite(
        app,
        [*events, forged],
        lambda e: plain_event_hash(e) if e is forged else event_hash(app.state.audit_key, e),
    )
    report = _verify(app)
    assert (report.broken_at, report.reason) == (forged.id, "this event was altered")


def test_the_database_refuses_truncate_and_moving_or_deleting_the_head(
    app: FastAPI, client: TestClient
) -> None:
    create_incident(client)
    events = _events(app)
    head_back = update(AuditHead).values(last_event_id=events[0].id, last_hash=events[0].hash)
    head_to_nothing = update(AuditHead).values(last_event_id=None, last_hash=GENESIS_HASH)
    head_sideways = update(AuditHead).values(last_event_id=events[-1].id, last_hash="f" * 64)
    if app.state.engine.dialect.name == "postgresql":
        emptying = [text("TRUNCATE audit_events"), text("TRUNCATE audit_head")]
    else:  # SQLite has no TRUNCATE; DELETE without WHERE runs the row triggers
        emptying = [text("DELETE FROM audit_events")]
    for statement in (head_back, head_to_nothing, head_sideways, delete(AuditHead), *emptying):
        with (
            pytest.raises(DBAPIError, match=r"moves forward|truncated|append-only"),
            app.state.engine.begin() as connection,
        ):
            connection.execute(statement)
    assert _verify(app).intact and _verify(app).events_checked == len(events)


def test_emptying_the_trail_as_a_superuser_fails_against_a_kept_head(
    app: FastAPI, client: TestClient
) -> None:
    create_incident(client)
    kept = _signed_head(app)
    with app.state.engine.begin() as connection, audit_triggers_off(connection):
        connection.execute(delete(AuditEvent))
        connection.execute(delete(AuditHead))
    report = _verify(app, kept)
    assert not report.intact and report.events_checked == 0
    assert "events were deleted" in (report.reason or "")


def test_a_kept_head_that_was_edited_is_refused(app: FastAPI, client: TestClient) -> None:
    create_incident(client)
    kept = _signed_head(app)
    edited = SignedHead(kept.event_id - 1, kept.events - 1, kept.hash, kept.at, kept.hmac)
    report = _verify(app, edited)
    assert report.reason == "the head given was not signed with this audit key"


def test_a_chain_written_before_the_key_is_sealed_once_and_stays_protected(
    app: FastAPI, client: TestClient
) -> None:
    create_incident(client)
    events = _events(app)
    _rewrite(app, events, plain_event_hash)  # the chain as an older version wrote it
    assert "no event is sealed with the audit key" in (_verify(app).reason or "")
    with app.state.session_factory.begin() as session:
        assert key_the_chain(session, app.state.audit_key)
    with app.state.session_factory.begin() as session:
        assert not key_the_chain(session, app.state.audit_key)  # once
    assert _verify(app).intact
    # Changing an old, unkeyed event and rehashing the old part breaks the first keyed link.
    old = _events(app)
    old[1].action = "incident.read"
    plain, keyed = old[: len(events)], old[len(events) :]
    _rewrite(app, plain, plain_event_hash)
    with app.state.engine.begin() as connection, audit_triggers_off(connection):
        for event in keyed:
            values = {column.key: getattr(event, column.key) for column in AuditEvent.__table__.c}
            connection.execute(AuditEvent.__table__.insert().values(**values))
        connection.execute(
            update(AuditHead).values(last_event_id=keyed[-1].id, last_hash=keyed[-1].hash)
        )
    report = _verify(app)
    assert (report.broken_at, report.reason) == (
        keyed[0].id,
        "an earlier event was altered or deleted",
    )


def _cli(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
    }
    command = [sys.executable, "-m", "app.cli", "audit", *arguments]
    return subprocess.run(command, capture_output=True, text=True, env=environment, check=False)


def test_audit_head_prints_a_signed_head_that_verify_checks_against(
    app: FastAPI, client: TestClient, database_url: str, tmp_path: Path
) -> None:
    create_incident(client)
    printed = _cli(database_url, "head")
    assert printed.returncode == 0, printed.stderr
    head = SignedHead.from_json(printed.stdout)
    assert head.is_signed_by(app.state.audit_key) and head.events == len(_events(app))
    kept = tmp_path / "head.json"
    kept.write_text(printed.stdout)
    create_incident(client)
    checked = _cli(database_url, "verify", "--against", str(kept))
    assert checked.returncode == 0 and "holds the head kept" in checked.stdout, checked.stderr

    last = _events(app)[head.events - 2]
    with app.state.engine.begin() as connection, audit_triggers_off(connection):
        connection.execute(delete(AuditEvent).where(AuditEvent.id > last.id))
        connection.execute(update(AuditHead).values(last_event_id=last.id, last_hash=last.hash))
    assert _cli(database_url, "verify").returncode == 0  # nothing inside shows it...
    broken = _cli(database_url, "verify", "--against", str(kept))
    assert broken.returncode == 1 and "events were deleted" in broken.stderr  # ...the head does

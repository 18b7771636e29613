"""Sealing events while another transaction is sealing its own: each chains to the latest head."""

import threading
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from app.audit.chain import HEAD_ID, verify_chain
from app.audit.service import record
from app.models import AuditHead
from tests.factories import API, create_incident

WAIT_SECONDS = 60  # only against a hang: the request is not timed


def _may_wait_for_the_head(statement: str) -> bool:
    """The statement of a seal that waits for another writer: the head locked (PostgreSQL), or
    the first write (SQLite, one writer at a time)."""
    text = " ".join(statement.split()).upper()
    return ("AUDIT_HEAD" in text and "FOR UPDATE" in text) or text.startswith(
        ("INSERT INTO AUDIT_EVENTS", "UPDATE AUDIT_HEAD")
    )


def _hold_the_head(session: Session) -> None:
    """As a transaction sealing its events holds the head, to its commit: the row locked
    (PostgreSQL), or the one write lock (SQLite), taken by a write that changes nothing."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE audit_head SET id = id WHERE 0"))
    else:
        session.execute(select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update())


def test_a_read_sealed_while_a_write_seals_chains_to_the_latest_head(
    app: FastAPI, client: TestClient
) -> None:
    """A read's only write is its audit event (`identity.read`): it must not chain to a head it
    read before the other transaction, which held the database, committed its events."""
    incident = create_incident(client, victims=[{"sex": "female", "identity": {"name": "A."}}])
    identity = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}/identity"
    main = threading.get_ident()
    waiting = threading.Event()

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.get_ident() != main and _may_wait_for_the_head(statement):
            waiting.set()

    holder = app.state.session_factory()
    _hold_the_head(holder)
    record(holder, "test.concurrent_write", actor=None)
    answers: list[int] = []
    reader = threading.Thread(target=lambda: answers.append(client.get(identity).status_code))
    event.listen(app.state.engine, "before_cursor_execute", note)
    try:
        reader.start()
        assert waiting.wait(WAIT_SECONDS), "the read never reached its seal"
        holder.commit()  # seals the holder's event, then lets the read seal its own
        reader.join(WAIT_SECONDS)
    finally:
        event.remove(app.state.engine, "before_cursor_execute", note)
        holder.close()
    assert answers == [200]
    with app.state.session_factory() as session:
        report = verify_chain(session, app.state.audit_key)
    assert report.intact, report

"""Two duplicate links sent at once, each the other's reverse: one is kept, the other refused,
never a loop that would leave the event out of every count."""

import threading
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from app.models import Incident
from tests.factories import API, create_incident

WAIT_SECONDS = 60  # only against a hang: no request is timed


def _hold(session: Session, ids: list[str]) -> None:
    """Another writer holding both incidents: their rows locked (PostgreSQL), or the one write
    lock (SQLite), taken by a write that changes nothing."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE incidents SET id = id WHERE 0"))
    else:
        session.execute(select(Incident.id).where(Incident.id.in_(ids)).with_for_update())


def _waits_for_the_holder(statement: str) -> bool:
    """A statement that waits while another writer holds the incidents: a write, or a lock."""
    text_ = " ".join(statement.split()).upper()
    return text_.startswith(("INSERT", "UPDATE", "DELETE")) or "FOR UPDATE" in text_


def test_reverse_links_sent_at_once_never_make_a_loop(app: FastAPI, client: TestClient) -> None:
    first, second = create_incident(client), create_incident(client)
    main = threading.get_ident()
    arrived: set[int] = set()
    both_waiting = threading.Event()

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.get_ident() != main and _waits_for_the_holder(statement):
            arrived.add(threading.get_ident())
            if len(arrived) == 2:
                both_waiting.set()

    def link(duplicate: dict[str, Any], canonical: dict[str, Any]) -> int:
        path = f"{API}/incidents/{duplicate['id']}/duplicate-of/{canonical['id']}"
        return client.post(path, json={"reason": "same event"}).status_code

    statuses: list[int] = []
    holder = app.state.session_factory()
    _hold(holder, [first["id"], second["id"]])
    links = [
        threading.Thread(target=lambda: statuses.append(link(first, second))),
        threading.Thread(target=lambda: statuses.append(link(second, first))),
    ]
    event.listen(app.state.engine, "before_cursor_execute", note)
    try:
        for thread in links:
            thread.start()
        # Both have read the two incidents and wait to write: each saw the other unlinked.
        assert both_waiting.wait(WAIT_SECONDS), "the links never reached their writes"
        holder.rollback()
        for thread in links:
            thread.join(WAIT_SECONDS)
    finally:
        event.remove(app.state.engine, "before_cursor_execute", note)
        holder.close()
    assert sorted(statuses) == [200, 409]
    one, other = (client.get(f"{API}/incidents/{i['id']}").json() for i in (first, second))
    links_made = {(one["id"], one["duplicate_of_id"]), (other["id"], other["duplicate_of_id"])}
    # One report points to the other, which stays canonical (and counted).
    assert links_made in (
        {(one["id"], other["id"]), (other["id"], None)},
        {(one["id"], None), (other["id"], one["id"])},
    )

"""Recording audit events, chaining them at commit, and verifying the chain.

Services call `record()` during a request; the events are written, chained, in the same
transaction as the change they describe, just before it commits (`seal`, a session hook). Holding
the chain's head row only for that moment keeps concurrent writers from waiting long on each other.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import GENESIS_HASH, HEAD_ID, is_keyed, row_hash
from app.core.auth import Principal
from app.core.bulk_insert import insert_rows
from app.core.db import hold_sqlite_write_lock
from app.models import AuditEvent, AuditHead
from app.models.base import utcnow

PENDING_KEY = "audit_pending"


@dataclass
class PendingEvent:
    action: str
    record_type: str | None
    record_id: str | None
    fields: list[str]
    details: dict[str, Any]
    actor_user_id: uuid.UUID | None
    actor_username: str | None
    actor_organisation_id: uuid.UUID | None
    at: datetime = field(default_factory=utcnow)


def record(
    session: Session,
    action: str,
    *,
    actor: Principal | None,
    record_type: str | None = None,
    record_id: object = None,
    fields: Iterable[str] = (),
    details: dict[str, Any] | None = None,
    actor_username: str | None = None,
) -> None:
    """Queue an event for this transaction. `fields` are names only; never pass values here."""
    session.info.setdefault(PENDING_KEY, []).append(
        PendingEvent(
            action=action,
            record_type=record_type,
            record_id=None if record_id is None else str(record_id),
            fields=sorted(fields),
            details=details or {},
            actor_user_id=actor.user_id if actor else None,
            actor_username=actor.username if actor else actor_username,
            actor_organisation_id=actor.organisation_id if actor else None,
        )
    )


def add_recorded(
    session: Session,
    row: Any,
    record_type: str,
    *,
    actor: Principal | None,
    fields: Iterable[str],
) -> None:
    """Insert a new row and queue its `<record_type>.create` event (field names only)."""
    session.add(row)
    session.flush()
    record(
        session,
        f"{record_type}.create",
        actor=actor,
        record_type=record_type,
        record_id=row.id,
        fields=fields,
    )


def seal(session: Session, key: bytes) -> None:
    """Write the queued events, each chained to the one before. Runs just before commit."""
    pending: list[PendingEvent] = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    head = _locked_head(session)
    if head is None:
        # Written first, on its own: the database accepts a new head only for an empty chain.
        head = AuditHead(id=HEAD_ID, last_event_id=None, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    rows = []
    previous = head.last_hash
    for item in pending:
        row = {**vars(item), "prev_hash": previous}
        # Hashed as the event it becomes (the same values), without building ORM objects.
        row["hash"] = previous = row_hash(key, row)
        rows.append(row)
    head.last_event_id, head.last_hash = _insert_in_chain_order(session, rows), previous
    session.flush()


def _locked_head(session: Session) -> AuditHead | None:
    """The chain's head, read once no other transaction can seal until this one commits.

    PostgreSQL locks the row. SQLite ignores FOR UPDATE, and a transaction that has only read
    (a read's only write is its audit event) holds no lock: another could seal between this
    one reading the head and writing after it, and both would chain to the same event. So on
    SQLite the database's one write lock is taken first, by a write that changes nothing."""
    hold_sqlite_write_lock(session)
    query = select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def _insert_in_chain_order(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert the events in chain order (COPY or multi-row INSERT, whose rows are numbered in
    the order listed), so their ids ascend in chain order too; the last one's id. While the
    head row is locked no other transaction adds events, so the highest id is this one's last."""
    insert_rows(session, AuditEvent.__table__, rows)
    return int(session.scalar(select(func.max(AuditEvent.id).label("last_id"))) or 0)


def discard_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def key_the_chain(session: Session, key: bytes) -> bool:
    """Seal a chain written before the audit key with one keyed event (True if one was added).

    Its HMAC covers the last unkeyed hash, and so every event before it.
    """
    last = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    if last is None or is_keyed(key, last):
        return False
    record(session, "audit.keyed", actor=None, details={"previous_event_id": last.id})
    return True


def install_audit_hooks(session_factory: Any, key: bytes) -> None:
    """Chain queued events into every commit; forget them when the transaction rolls back."""
    orm_event.listen(session_factory, "before_commit", partial(seal, key=key))
    orm_event.listen(
        session_factory, "after_soft_rollback", lambda s, _previous: discard_pending(s)
    )

"""Recording audit events, chaining them at commit, and verifying the chain.

Services call `record()` during a request; the events are written, chained, in the same
transaction as the change they describe, just before it commits (`seal`, a session hook). Holding
the chain's head row only for that moment keeps concurrent writers from waiting long on each other.
"""

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.models import AuditEvent, AuditHead
from app.models.base import utcnow

GENESIS_HASH = "0" * 64
HEAD_ID = 1
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


def seal(session: Session) -> None:
    """Write the queued events, each chained to the one before. Runs just before commit."""
    pending: list[PendingEvent] = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    head = session.scalar(select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update())
    if head is None:
        head = AuditHead(id=HEAD_ID, last_event_id=None, last_hash=GENESIS_HASH)
        session.add(head)
    events = []
    previous = head.last_hash
    for item in pending:
        event = AuditEvent(**vars(item), prev_hash=previous)
        event.hash = previous = event_hash(event)
        events.append(event)
    # Added in chain order, so their ids ascend in chain order too.
    session.add_all(events)
    session.flush()
    head.last_event_id, head.last_hash = events[-1].id, events[-1].hash
    session.flush()


def discard_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def event_hash(event: AuditEvent) -> str:
    content = {
        "at": event.at.isoformat(),
        "actor_user_id": _text(event.actor_user_id),
        "actor_username": event.actor_username,
        "actor_organisation_id": _text(event.actor_organisation_id),
        "action": event.action,
        "record_type": event.record_type,
        "record_id": event.record_id,
        "fields": list(event.fields),
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    broken_at: int | None = None  # id of the first event whose link fails
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None and self.reason is None


def verify_chain(session: Session, batch_size: int = 5000) -> ChainReport:
    """Walk the whole chain in order and report the first link that does not hold."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id: int | None = None
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch_size)
    for event in session.scalars(query):
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.id, "an earlier event was altered or deleted")
        if event_hash(event) != event.hash:
            return ChainReport(checked, event.id, "this event was altered")
        expected_prev, last_id = event.hash, event.id
        checked += 1
    head = session.get(AuditHead, HEAD_ID)
    head_hash, head_id = (head.last_hash, head.last_event_id) if head else (GENESIS_HASH, None)
    if (head_hash, head_id) != (expected_prev, last_id):
        return ChainReport(checked, head_id, "the latest events were deleted")
    return ChainReport(checked)


def install_audit_hooks(session_factory: Any) -> None:
    """Chain queued events into every commit; forget them when the transaction rolls back."""
    orm_event.listen(session_factory, "before_commit", seal)
    orm_event.listen(
        session_factory, "after_soft_rollback", lambda s, _previous: discard_pending(s)
    )

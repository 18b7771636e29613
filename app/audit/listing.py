"""Reading the audit trail: which events an organisation's admins may see.

The trail is one chain for the whole registry, but each organisation reads only its own part of
it: events its members caused, and events about its accounts or itself (a login, a failed
login, an account the system role made for it). Another organisation's events, and with them its
incident ids, identity reads and consent decisions (which are personal data), are never listed:
not even their number shows: a page holds only the caller's events, ordered and paged by time
and hash, never by their registry-wide ids (whose gaps would count the others' events).
"""

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from app.audit.schemas import AuditQuery
from app.core.auth import Principal
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from app.models import AuditEvent, User


def readable_events(session: Session, reader: Principal) -> Select[tuple[AuditEvent]]:
    """The one place that says which events a reader may know exist."""
    return select(AuditEvent).where(_of_organisation(session, reader))


def _of_organisation(session: Session, reader: Principal) -> ColumnElement[bool]:
    organisation_id = reader.organisation_id
    # Events name records by their text id; an organisation has tens of accounts, not millions.
    own_accounts = [
        str(user_id)
        for user_id in session.scalars(
            select(User.id).where(User.organisation_id == organisation_id)
        )
    ]
    return or_(
        AuditEvent.actor_organisation_id == organisation_id,
        and_(AuditEvent.record_type == "user", AuditEvent.record_id.in_(own_accounts)),
        and_(
            AuditEvent.record_type == "organisation",
            AuditEvent.record_id == str(organisation_id),
        ),
    )


def list_events(
    session: Session, reader: Principal, query: AuditQuery
) -> tuple[list[AuditEvent], str | None]:
    """Newest first; the cursor to pass for the next page (None at the end)."""
    statement = (
        readable_events(session, reader)
        .order_by(AuditEvent.at.desc(), AuditEvent.hash.desc())
        .limit(query.limit + 1)
    )
    conditions = {
        AuditEvent.actor_user_id: query.user_id,
        AuditEvent.record_id: query.record_id,
        AuditEvent.record_type: query.record_type,
        AuditEvent.action: query.action,
    }
    for column, value in conditions.items():
        if value is not None:
            statement = statement.where(column == value)
    if query.since is not None:
        statement = statement.where(AuditEvent.at >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEvent.at <= query.until)
    if query.cursor is not None:
        statement = statement.where(_before(*_decode(query.cursor)))
    events = list(session.scalars(statement))
    if len(events) <= query.limit:
        return events, None
    last = events[query.limit - 1]
    return events[: query.limit], encode_cursor(last.at.isoformat(), last.hash)


def _before(at: datetime, event_hash: str) -> ColumnElement[bool]:
    return or_(AuditEvent.at < at, and_(AuditEvent.at == at, AuditEvent.hash < event_hash))


def _decode(cursor: str) -> tuple[datetime, str]:
    at, event_hash = decode_cursor(cursor, parts=2)
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise invalid_cursor() from None
    if moment.tzinfo is None:
        raise invalid_cursor()
    return moment, event_hash

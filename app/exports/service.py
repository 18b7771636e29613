"""The record export's rules: who may export what, the audit event, and the pages read.

Exported incidents are exactly the list's: `readable_incidents` (the caller's organisation's,
and for judicial trackers only those linked to a case) narrowed by the same filters. Identifying
details and summaries go only to those who read them one at a time already (identity access,
which is withheld until a second factor is enrolled where the organisation requires one), and
only when asked: anyone else asking is refused, never silently given less.

Every export writes one audit event with its filter and its row counts, in the request's
transaction, which commits before the first byte is sent. The rows themselves are read
afterwards, a page at a time, from a session of their own: on PostgreSQL one REPEATABLE READ
snapshot, in which the counts were taken too, so the file holds exactly what the event counted.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.service import record
from app.core.auth import Principal, SecondFactorMissingError
from app.core.crypto import FieldCipher
from app.core.domain_errors import InvalidRequestError, NotAllowedError
from app.core.permissions import Permission
from app.exports.schemas import ExportQuery
from app.incidents import listing
from app.incidents.filters import apply_incident_filters
from app.incidents.service import readable_incidents
from app.models import Incident, IncidentNarrative, Perpetrator, Victim, VictimIdentity

# Incidents read per page: each page is five queries; memory holds one page at a time.
PAGE_SIZE = 500
IDENTITY_EXPORT_FIELDS = ("address", "contact", "name", "notes", "summary")


class IdentityExportRefusedError(NotAllowedError):
    def __init__(self) -> None:
        super().__init__(
            "Identifying details and summaries are exported only to protection advisers "
            "of the organisation that recorded the incidents, with identity access: export "
            "without include_identity",
        )


@dataclass(frozen=True)
class ExportCounts:
    incidents: int
    victims: int
    perpetrators: int


@dataclass(frozen=True)
class Page:
    incidents: list[dict[str, Any]]
    summaries: dict[uuid.UUID, str] | None  # incident id -> summary, with identity only
    identities: dict[uuid.UUID, dict[str, Any]] | None  # victim id -> details, with identity


def check_identity_access(principal: Principal, query: ExportQuery) -> None:
    """Refuse identity to anyone who does not read it one record at a time already."""
    if not query.include_identity or principal.can(Permission.IDENTITY_READ):
        return
    if principal.second_factor_missing:
        raise SecondFactorMissingError()
    raise IdentityExportRefusedError()


def open_snapshot(session_factory: sessionmaker[Session]) -> Session:
    """A session whose reads all see one moment (PostgreSQL; SQLite reads as it goes)."""
    session = session_factory()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return session


def _matching(principal: Principal, query: ExportQuery) -> Any:
    readable = readable_incidents(principal)
    return apply_incident_filters(readable, query, include_archived=query.include_archived)


def count_rows(session: Session, principal: Principal, query: ExportQuery) -> ExportCounts:
    ids = _matching(principal, query).with_only_columns(Incident.id).subquery()
    incidents = session.scalar(select(func.count()).select_from(ids))
    victims = session.scalar(
        select(func.count(Victim.id)).where(Victim.incident_id.in_(select(ids.c.id)))
    )
    perpetrators = session.scalar(
        select(func.count(Perpetrator.id)).where(Perpetrator.incident_id.in_(select(ids.c.id)))
    )
    return ExportCounts(incidents or 0, victims or 0, perpetrators or 0)


def record_export(
    session: Session,
    principal: Principal,
    query: ExportQuery,
    file_format: str,
    counts: ExportCounts,
) -> None:
    """One event per export: `identity.export` when it holds identity, else `incident.export`.

    Its details hold the filter as sent and the rows counted; never a value of a record.
    """
    record(
        session,
        "identity.export" if query.include_identity else "incident.export",
        actor=principal,
        record_type="incident",
        fields=IDENTITY_EXPORT_FIELDS if query.include_identity else (),
        details={
            "format": file_format,
            "filter": query.as_query_params(exclude={"include_identity"}),
            "include_identity": query.include_identity,
            "incidents": counts.incidents,
            "victims": counts.victims,
            "perpetrators": counts.perpetrators,
        },
    )


def pages(
    session: Session, principal: Principal, query: ExportQuery, cipher: FieldCipher
) -> Iterator[Page]:
    """The matching incidents, newest first as in the list, `PAGE_SIZE` at a time (keyset)."""
    position: tuple[Any, uuid.UUID] | None = None
    while True:
        incidents, next_cursor = listing.list_page(
            session,
            readable_incidents(principal),
            query,
            limit=PAGE_SIZE,
            position=position,
            include_archived=query.include_archived,
        )
        if not incidents:
            return
        if query.include_identity:
            yield Page(incidents, *_identity(session, cipher, incidents))
        else:
            yield Page(incidents, None, None)
        if next_cursor is None:
            return
        position = (incidents[-1]["occurred_on"], incidents[-1]["id"])


def _identity(
    session: Session, cipher: FieldCipher, incidents: list[dict[str, Any]]
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, dict[str, Any]]]:
    incident_ids = [incident["id"] for incident in incidents]
    victim_ids = [victim["id"] for incident in incidents for victim in incident["victims"]]
    summaries = {
        incident_id: str(cipher.decrypt_json(ciphertext)["summary"])
        for incident_id, ciphertext in session.execute(
            select(IncidentNarrative.incident_id, IncidentNarrative.ciphertext).where(
                IncidentNarrative.incident_id.in_(incident_ids)
            )
        )
    }
    identities: dict[uuid.UUID, dict[str, Any]] = {}
    # In slices: an incident may have up to 500 victims, and IN lists have limits.
    for start in range(0, len(victim_ids), 1000):
        for victim_id, ciphertext in session.execute(
            select(VictimIdentity.victim_id, VictimIdentity.ciphertext).where(
                VictimIdentity.victim_id.in_(victim_ids[start : start + 1000])
            )
        ):
            identities[victim_id] = cipher.decrypt_json(ciphertext)
    return summaries, identities


def check_fits_a_sheet(counts: ExportCounts, max_rows: int) -> None:
    """A workbook sheet holds `max_rows` rows, its header included."""
    largest = max(counts.incidents, counts.victims, counts.perpetrators)
    if largest + 1 > max_rows:
        raise InvalidRequestError(
            f"{largest:,} rows do not fit in one sheet (at most {max_rows - 1:,}): "
            "narrow the filters (e.g. occurred_from and occurred_to) or export as CSV",
        )

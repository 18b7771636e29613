"""Rules for recording, updating, archiving and listing incidents. Services flush, never commit."""

import uuid
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, bindparam, exists, false, select
from sqlalchemy.orm import Session, selectinload

from app.core.auth import Principal
from app.core.crypto import FieldCipher
from app.core.domain_errors import (
    ConflictError,
    FieldProblem,
    InvalidFieldsError,
    NotFoundError,
    problems_from,
)
from app.core.pagination import decode_cursor, invalid_cursor
from app.core.permissions import Permission
from app.core.responses import plain_json
from app.identity import service as identity
from app.incidents import children, listing, listing_json, verification
from app.incidents.change import IncidentChange
from app.incidents.filters import IncidentListQuery, with_reference
from app.incidents.rules import column_values, incident_problems
from app.incidents.schemas import (
    ConsentIn,
    IncidentFields,
    IncidentUpdate,
    VerificationRequest,
)
from app.models import (
    CaseIncident,
    Incident,
    IncidentViolation,
    Victim,
)
from app.models.base import utcnow
from app.models.enums import Violation

INCIDENT_FIELDS = tuple(IncidentFields.model_fields)
WITH_CHILDREN = (
    selectinload(Incident.violation_rows),
    selectinload(Incident.victims).selectinload(Victim.identity),
    selectinload(Incident.victims).selectinload(Victim.consent_rows),
    selectinload(Incident.perpetrators),
    selectinload(Incident.narrative),
)


def readable_incidents(principal: Principal) -> Select[tuple[Incident]]:
    """The one place that says which incidents a caller may know exist: their organisation's,
    and for judicial trackers only those linked to a judicial case."""
    return _readable(
        principal.organisation_id,
        principal.can(Permission.INCIDENT_READ),
        principal.can(Permission.LINKED_INCIDENT_READ),
    )


def _readable(organisation_id: Any, reads_all: bool, reads_linked: bool) -> Select[tuple[Incident]]:
    """`readable_incidents`, from exactly what it depends on: the list's unfiltered statement is
    built from it once per shape, with a bind parameter for the organisation."""
    query = select(Incident).where(Incident.organisation_id == organisation_id)
    if not reads_all:
        linked = exists().where(CaseIncident.incident_id == Incident.id)
        query = query.where(linked if reads_linked else false())
    return query


def get_incident(session: Session, incident_id: uuid.UUID, principal: Principal) -> Incident:
    """The incident, or 404 if it does not exist or the caller may not know that it does."""
    query = readable_incidents(principal).where(Incident.id == incident_id)
    incident = session.scalar(query.options(*WITH_CHILDREN))
    if incident is None:
        raise NotFoundError("Incident")
    return incident


def get_victim(incident: Incident, victim_id: uuid.UUID) -> Victim:
    """One of the incident's victims, or 404: a victim is reached through its incident only."""
    victim = next((v for v in incident.victims if v.id == victim_id), None)
    if victim is None:
        raise NotFoundError("Victim")
    return victim


@dataclass(frozen=True)
class CheckedUpdate:
    """A change checked but not yet applied: the merged fields, the row plans, any problems."""

    fields: IncidentFields
    victims: children.ChildPlan | None
    perpetrators: children.ChildPlan | None
    problems: list[FieldProblem]


def check_update(session: Session, incident: Incident, data: IncidentUpdate) -> CheckedUpdate:
    """Every problem with a change, found without writing anything."""
    ensure_not_archived(incident)
    sent = data.model_dump(exclude_unset=True, include=set(INCIDENT_FIELDS))
    fields = _merge_fields(incident, sent)
    problems = incident_problems(fields)
    victim_plan = perpetrator_plan = None
    if data.victims is not None:
        victim_plan = children.plan_victims(incident.victims, data.victims)
        problems += victim_plan.problems
    if data.perpetrators is not None:
        perpetrator_plan = children.plan_perpetrators(
            session, incident.perpetrators, data.perpetrators
        )
        problems += perpetrator_plan.problems
    return CheckedUpdate(fields, victim_plan, perpetrator_plan, problems)


def update_incident(
    session: Session,
    incident: Incident,
    data: IncidentUpdate,
    principal: Principal,
    cipher: FieldCipher,
) -> Incident:
    checked = check_update(session, incident, data)
    if checked.problems:
        raise InvalidFieldsError(checked.problems)
    fields, victim_plan, perpetrator_plan = checked.fields, checked.victims, checked.perpetrators

    change = IncidentChange(session, incident, principal, "update")
    changed = _apply_fields(incident, fields)
    identifying: list[str] = []
    if victim_plan is not None and data.victims is not None:
        rows_changed = children.apply_plan(incident.victims, victim_plan)
        details = identity.apply_victim_details(
            session, cipher, incident.victims, data.victims, principal
        )
        if rows_changed or details:
            changed.append("victims")
            incident.recount_victims()
        if "identity" in details:
            identifying.append("victims.identity")
    if "summary" in data.model_fields_set and identity.set_narrative(
        session, cipher, incident, data.summary, principal
    ):
        changed.append("summary")
        identifying.append("summary")
    if perpetrator_plan is not None and children.apply_plan(
        incident.perpetrators, perpetrator_plan
    ):
        changed.append("perpetrators")
    if changed:
        change.finish(changed, identifying=tuple(identifying))
    return incident


def update_consent(
    session: Session, incident: Incident, victim: Victim, consent: ConsentIn, principal: Principal
) -> Incident:
    """Record a victim's consent decisions; statistics follow at once."""
    ensure_not_archived(incident)
    change = IncidentChange(session, incident, principal, "consent")
    if identity.set_consent(session, victim, consent, principal):
        incident.recount_victims()
        change.finish(["victims"])
    return incident


def decide_verification(
    session: Session, incident: Incident, request: VerificationRequest, principal: Principal
) -> Incident:
    """Move the incident along the verification table, keeping the decision and its grounds."""
    ensure_not_archived(incident)
    current = incident.verification_status
    verification.check_decision(incident, request)
    change = IncidentChange(session, incident, principal, "verification")
    incident.verification_status = request.status
    incident.verified_on = verification.verification_day(request)
    verification.record_decision(session, incident, current, request, principal.user_id)
    change.finish(
        ["verification_status", "verified_on"],
        details={"from": current.value, "to": request.status.value},
    )
    return incident


def ensure_not_archived(incident: Incident) -> None:
    if incident.archived_at is not None:
        raise ConflictError("Archived incidents cannot be changed")


def archive_incident(
    session: Session, incident: Incident, reason: str | None, principal: Principal
) -> None:
    """Archived incidents are kept for the record but leave lists and statistics."""
    if incident.archived_at is not None:
        return
    change = IncidentChange(session, incident, principal, "archive")
    incident.archived_at = utcnow()
    incident.archive_reason = reason
    change.finish(["archived_at", "archive_reason"])


def list_incidents(
    session: Session,
    principal: Principal,
    filters: IncidentListQuery,
    *,
    limit: int,
    cursor: str | None = None,
    include_archived: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of incidents, most recent first, and the cursor of the next page (None at the end).

    Each incident is a plain dict with `IncidentRead`'s fields, its values as read, which the
    pages validate into models.
    """
    return listing.list_page(
        session,
        with_reference(readable_incidents(principal), filters.reference),
        filters,
        limit=limit,
        position=_decode_position(cursor) if cursor is not None else None,
        include_archived=include_archived,
    )


def list_incidents_json(session: Session, principal: Principal, query: IncidentListQuery) -> bytes:
    """`list_incidents`' page as the API writes it, in `IncidentPage`'s shape, for the list's
    whole query (its filters, page size, cursor and archived choice). On PostgreSQL its items
    come as the database itself wrote them (`listing_json`)."""
    limit, cursor, include_archived = query.limit, query.cursor, query.include_archived
    if session.get_bind().dialect.name != "postgresql":
        rows, next_cursor = list_incidents(
            session, principal, query, limit=limit, cursor=cursor, include_archived=include_archived
        )
        return listing_json.page_document(plain_json(rows).decode(), next_cursor, limit)
    position = _decode_position(cursor) if cursor is not None else None
    statement, parameters = _page_positions(principal, query, limit, position, include_archived)
    items, next_cursor = listing_json.page_json(session, statement, parameters, limit)
    return listing_json.page_document(items, next_cursor, limit)


# What a list query may hold besides filters: with only these, the list is unfiltered.
LIST_CONTROLS = frozenset({"cursor", "limit", "include_archived"})


def _page_positions(
    principal: Principal,
    filters: IncidentListQuery,
    limit: int,
    position: tuple[date, uuid.UUID] | None,
    include_archived: bool,
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement finding the (date, id) of a page's incidents, and its parameters."""
    if filters.model_fields_set <= LIST_CONTROLS:
        query = _unfiltered_positions(
            principal.can(Permission.INCIDENT_READ),
            principal.can(Permission.LINKED_INCIDENT_READ),
            include_archived,
            position is not None,
            limit,
        )
        parameters: dict[str, Any] = {"organisation_id": principal.organisation_id}
        if position is not None:
            parameters.update(after_day=position[0], after_id=position[1])
        return query, parameters
    readable = with_reference(readable_incidents(principal), filters.reference)
    query = listing.page_query(readable, filters, limit, position, include_archived)
    return query.with_only_columns(Incident.occurred_on, Incident.id), {}


_ORGANISATION = bindparam("organisation_id", type_=Incident.organisation_id.type)
_AFTER = (
    bindparam("after_day", type_=Incident.occurred_on.type),
    bindparam("after_id", type_=Incident.id.type),
)


@lru_cache(maxsize=64)  # a handful of shapes; the page size is one of them
def _unfiltered_positions(
    reads_all: bool, reads_linked: bool, include_archived: bool, after_cursor: bool, limit: int
) -> Select[Any]:
    """The unfiltered list's positions statement, built once per shape and then only executed,
    its organisation and cursor given as parameters.

    The list is mostly asked for without filters. Building its statement anew for each page (the
    scoping, the cursor, the order, then SQLAlchemy's cache key of it all) was an eighth of a
    page's instructions (callgrind, `bench.list_cpu`); a statement object kept here has its
    cache key worked out once. It is built by the same functions as any other page's, from the
    defaults of every filter.
    """
    defaults = IncidentListQuery()
    readable = with_reference(_readable(_ORGANISATION, reads_all, reads_linked), defaults.reference)
    position = _AFTER if after_cursor else None
    query = listing.page_query(readable, defaults, limit, position, include_archived)
    return query.with_only_columns(Incident.occurred_on, Incident.id)


def _merge_fields(incident: Incident, sent: dict[str, Any]) -> IncidentFields:
    """The incident as it would be after the PATCH, checked by the same model as a new one."""
    current = {name: getattr(incident, name) for name in INCIDENT_FIELDS}
    try:
        return IncidentFields.model_validate({**current, **sent})
    except ValidationError as error:
        raise InvalidFieldsError(problems_from(error, ("body",))) from None


def _apply_fields(incident: Incident, fields: IncidentFields) -> list[str]:
    """Set the fields that differ; the names of those changed."""
    changed = children.set_changed(incident, column_values(fields))
    if _apply_violations(incident, fields.violations):
        changed.append("violations")
    return changed


def _apply_violations(incident: Incident, violations: list[Violation]) -> bool:
    wanted = set(violations)
    current = {row.violation for row in incident.violation_rows}
    if wanted == current:
        return False
    # Keep rows that stay: deleting and re-inserting the same key in one flush would collide.
    incident.violation_rows = [row for row in incident.violation_rows if row.violation in wanted]
    incident.violation_rows += [
        IncidentViolation(violation=v) for v in violations if v not in current
    ]
    return True


def _decode_position(cursor: str) -> tuple[date, uuid.UUID]:
    day, identifier = decode_cursor(cursor, parts=2)
    try:
        return date.fromisoformat(day), uuid.UUID(identifier)
    except ValueError:
        raise invalid_cursor() from None

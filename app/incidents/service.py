"""Rules for recording, updating, archiving and listing incidents. Services flush, never commit."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, exists, false, select
from sqlalchemy.orm import Session, selectinload

from app.audit.service import record
from app.core.auth import ForbiddenError, Principal
from app.core.crypto import FieldCipher
from app.core.db import dialect_insert
from app.core.domain_errors import (
    ConflictError,
    FieldProblem,
    InvalidFieldsError,
    NotFoundError,
    problems_from,
)
from app.core.pagination import decode_cursor, invalid_cursor
from app.core.permissions import Permission
from app.identity import service as identity
from app.incidents import children, history, listing, verification
from app.incidents.filters import IncidentFilters
from app.incidents.rules import incident_problems, period_start, reporting_delay
from app.incidents.schemas import (
    ConsentIn,
    IncidentCreate,
    IncidentFields,
    IncidentUpdate,
    VerificationRequest,
)
from app.models import (
    CaseIncident,
    Incident,
    IncidentViolation,
    Organisation,
    ReferenceCounter,
    Victim,
)
from app.models.base import utcnow
from app.models.enums import VerificationStatus, Violation
from app.stats import rollup

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
    query = select(Incident).where(Incident.organisation_id == principal.organisation_id)
    if not principal.can(Permission.INCIDENT_READ):
        linked = exists().where(CaseIncident.incident_id == Incident.id)
        allowed = principal.can(Permission.LINKED_INCIDENT_READ)
        query = query.where(linked if allowed else false())
    return query


@dataclass(frozen=True)
class NewIncident:
    """A new incident checked but not yet written: its fields, its rows, and any problems."""

    fields: IncidentFields
    victims: children.ChildPlan
    perpetrators: children.ChildPlan
    problems: list[FieldProblem]


def check_incident(session: Session, data: IncidentCreate) -> NewIncident:
    """Every problem with a new incident, found without writing anything."""
    fields = IncidentFields.model_validate(data.model_dump(include=set(INCIDENT_FIELDS)))
    victims = children.plan_victims([], data.victims)
    perpetrators = children.plan_perpetrators(session, [], data.perpetrators)
    problems = incident_problems(fields) + victims.problems + perpetrators.problems
    return NewIncident(fields, victims, perpetrators, problems)


def create_incident(
    session: Session,
    data: IncidentCreate,
    principal: Principal,
    cipher: FieldCipher,
    checked: NewIncident | None = None,
    batch: "BatchWrites | None" = None,
) -> Incident:
    """Record a new incident. In a batch, its reference and kept counts are written at the
    batch's end (`finish_batch`)."""
    checked = checked or check_incident(session, data)
    if checked.problems:
        raise InvalidFieldsError(checked.problems)
    fields = checked.fields
    victims = children.new_rows(checked.victims)
    perpetrators = children.new_rows(checked.perpetrators)
    incident = Incident(
        reference=(
            _provisional_reference()
            if batch
            else next_reference(
                session, fields.country, fields.reported_on, principal.organisation_id
            )
        ),
        **column_values(fields),
        violation_rows=[IncidentViolation(violation=v) for v in fields.violations],
        victims=victims,
        perpetrators=perpetrators,
        organisation_id=principal.organisation_id,
        created_by_id=principal.user_id,
        narrative=None,  # known to be empty: no query to find out
        victim_count=len(data.victims),
        shared_victim_count=sum(bool(v.consent and v.consent.statistics) for v in data.victims),
        shared_victim_keys=sum(
            row.record_key
            for row, v in zip(victims, data.victims, strict=True)
            if v.consent and v.consent.statistics
        ),
    )
    session.add(incident)
    session.flush()
    record(
        session,
        "incident.create",
        actor=principal,
        record_type="incident",
        record_id=incident.id,
        fields=sorted(data.model_fields_set),
    )
    details = identity.apply_victim_details(
        session, cipher, incident.victims, data.victims, principal
    )
    if data.summary:
        identity.set_narrative(session, cipher, incident, data.summary, principal)
    if incident.verification_status is not VerificationStatus.REPORTED:
        _record_initial_status(session, incident, principal)
    state = history.snapshot(incident)
    if batch is None:
        rollup.record_change(session, incident.organisation_id, None, state)
    else:
        batch.created.append((incident, state))
    changes = history.diff({}, state)
    if data.summary:
        changes["summary"] = {"changed": True}
    if "identity" in details:
        changes["victims.identity"] = {"changed": True}
    history.record_version(session, incident, principal, "create", changes)
    return incident


def _record_initial_status(session: Session, incident: Incident, principal: Principal) -> None:
    """An incident entered already past `reported` (e.g. an import) keeps that as a decision."""
    if not principal.can(Permission.INCIDENT_VERIFY):
        raise ForbiddenError(Permission.INCIDENT_VERIFY)
    request = VerificationRequest(
        status=incident.verification_status, note="Status recorded when the incident was entered."
    )
    verification.record_decision(session, incident, None, request, principal.user_id)
    session.flush()


def get_incident(session: Session, incident_id: uuid.UUID, principal: Principal) -> Incident:
    """The incident, or 404 if it does not exist or the caller may not know that it does."""
    query = readable_incidents(principal).where(Incident.id == incident_id)
    incident = session.scalar(query.options(*WITH_CHILDREN))
    if incident is None:
        raise NotFoundError("Incident")
    return incident


@dataclass(frozen=True)
class IncidentChange:
    """A change checked but not yet applied: the merged fields, the row plans, any problems."""

    fields: IncidentFields
    victims: children.ChildPlan | None
    perpetrators: children.ChildPlan | None
    problems: list[FieldProblem]


def check_update(session: Session, incident: Incident, data: IncidentUpdate) -> IncidentChange:
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
    return IncidentChange(fields, victim_plan, perpetrator_plan, problems)


def update_incident(
    session: Session,
    incident: Incident,
    data: IncidentUpdate,
    principal: Principal,
    cipher: FieldCipher,
) -> Incident:
    change = check_update(session, incident, data)
    if change.problems:
        raise InvalidFieldsError(change.problems)
    fields, victim_plan, perpetrator_plan = change.fields, change.victims, change.perpetrators

    before = history.snapshot(incident)
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
        history.finish_change(
            session, incident, principal, "update", before, changed, tuple(identifying)
        )
    return incident


def update_consent(
    session: Session, incident: Incident, victim: Victim, consent: ConsentIn, principal: Principal
) -> Incident:
    """Record a victim's consent decisions; statistics follow at once."""
    ensure_not_archived(incident)
    before = history.snapshot(incident)
    if identity.set_consent(session, victim, consent, principal):
        incident.recount_victims()
        history.finish_change(session, incident, principal, "consent", before, ["victims"])
    return incident


def decide_verification(
    session: Session, incident: Incident, request: VerificationRequest, principal: Principal
) -> Incident:
    """Move the incident along the verification table, keeping the decision and its grounds."""
    ensure_not_archived(incident)
    current = incident.verification_status
    verification.check_decision(incident, request)
    before = history.snapshot(incident)
    incident.verification_status = request.status
    incident.verified_on = verification.verification_day(request)
    verification.record_decision(session, incident, current, request, principal.user_id)
    history.finish_change(
        session,
        incident,
        principal,
        "verification",
        before,
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
    before = history.snapshot(incident)
    incident.archived_at = utcnow()
    incident.archive_reason = reason
    history.finish_change(
        session, incident, principal, "archive", before, ["archived_at", "archive_reason"]
    )


def list_incidents(
    session: Session,
    principal: Principal,
    filters: IncidentFilters,
    *,
    limit: int,
    cursor: str | None = None,
    include_archived: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of incidents, most recent first, and the cursor of the next page (None at the end).

    Each incident is a plain dict with `IncidentRead`'s fields: the API writes them out as they
    are, the pages validate them into models.
    """
    position = _decode_position(cursor) if cursor is not None else None
    return listing.list_page(
        session,
        readable_incidents(principal),
        filters,
        limit=limit,
        position=position,
        include_archived=include_archived,
    )


def next_reference(
    session: Session, country: str, reported_on: date, organisation_id: uuid.UUID
) -> str:
    """Issue the organisation's next reference for a country and year (ML-2019-MHRD-000001)
    atomically, even under concurrent writes. Each organisation numbers its own incidents, so a
    reference says nothing of how many another organisation recorded. References issued before
    (ML-2019-000001, one sequence for all) keep their three parts, so the two never collide."""
    prefix = reference_prefix(country, reported_on, reference_code(session, organisation_id))
    return f"{prefix}-{advance_counter(session, prefix, 1):06d}"


def reference_prefix(country: str, reported_on: date, code: str) -> str:
    return f"{country}-{reported_on.year}-{code}"


def reference_code(session: Session, organisation_id: uuid.UUID) -> str:
    code = session.scalar(
        select(Organisation.reference_code).where(Organisation.id == organisation_id)
    )
    return str(code)


@dataclass
class BatchWrites:
    """The incidents a batch created, whose writes to rows every writer shares (the country-year
    reference counters, the kept counts) wait for the batch's end."""

    organisation_id: uuid.UUID
    created: list[tuple[Incident, dict[str, Any]]] = field(default_factory=list)


def finish_batch(session: Session, batch: BatchWrites) -> None:
    """Issue the batch's references (one counter update per country and year) and add its kept
    counts (one statement per table). Called last in the transaction, so those shared rows stay
    locked only from here to the commit, not while the batch is written."""
    code = reference_code(session, batch.organisation_id)
    by_prefix: dict[str, list[Incident]] = {}
    for incident, _state in batch.created:
        prefix = reference_prefix(incident.country, incident.reported_on, code)
        by_prefix.setdefault(prefix, []).append(incident)
    for prefix in sorted(by_prefix):  # one lock order for every writer
        group = by_prefix[prefix]
        first = advance_counter(session, prefix, len(group)) - len(group) + 1
        for offset, incident in enumerate(group):
            incident.reference = f"{prefix}-{first + offset:06d}"
    session.flush()
    rollup.record_new(session, batch.organisation_id, [state for _i, state in batch.created])


def _provisional_reference() -> str:
    """Unique until `finish_batch` replaces it, within the same transaction."""
    return f"pending-{uuid.uuid4().hex[:16]}"


def advance_counter(session: Session, prefix: str, by: int) -> int:
    """Move the prefix's counter on by `by`; its new last value."""
    statement = (
        dialect_insert(session)(ReferenceCounter)
        .values(prefix=prefix, last_value=by)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.prefix],
            set_={"last_value": ReferenceCounter.last_value + by},
        )
        .returning(ReferenceCounter.last_value)
    )
    return int(session.execute(statement).scalar_one())


def column_values(fields: IncidentFields) -> dict[str, Any]:
    values = fields.model_dump(exclude={"violations"})
    values["occurred_on"] = period_start(fields.occurred_on, fields.date_precision)
    values["reporting_delay"] = reporting_delay(
        values["occurred_on"], fields.reported_on, fields.date_precision
    )
    return values


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

"""Judicial cases: created against a court and incidents, moved only by dated events."""

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.audit.service import add_recorded, record
from app.core.auth import Principal
from app.core.domain_errors import (
    ConflictError,
    FieldProblem,
    InvalidFieldsError,
    NotFoundError,
    VersionNamedBy,
)
from app.core.i18n import N_
from app.core.versioning import BasedOn
from app.incidents.history import check_version
from app.incidents.rules import latest_allowed_date
from app.judicial import consent
from app.judicial.links import added_after_complaint, complaint_problems, resolve_incidents
from app.judicial.schemas import (
    CaseCreate,
    CaseEventCreate,
    CaseUpdate,
    CourtCreate,
    CourtUpdate,
)
from app.judicial.stages import NEXT_STAGES
from app.models import CaseEvent, CaseIncident, Court, Incident, JudicialCase
from app.models.base import utcnow
from app.models.enums import CaseEventKind, JudicialStage


def readable_cases(principal: Principal) -> Select[tuple[JudicialCase]]:
    """The one place that says which cases a caller may know exist: their organisation's."""
    return select(JudicialCase).where(JudicialCase.organisation_id == principal.organisation_id)


def create_court(session: Session, data: CourtCreate, principal: Principal) -> Court:
    _ensure_court_name_free(session, data.name)
    court = Court(**data.model_dump())
    add_recorded(session, court, "court", actor=principal, fields=sorted(data.model_fields_set))
    return court


def update_court(session: Session, court: Court, data: CourtUpdate, principal: Principal) -> Court:
    changes = data.model_dump(exclude_unset=True)
    emptied = [name for name in ("name", "jurisdiction") if name in changes and not changes[name]]
    if emptied:
        raise InvalidFieldsError([FieldProblem(("body", n), "cannot be empty") for n in emptied])
    if changes.get("name", court.name) != court.name:
        _ensure_court_name_free(session, changes["name"])
    for name, value in changes.items():
        setattr(court, name, value)
    session.flush()
    record(
        session,
        "court.update",
        actor=principal,
        record_type="court",
        record_id=court.id,
        fields=changes,
    )
    return court


def _ensure_court_name_free(session: Session, name: str) -> None:
    if session.scalar(select(Court.id).where(Court.name == name)):
        raise ConflictError(
            "A court with this name exists",
            [FieldProblem(("body", "name"), "already registered", "duplicate")],
        )


def delete_court(session: Session, court: Court, principal: Principal) -> None:
    """Only a court no case was ever entered against can go (e.g. one registered twice)."""
    if session.scalar(select(JudicialCase.id).where(JudicialCase.court_id == court.id).limit(1)):
        raise ConflictError("Cases are recorded before this court: it cannot be deleted")
    session.delete(court)
    session.flush()
    record(session, "court.delete", actor=principal, record_type="court", record_id=court.id)


def delete_case(session: Session, case: JudicialCase, principal: Principal) -> None:
    """Remove a case entered by mistake. Once anything happened to it, it is part of the record:
    correct or close it instead."""
    if len(case.events) > 1 or any(e.kind is not CaseEventKind.STAGE_CHANGE for e in case.events):
        raise ConflictError(
            "Acts or stage changes are recorded on this case: record a correction or a closing "
            "stage instead of deleting it"
        )
    session.delete(case)
    session.flush()
    record(
        session,
        "judicial_case.delete",
        actor=principal,
        record_type="judicial_case",
        record_id=case.id,
    )


def list_courts(session: Session) -> list[Court]:
    return list(session.scalars(select(Court).order_by(Court.name)))


def get_court(session: Session, court_id: uuid.UUID) -> Court:
    court = session.get(Court, court_id)
    if court is None:
        raise NotFoundError("Court")
    return court


def get_case(session: Session, case_id: uuid.UUID, principal: Principal) -> JudicialCase:
    case = session.scalar(readable_cases(principal).where(JudicialCase.id == case_id))
    if case is None:
        raise NotFoundError("Judicial case")
    return case


def list_cases(
    session: Session,
    principal: Principal,
    court_id: uuid.UUID | None,
    stages: Collection[JudicialStage],
    incident_id: uuid.UUID | None,
) -> list[JudicialCase]:
    """The caller's cases, at any of `stages` if given."""
    query = readable_cases(principal).order_by(JudicialCase.opened_on, JudicialCase.id)
    if court_id is not None:
        query = query.where(JudicialCase.court_id == court_id)
    if stages:
        query = query.where(JudicialCase.stage.in_(stages))
    if incident_id is not None:
        query = query.where(
            JudicialCase.incident_links.any(CaseIncident.incident_id == incident_id)
        )
    return list(session.scalars(query))


def check_case(session: Session, data: CaseCreate, principal: Principal) -> list[FieldProblem]:
    """Every problem with a new case's court, incidents and dates, at once (consent apart)."""
    return _checked(session, data, principal)[0]


def _checked(
    session: Session, data: CaseCreate, principal: Principal
) -> tuple[list[FieldProblem], list[Incident]]:
    stage_since = data.stage_since or data.opened_on
    last_act_on = data.last_act_on or stage_since
    problems = _date_problems(data.opened_on, stage_since, last_act_on)
    if session.get(Court, data.court_id) is None:
        problems.append(FieldProblem(("body", "court_id"), "no court has this id"))
    try:
        incidents = resolve_incidents(session, principal, data.incident_ids)
    except InvalidFieldsError as unknown:
        return [*problems, *unknown.errors], []
    return problems + complaint_problems(data.opened_on, incidents), incidents


def create_case(session: Session, data: CaseCreate, principal: Principal) -> JudicialCase:
    problems, incidents = _checked(session, data, principal)
    if problems:
        raise InvalidFieldsError(problems)
    stage_since = data.stage_since or data.opened_on
    last_act_on = data.last_act_on or stage_since
    sent = [incident.id for incident in incidents]
    incident_ids = list(dict.fromkeys(sent))
    missing = consent.check_justice_consent(
        session, incident_ids, data.consent_override_reason, sent
    )
    case = JudicialCase(
        organisation_id=principal.organisation_id,
        court_id=data.court_id,
        docket_reference=data.docket_reference,
        stage=data.stage,
        stage_since=stage_since,
        opened_on=data.opened_on,
        last_act_on=last_act_on,
        charges=data.charges,
        accused_count=data.accused_count,
        created_by_id=principal.user_id,
        incident_links=[CaseIncident(incident_id=i) for i in incident_ids],
    )
    _add_event(
        case,
        CaseEventKind.STAGE_CHANGE,
        stage_since,
        None,
        data.stage,
        N_("stage when the case was entered"),
        principal,
    )
    if last_act_on > stage_since:
        _add_event(
            case,
            CaseEventKind.ACT,
            last_act_on,
            None,
            None,
            N_("last judicial act known when the case was entered"),
            principal,
        )
    add_recorded(
        session, case, "judicial_case", actor=principal, fields=sorted(data.model_fields_set)
    )
    consent.record_override(session, case, missing, data.consent_override_reason or "", principal)
    return case


def update_case(
    session: Session, case: JudicialCase, data: CaseUpdate, principal: Principal
) -> JudicialCase:
    check_version(case, BasedOn(data.version, VersionNamedBy.BODY))
    changed = sorted(data.model_fields_set - {"version", "consent_override_reason"})
    missing: list[consent.MissingConsent] = []
    if data.incident_ids is not None:
        incidents = resolve_incidents(session, principal, data.incident_ids)
        held = set(case.incident_ids)
        problems = added_after_complaint(case, incidents)
        sent = [incident.id for incident in incidents]
        wanted = list(dict.fromkeys(sent))
        added = [i for i in wanted if i not in held]
        if problems:
            raise InvalidFieldsError(problems)
        # Links made before stay as they were; each incident added is checked as on creation.
        missing = consent.check_justice_consent(session, added, data.consent_override_reason, sent)
        case.incident_links = [link for link in case.incident_links if link.incident_id in wanted]
        case.incident_links += [CaseIncident(incident_id=i) for i in added]
    for name in ("docket_reference", "charges", "accused_count"):
        if name in data.model_fields_set and getattr(data, name) is not None:
            setattr(case, name, getattr(data, name))
    if changed:
        case.updated_at = utcnow()
        session.flush()
        record(
            session,
            "judicial_case.update",
            actor=principal,
            record_type="judicial_case",
            record_id=case.id,
            fields=changed,
        )
    consent.record_override(session, case, missing, data.consent_override_reason or "", principal)
    return case


def record_event(
    session: Session, case: JudicialCase, data: CaseEventCreate, principal: Principal
) -> JudicialCase:
    """A judicial act, a stage change along the table, or an explicit correction."""
    check_event(case, data)
    if data.kind is CaseEventKind.ACT:
        _add_event(case, data.kind, data.occurred_on, None, None, data.note, principal)
    else:
        _add_event(case, data.kind, data.occurred_on, case.stage, data.stage, data.note, principal)
        case.stage, case.stage_since = data.stage, data.occurred_on  # type: ignore[assignment]
    case.last_act_on = max(case.last_act_on, data.occurred_on)
    case.updated_at = utcnow()
    session.flush()
    record(
        session,
        f"judicial_case.{data.kind.value}",
        actor=principal,
        record_type="judicial_case",
        record_id=case.id,
        fields=["stage", "last_act_on"],
        details={"stage": case.stage.value},
    )
    return case


def check_event(case: JudicialCase, data: CaseEventCreate) -> None:
    """Refuse an event the case's dates or stages do not allow, or an act not described."""
    problems = _event_date_problems(case, data)
    if data.kind is CaseEventKind.ACT and not data.note:
        # An act is known by what it was: a bare date would take a case off the stalled list.
        problems.append(FieldProblem(("body", "note"), "say what the act was"))
    if problems:
        raise InvalidFieldsError(problems)
    if data.kind is CaseEventKind.ACT:
        if data.stage is not None:
            raise InvalidFieldsError(
                [FieldProblem(("body", "stage"), "an act does not change the stage")]
            )
        return
    if data.stage is None:
        raise InvalidFieldsError([FieldProblem(("body", "stage"), "is required")])
    if data.stage == case.stage:
        raise ConflictError(
            f"The case is already at {case.stage.value}",
            [FieldProblem(("body", "stage"), "is already the case's stage", "transition")],
        )
    if data.kind is CaseEventKind.CORRECTION:
        if not data.note:
            raise InvalidFieldsError([FieldProblem(("body", "note"), "a correction must say why")])
        return
    allowed = NEXT_STAGES[case.stage]
    if data.stage not in allowed:
        names = ", ".join(sorted(stage.value for stage in allowed)) or "none: the case is closed"
        raise ConflictError(
            f"A case cannot go from {case.stage.value} to {data.stage.value} (allowed: {names}). "
            "Fix a stage recorded wrongly with a correction.",
            [FieldProblem(("body", "stage"), "transition not allowed", "transition")],
        )


def _event_date_problems(case: JudicialCase, data: CaseEventCreate) -> list[FieldProblem]:
    loc = ("body", "occurred_on")
    if data.occurred_on > latest_allowed_date():
        return [FieldProblem(loc, "must not be in the future")]
    if data.occurred_on < case.opened_on:
        return [
            FieldProblem(
                loc, "is before the complaint ({date})", values={"date": case.opened_on.isoformat()}
            )
        ]
    if data.kind is CaseEventKind.STAGE_CHANGE and data.occurred_on < case.stage_since:
        return [
            FieldProblem(
                loc,
                "is before the current stage began ({date})",
                values={"date": case.stage_since.isoformat()},
            )
        ]
    return []


def _date_problems(opened_on: date, stage_since: date, last_act_on: date) -> list[FieldProblem]:
    problems = []
    latest = latest_allowed_date()
    for name, value in (
        ("opened_on", opened_on),
        ("stage_since", stage_since),
        ("last_act_on", last_act_on),
    ):
        if value > latest:
            problems.append(FieldProblem(("body", name), "must not be in the future"))
    if stage_since < opened_on:
        problems.append(
            FieldProblem(("body", "stage_since"), "is before the complaint (opened_on)")
        )
    if last_act_on < stage_since:
        problems.append(
            FieldProblem(("body", "last_act_on"), "is before the current stage (stage_since)")
        )
    return problems


def _add_event(
    case: JudicialCase,
    kind: CaseEventKind,
    occurred_on: date,
    from_stage: JudicialStage | None,
    to_stage: JudicialStage | None,
    note: str | None,
    principal: Principal,
) -> None:
    case.events.append(
        CaseEvent(
            sequence=len(case.events) + 1,
            kind=kind,
            occurred_on=occurred_on,
            from_stage=from_stage,
            to_stage=to_stage,
            note=note,
            recorded_by_id=principal.user_id,
        )
    )

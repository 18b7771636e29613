"""Verification: the allowed status transitions, as one table, and the decisions recorded.

The day an incident was verified (`verified_on`) is kept on the incident: statistics count by
the quarter of verification and flag late verifications from it (app/counting/periods.py).
"""

from datetime import UTC, date, datetime
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.domain_errors import ConflictError, FieldProblem, InvalidFieldsError
from app.incidents.rules import latest_allowed_date
from app.incidents.schemas import VerificationRequest
from app.models import Incident, VerificationEvent
from app.models.enums import VerificationStatus as S


class Move(Enum):
    ADVANCE = "advance"  # the normal course of verification
    DISCARD = "discard"  # a reason (note) is required
    REOPEN = "reopen"  # only when asked for explicitly (`reopen: true`), with a note


TRANSITIONS: dict[tuple[S, S], Move] = {
    (S.REPORTED, S.PENDING_VERIFICATION): Move.ADVANCE,
    (S.PENDING_VERIFICATION, S.VERIFIED): Move.ADVANCE,
    (S.PENDING_VERIFICATION, S.NOT_VERIFIED): Move.ADVANCE,
    (S.REPORTED, S.DISCARDED): Move.DISCARD,
    (S.PENDING_VERIFICATION, S.DISCARDED): Move.DISCARD,
    (S.VERIFIED, S.DISCARDED): Move.DISCARD,
    (S.NOT_VERIFIED, S.DISCARDED): Move.DISCARD,
    (S.VERIFIED, S.PENDING_VERIFICATION): Move.REOPEN,
    (S.NOT_VERIFIED, S.PENDING_VERIFICATION): Move.REOPEN,
    (S.DISCARDED, S.REPORTED): Move.REOPEN,
    (S.DISCARDED, S.PENDING_VERIFICATION): Move.REOPEN,
}
# A conclusion names the standard of proof applied, e.g. "reasonable grounds to believe".
NEEDS_STANDARD = frozenset({S.VERIFIED, S.NOT_VERIFIED})


def allowed_from(status: S) -> list[str]:
    return [to.value for (frm, to) in TRANSITIONS if frm == status]


def check_decision(incident: Incident, request: VerificationRequest) -> None:
    """Refuse a transition the table does not allow, or a decision missing what it needs."""
    current = incident.verification_status
    move = TRANSITIONS.get((current, request.status))
    if move is None:
        allowed = ", ".join(allowed_from(current)) or "none"
        raise ConflictError(
            f"Verification cannot go from {current.value} to {request.status.value} "
            f"(allowed from {current.value}: {allowed})",
            [FieldProblem(("body", "status"), "transition not allowed", "transition")],
        )
    problems = []
    if move is Move.REOPEN and not request.reopen:
        problems.append(FieldProblem(("body", "reopen"), "must be true to reopen a decision"))
    if move is Move.DISCARD and not request.note:
        problems.append(FieldProblem(("body", "note"), "a reason is required to discard"))
    if move is Move.REOPEN and not request.note:
        problems.append(FieldProblem(("body", "note"), "a reason is required to reopen"))
    if request.status in NEEDS_STANDARD and not request.standard:
        problems.append(FieldProblem(("body", "standard"), "is required for this conclusion"))
    if request.status is S.VERIFIED and not request.sources:
        problems.append(FieldProblem(("body", "sources"), "name at least one source relied on"))
    problems += _verified_on_problems(incident, request)
    if problems:
        raise InvalidFieldsError(problems)


def _verified_on_problems(incident: Incident, request: VerificationRequest) -> list[FieldProblem]:
    if request.verified_on is None:
        return []
    field = ("body", "verified_on")
    if request.status is not S.VERIFIED:
        return [FieldProblem(field, "is only given with status verified")]
    if request.verified_on > latest_allowed_date():
        return [FieldProblem(field, "must not be in the future")]
    if request.verified_on < incident.reported_on:
        return [FieldProblem(field, "must not be before the incident was reported (reported_on)")]
    return []


def verification_day(request: VerificationRequest) -> date | None:
    """The day to keep as `verified_on` once this decision is applied: the day given, else
    today (UTC) for a move to verified; None for any other status, which clears it."""
    if request.status is not S.VERIFIED:
        return None
    return request.verified_on or datetime.now(UTC).date()


def record_decision(
    session: Session,
    incident: Incident,
    from_status: S | None,
    request: VerificationRequest,
    decided_by_id: object,
) -> VerificationEvent:
    event = VerificationEvent(
        incident_id=incident.id,
        from_status=from_status,
        to_status=request.status,
        standard=request.standard,
        sources=request.sources,
        note=request.note,
        decided_by_id=decided_by_id,
    )
    session.add(event)
    return event


def decisions(session: Session, incident: Incident) -> list[VerificationEvent]:
    query = (
        select(VerificationEvent)
        .where(VerificationEvent.incident_id == incident.id)
        .order_by(VerificationEvent.decided_at, VerificationEvent.id)
    )
    return list(session.scalars(query))

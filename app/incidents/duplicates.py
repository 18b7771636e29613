"""The same incident reported twice: linking a report to its canonical incident, and suggesting
likely pairs for a person to confirm. Nothing is merged or deleted: a duplicate keeps its data
and leaves every count."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, exists, select, text
from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.core.domain_errors import ConflictError, NotFoundError
from app.incidents.change import IncidentChange
from app.models import Incident, IncidentViolation
from app.models.base import utcnow
from app.models.enums import DatePrecision

# How far apart two reports of one incident may date, beyond the precision of their dates.
DATE_WINDOW_DAYS = 30
PERIOD_DAYS = {DatePrecision.DAY: 0, DatePrecision.MONTH: 31, DatePrecision.YEAR: 366}
MAX_EXAMINED = 500


def mark_duplicate(
    session: Session, incident: Incident, canonical: Incident, reason: str, principal: Principal
) -> Incident:
    _hold_both(session, incident, canonical)
    _check_link(session, incident, canonical)
    if incident.duplicate_of_id == canonical.id:
        return incident
    change = IncidentChange(session, incident, principal, "duplicate")
    incident.duplicate_of_id = canonical.id
    incident.duplicate_reason = reason
    incident.duplicate_marked_by_id = principal.user_id
    incident.duplicate_marked_at = utcnow()
    change.finish(
        ["duplicate_of_id", "duplicate_reason"], details={"canonical_id": str(canonical.id)}
    )
    return incident


def unlink_duplicate(
    session: Session, incident: Incident, canonical_id: object, principal: Principal
) -> Incident:
    if incident.duplicate_of_id != canonical_id:
        raise NotFoundError("Duplicate link")
    change = IncidentChange(session, incident, principal, "duplicate_unlink")
    incident.duplicate_of_id = None
    incident.duplicate_reason = None
    incident.duplicate_marked_by_id = None
    incident.duplicate_marked_at = None
    change.finish(["duplicate_of_id", "duplicate_reason"])
    return incident


def _hold_both(session: Session, incident: Incident, canonical: Incident) -> None:
    """Both incidents as committed, held to the commit, before the link is checked.

    Each link changes only its own report, so two links checked at once (A to B, B to A) would
    each find the other unlinked and make a loop that leaves the event out of every count. Held
    in id order (PostgreSQL's row locks; SQLite's one write lock, taken by a write that changes
    nothing), the second is checked once the first committed, and refused."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE incidents SET id = id WHERE 0"))
    query = (
        select(Incident)
        .where(Incident.id.in_([incident.id, canonical.id]))
        .order_by(Incident.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    session.scalars(query).all()


def _check_link(session: Session, incident: Incident, canonical: Incident) -> None:
    if incident.id == canonical.id:
        raise ConflictError("An incident cannot be a duplicate of itself")
    if incident.archived_at is not None or canonical.archived_at is not None:
        raise ConflictError("Archived incidents cannot be linked")
    if canonical.duplicate_of_id is not None:
        raise ConflictError(
            "The canonical incident is itself a duplicate: link to the one it points to"
        )
    if incident.duplicate_of_id not in (None, canonical.id):
        raise ConflictError("This report is already linked to another incident: unlink it first")
    has_duplicates = session.scalar(select(exists().where(Incident.duplicate_of_id == incident.id)))
    if has_duplicates:
        raise ConflictError(
            "Other reports are linked to this incident: link them to the canonical one first"
        )


@dataclass(frozen=True)
class Candidate:
    incident: Incident
    score: float
    reasons: list[str]


def candidates(
    session: Session, incident: Incident, readable: Select[tuple[Incident]], limit: int = 10
) -> list[Candidate]:
    """Incidents of the caller's organisation that look like the same event, best first."""
    slack = timedelta(days=DATE_WINDOW_DAYS + PERIOD_DAYS[incident.date_precision] + 366)
    query = readable.where(
        Incident.id != incident.id,
        Incident.country == incident.country,
        Incident.archived_at.is_(None),
        Incident.duplicate_of_id.is_(None),
        Incident.occurred_on.between(incident.occurred_on - slack, incident.occurred_on + slack),
        exists().where(
            IncidentViolation.incident_id == Incident.id,
            IncidentViolation.violation.in_(incident.violations),
        ),
    ).limit(MAX_EXAMINED)
    scored = [_score(incident, other) for other in session.scalars(query)]
    found = [candidate for candidate in scored if candidate is not None]
    return sorted(found, key=lambda c: (-c.score, c.incident.reference))[:limit]


def _score(incident: Incident, other: Incident) -> Candidate | None:
    days_apart = abs((incident.occurred_on - other.occurred_on).days)
    tolerance = DATE_WINDOW_DAYS + max(
        PERIOD_DAYS[incident.date_precision], PERIOD_DAYS[other.date_precision]
    )
    if days_apart > tolerance:
        return None
    reasons = [f"occurred {days_apart} days apart" if days_apart else "same date"]
    score = 0.3 * (1 - days_apart / (tolerance + 1))
    if incident.admin1 and incident.admin1 == other.admin1:
        score += 0.15
        if incident.admin2 and incident.admin2 == other.admin2:
            score += 0.15
            reasons.append(f"same place ({other.admin2}, {other.admin1})")
        else:
            reasons.append(f"same region ({other.admin1})")
    mine, theirs = set(incident.violations), set(other.violations)
    score += 0.2 * len(mine & theirs) / len(mine | theirs)
    reasons.append("forms of violence: " + ", ".join(sorted(v.value for v in mine & theirs)))
    profile = _profile_similarity(incident, other)
    score += 0.15 * profile
    if profile == 1 and incident.victims:
        reasons.append("same victim profile")
    if other.source != incident.source:
        score += 0.05
        reasons.append(f"reported by another source ({other.source.value})")
    return Candidate(other, round(score, 3), reasons)


def _profile_similarity(incident: Incident, other: Incident) -> float:
    """How alike the victims are by category (woman, girl...), from 0 to 1."""
    mine = Counter(victim.category for victim in incident.victims)
    theirs = Counter(victim.category for victim in other.victims)
    largest = max(sum(mine.values()), sum(theirs.values()))
    if largest == 0:
        return 1.0
    return sum((mine & theirs).values()) / largest

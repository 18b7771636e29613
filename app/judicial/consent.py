"""A case goes to justice actors only with its survivors' consent to that (`justice`).

Linking an incident to a judicial case is refused while one of its victims refused, or was never
asked, unless the tracker records why the case goes ahead anyway (`consent_override_reason`):
the reason is kept on the link, and the override is audited with the victims it concerns.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import Principal
from app.core.domain_errors import ConflictError, FieldProblem
from app.core.i18n import N_
from app.models import CaseIncident, JudicialCase, Victim, VictimConsent
from app.models.base import utcnow
from app.models.enums import ConsentKind


@dataclass(frozen=True)
class MissingConsent:
    incident_id: uuid.UUID
    victim_id: uuid.UUID
    position: int
    refused: bool  # False: never asked


def missing_justice_consent(
    session: Session, incident_ids: Sequence[uuid.UUID]
) -> list[MissingConsent]:
    """The victims of these incidents who did not consent to justice, in incident order."""
    if not incident_ids:
        return []
    rows = session.execute(
        select(Victim.incident_id, Victim.id, Victim.position, VictimConsent.granted)
        .outerjoin(
            VictimConsent,
            and_(VictimConsent.victim_id == Victim.id, VictimConsent.kind == ConsentKind.JUSTICE),
        )
        .where(
            Victim.incident_id.in_(incident_ids),
            or_(VictimConsent.granted.is_(None), VictimConsent.granted.is_(False)),
        )
        .order_by(Victim.position)
    ).all()
    order = {incident_id: index for index, incident_id in enumerate(incident_ids)}
    missing = [MissingConsent(row[0], row[1], row[2], row[3] is False) for row in rows]
    return sorted(missing, key=lambda m: (order[m.incident_id], m.position))


def check_justice_consent(
    session: Session,
    incident_ids: Sequence[uuid.UUID],
    override_reason: str | None,
    sent: Sequence[uuid.UUID],
) -> list[MissingConsent]:
    """Refuse linking `incident_ids` (409, naming each victim, located at the incident's place
    in `sent`, the body's list) unless every victim consented or a reason is given; the
    victims the override concerns otherwise."""
    missing = missing_justice_consent(session, incident_ids)
    if missing and not override_reason:
        raise ConflictError(
            "Victims of these incidents have not consented to their case going to justice "
            "actors: record their consent, or give consent_override_reason",
            [_problem(list(sent).index(m.incident_id), m) for m in missing],
        )
    return missing


def _problem(index: int, missing: MissingConsent) -> FieldProblem:
    values = {"position": str(missing.position + 1), "victim_id": str(missing.victim_id)}
    message = (
        N_("victim {position} ({victim_id}) refused consent to justice")
        if missing.refused
        else N_("victim {position} ({victim_id}) was never asked for consent to justice")
    )
    return FieldProblem(("body", "incident_ids", index), message, "consent", values)


def record_override(
    session: Session,
    case: JudicialCase,
    missing: Sequence[MissingConsent],
    reason: str,
    principal: Principal,
) -> None:
    """Keep the reason on each overridden link, and audit who overrode whose consent."""
    if not missing:
        return
    overridden = {m.incident_id for m in missing}
    now = utcnow()
    for link in case.incident_links:
        if link.incident_id in overridden:
            _mark(link, reason, principal, now)
    session.flush()
    record(
        session,
        "judicial_case.consent_override",
        actor=principal,
        record_type="judicial_case",
        record_id=case.id,
        fields=["consent_override_reason"],
        # Whose consent was overridden is itself a consent decision: the audit trail shows it
        # to the owning organisation's admins only. The reason stays on the link.
        details={
            "incident_ids": sorted(str(i) for i in overridden),
            "victim_ids": [str(m.victim_id) for m in missing],
        },
    )


def _mark(link: CaseIncident, reason: str, principal: Principal, now: datetime) -> None:
    link.consent_override_reason = reason
    link.consent_override_by_id = principal.user_id
    link.consent_override_at = now

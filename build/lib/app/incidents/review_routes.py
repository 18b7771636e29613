"""Reviewing incidents: verification decisions, duplicate links and the version history."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.incidents import duplicates, history, service, verification
from app.incidents.routes import (
    CurrentIncident,
    IfMatch,
    read_response,
    require_version,
)
from app.incidents.schemas import (
    DuplicateCandidate,
    DuplicateLink,
    IncidentRead,
    IncidentVersionRead,
    VerificationEventRead,
    VerificationRequest,
)

router = APIRouter(prefix=f"{API_PREFIX}/incidents", tags=["incident review"])
Verifier = Annotated[Principal, Depends(require(Permission.INCIDENT_VERIFY))]
FullReader = Annotated[Principal, Depends(require(Permission.INCIDENT_READ))]


@router.post("/{incident_id}/verification", response_model=IncidentRead)
def decide_verification(
    session: SessionDep,
    verifier: Verifier,
    incident: CurrentIncident,
    body: VerificationRequest,
    response: Response,
    if_match: IfMatch = None,
) -> IncidentRead:
    """Change the verification status along the allowed transitions, with its grounds."""
    if if_match is not None or body.version is not None:
        require_version(incident, if_match, body.version)
    updated = service.decide_verification(session, incident, body, verifier)
    return read_response(updated, response)


@router.get("/{incident_id}/verification", response_model=list[VerificationEventRead])
def list_verification_decisions(
    session: SessionDep, incident: CurrentIncident
) -> list[VerificationEventRead]:
    return [
        VerificationEventRead.model_validate(e) for e in verification.decisions(session, incident)
    ]


@router.get("/{incident_id}/history", response_model=list[IncidentVersionRead])
def incident_history(session: SessionDep, incident: CurrentIncident) -> list[IncidentVersionRead]:
    """Every version: who changed which fields, from what to what (identifying ones by name)."""
    return [IncidentVersionRead.model_validate(v) for v in history.versions(session, incident)]


@router.post("/{incident_id}/duplicate-of/{canonical_id}", response_model=IncidentRead)
def mark_duplicate(
    session: SessionDep,
    verifier: Verifier,
    incident: CurrentIncident,
    canonical_id: uuid.UUID,
    body: DuplicateLink,
    response: Response,
) -> IncidentRead:
    """Link this report to the incident it repeats. It is kept, but left out of every count."""
    canonical = service.get_incident(session, canonical_id, verifier)
    updated = duplicates.mark_duplicate(session, incident, canonical, body.reason, verifier)
    return read_response(updated, response)


@router.delete("/{incident_id}/duplicate-of/{canonical_id}", response_model=IncidentRead)
def unlink_duplicate(
    session: SessionDep,
    verifier: Verifier,
    incident: CurrentIncident,
    canonical_id: uuid.UUID,
    response: Response,
) -> IncidentRead:
    """Undo a duplicate link: the report counts again."""
    updated = duplicates.unlink_duplicate(session, incident, canonical_id, verifier)
    return read_response(updated, response)


@router.get("/{incident_id}/duplicate-candidates", response_model=list[DuplicateCandidate])
def duplicate_candidates(
    session: SessionDep,
    reader: FullReader,
    incident: CurrentIncident,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[DuplicateCandidate]:
    """Reports that look like the same event (place, dates, forms of violence, victims), for a
    person to confirm. Nothing is linked automatically."""
    found = duplicates.candidates(session, incident, service.readable_incidents(reader), limit)
    return [
        DuplicateCandidate(
            id=c.incident.id,
            reference=c.incident.reference,
            occurred_on=c.incident.occurred_on,
            admin1=c.incident.admin1,
            admin2=c.incident.admin2,
            source=c.incident.source,
            violations=c.incident.violations,
            victim_categories=[victim.category for victim in c.incident.victims],
            score=c.score,
            reasons=c.reasons,
        )
        for c in found
    ]

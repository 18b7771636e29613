import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.errors import ApiError
from app.core.permissions import Permission
from app.identity import service as identity
from app.incidents import history, service, verification
from app.incidents.filters import IncidentListQuery
from app.incidents.schemas import (
    IncidentCreate,
    IncidentPage,
    IncidentRead,
    IncidentUpdate,
    IncidentVersionRead,
    VerificationEventRead,
    VerificationRequest,
)
from app.models import Incident

router = APIRouter(prefix=f"{API_PREFIX}/incidents", tags=["incidents"])

Reader = Annotated[Principal, Depends(require(Permission.INCIDENT_READ))]
Writer = Annotated[Principal, Depends(require(Permission.INCIDENT_WRITE))]
Verifier = Annotated[Principal, Depends(require(Permission.INCIDENT_VERIFY))]
IfMatch = Annotated[
    str | None,
    Header(description='The version the change is based on, as returned in `ETag`, e.g. `"3"`.'),
]


def readable_incident(session: SessionDep, reader: Reader, incident_id: uuid.UUID) -> Incident:
    return service.get_incident(session, incident_id, reader)


CurrentIncident = Annotated[Incident, Depends(readable_incident)]


def _read(incident: Incident, response: Response) -> IncidentRead:
    response.headers["ETag"] = f'"{incident.version}"'
    return IncidentRead.model_validate(incident)


def _require_version(incident: Incident, if_match: str | None, body_version: int | None) -> None:
    """Changes must say which version they were based on, so none silently overwrites another."""
    if if_match is not None:
        tag = if_match.strip().removeprefix("W/").strip('"')
        if not tag.isdigit():
            raise ApiError(status=412, detail='If-Match must be the ETag of the incident, e.g. "3"')
        history.check_version(incident, int(tag), status=412)
    elif body_version is not None:
        history.check_version(incident, body_version, status=409)
    else:
        raise ApiError(
            status=428,
            detail="Say which version this change is based on: send If-Match with the "
            "incident's ETag, or `version` in the body.",
        )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IncidentRead)
def create_incident(
    session: SessionDep, writer: Writer, cipher: CipherDep, body: IncidentCreate, response: Response
) -> IncidentRead:
    """Record an incident with its victims and perpetrators, owned by your organisation."""
    incident = service.create_incident(session, body, writer, cipher)
    response.headers["Location"] = f"{router.prefix}/{incident.id}"
    return _read(incident, response)


@router.get("", response_model=IncidentPage)
def list_incidents(
    session: SessionDep, reader: Reader, query: Annotated[IncidentListQuery, Query()]
) -> IncidentPage:
    """Your organisation's incidents matching the filters, most recent first, a page at a time."""
    incidents, next_cursor = service.list_incidents(
        session,
        reader,
        query,
        limit=query.limit,
        cursor=query.cursor,
        include_archived=query.include_archived,
    )
    return IncidentPage(
        items=[IncidentRead.model_validate(incident) for incident in incidents],
        next_cursor=next_cursor,
        limit=query.limit,
    )


@router.get("/{incident_id}", response_model=IncidentRead)
def get_incident(
    session: SessionDep,
    reader: Reader,
    cipher: CipherDep,
    incident: CurrentIncident,
    response: Response,
) -> IncidentRead:
    """The incident. Its `summary` is included for advisers, and that read is audited."""
    view = _read(incident, response)
    if reader.can(Permission.IDENTITY_READ):
        view.summary = identity.read_narrative(session, cipher, incident, reader)
    return view


@router.patch("/{incident_id}", response_model=IncidentRead)
def update_incident(
    session: SessionDep,
    writer: Writer,
    cipher: CipherDep,
    incident: CurrentIncident,
    body: IncidentUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> IncidentRead:
    """Change only the fields sent, based on the version given (If-Match or `version`).

    See the body schema for how victim lists are merged.
    """
    _require_version(incident, if_match, body.version)
    updated = service.update_incident(session, incident, body, writer, cipher)
    return _read(updated, response)


@router.delete("/{incident_id}", status_code=status.HTTP_204_NO_CONTENT)
def archive_incident(
    session: SessionDep,
    writer: Writer,
    incident: CurrentIncident,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
    if_match: IfMatch = None,
) -> None:
    """Archive, never erase: the record is kept, but leaves lists and statistics."""
    if if_match is not None:
        _require_version(incident, if_match, None)
    service.archive_incident(session, incident, reason, writer)


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
        _require_version(incident, if_match, body.version)
    updated = service.decide_verification(session, incident, body, verifier)
    return _read(updated, response)


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

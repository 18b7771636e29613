import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.identity import service as identity
from app.incidents import service
from app.incidents.filters import IncidentListQuery
from app.incidents.schemas import IncidentCreate, IncidentPage, IncidentRead, IncidentUpdate
from app.models import Incident

router = APIRouter(prefix=f"{API_PREFIX}/incidents", tags=["incidents"])

Reader = Annotated[Principal, Depends(require(Permission.INCIDENT_READ))]
Writer = Annotated[Principal, Depends(require(Permission.INCIDENT_WRITE))]


def readable_incident(session: SessionDep, reader: Reader, incident_id: uuid.UUID) -> Incident:
    return service.get_incident(session, incident_id, reader)


CurrentIncident = Annotated[Incident, Depends(readable_incident)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IncidentRead)
def create_incident(
    session: SessionDep, writer: Writer, cipher: CipherDep, body: IncidentCreate, response: Response
) -> IncidentRead:
    """Record an incident with its victims and perpetrators, owned by your organisation."""
    incident = service.create_incident(session, body, writer, cipher)
    response.headers["Location"] = f"{router.prefix}/{incident.id}"
    return IncidentRead.model_validate(incident)


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
    session: SessionDep, reader: Reader, cipher: CipherDep, incident: CurrentIncident
) -> IncidentRead:
    """The incident. Its `summary` is included for advisers, and that read is audited."""
    view = IncidentRead.model_validate(incident)
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
) -> IncidentRead:
    """Change only the fields sent. See the body schema for how victim lists are merged."""
    updated = service.update_incident(session, incident, body, writer, cipher)
    return IncidentRead.model_validate(updated)


@router.delete("/{incident_id}", status_code=status.HTTP_204_NO_CONTENT)
def archive_incident(
    session: SessionDep,
    writer: Writer,
    incident: CurrentIncident,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
) -> None:
    """Archive, never erase: the record is kept, but leaves lists and statistics."""
    service.archive_incident(session, incident, reason, writer)

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from sqlalchemy.orm import Session

from app.core.auth import BearerToken, Principal, in_one_thread, require, require_any
from app.core.config import API_PREFIX
from app.core.crypto import CipherDep
from app.core.db import SessionDep, commit_early
from app.core.permissions import Permission
from app.core.query_models import documented_parameters, read_query
from app.core.responses import PlainJSONResponse
from app.core.versioning import based_on
from app.identity import service as identity
from app.incidents import history, intake, service
from app.incidents.filters import IncidentListQuery
from app.incidents.schemas import (
    BatchResult,
    IncidentBatch,
    IncidentCreate,
    IncidentPage,
    IncidentRead,
    IncidentUpdate,
)
from app.models import Incident

router = APIRouter(prefix=f"{API_PREFIX}/incidents", tags=["incidents"])
batch_router = APIRouter(prefix=API_PREFIX, tags=["incidents"])

READ_PERMISSIONS = (Permission.INCIDENT_READ, Permission.LINKED_INCIDENT_READ)
Reader = Annotated[Principal, Depends(require_any(*READ_PERMISSIONS))]
Writer = Annotated[Principal, Depends(require(Permission.INCIDENT_WRITE))]
IfMatch = Annotated[
    str | None,
    Header(description='The version the change is based on, as returned in `ETag`, e.g. `"3"`.'),
]


def readable_incident(session: SessionDep, reader: Reader, incident_id: uuid.UUID) -> Incident:
    return service.get_incident(session, incident_id, reader)


CurrentIncident = Annotated[Incident, Depends(readable_incident)]


def read_response(incident: Incident, response: Response) -> IncidentRead:
    response.headers["ETag"] = f'"{incident.version}"'
    return IncidentRead.model_validate(incident)


def require_version(incident: Incident, if_match: str | None, body_version: int | None) -> None:
    """Changes must say which version they were based on, so none silently overwrites another."""
    history.check_version(incident, based_on(if_match, body_version, "incident"))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IncidentRead)
def create_incident(
    session: SessionDep,
    writer: Writer,
    cipher: CipherDep,
    body: IncidentCreate,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=200,
            description="Any unique string per incident. A retry with the same key returns the "
            "incident the first attempt created instead of a second one.",
        ),
    ] = None,
) -> Response:
    """Record an incident with its victims and perpetrators, owned by your organisation."""
    headers = {}
    if idempotency_key:
        incident, replayed = intake.create_once(session, body, writer, cipher, idempotency_key)
        if replayed:
            headers["Idempotent-Replayed"] = "true"
    else:
        incident = intake.create_incident(session, body, writer, cipher)
    headers["Location"] = f"{router.prefix}/{incident['id']}"
    headers["ETag"] = f'"{incident["version"]}"'
    # The work is done: committed on this thread rather than on another one after the route.
    commit_early(session)
    # Written out as read back, in `IncidentRead`'s shape, as the list writes its items.
    return PlainJSONResponse(incident, status_code=status.HTTP_201_CREATED, headers=headers)


@batch_router.post(
    "/incidents:batch", status_code=status.HTTP_201_CREATED, response_model=BatchResult
)
def import_incidents(
    session: SessionDep,
    writer: Writer,
    cipher: CipherDep,
    body: IncidentBatch,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=200,
            description="Any unique string per batch. A retry with the same key returns what "
            "the first attempt created instead of creating it all again.",
        ),
    ] = None,
) -> Response:
    """Import up to 1,000 incidents at once: all or none. Errors name the row and the field
    (`incidents[3].victims[0].age`)."""
    headers = {}
    if idempotency_key:
        written, replayed = intake.import_batch_once(
            session, body.incidents, writer, cipher, idempotency_key
        )
        if replayed:
            headers["Idempotent-Replayed"] = "true"
    else:
        written = intake.import_batch(session, body.incidents, writer, cipher)
    # Written out as plain data in `BatchResult`'s shape, as the list writes its items: a model
    # for each of a thousand items, validated again on the way out, only made the same JSON.
    created = [
        {"index": index, "id": item.id, "reference": item.reference}
        for index, item in enumerate(written)
    ]
    result = {"count": len(written), "created": created}
    return PlainJSONResponse(result, status_code=status.HTTP_201_CREATED, headers=headers)


@router.get(
    "",
    response_model=IncidentPage,
    openapi_extra={"parameters": documented_parameters(IncidentListQuery)},
)
async def list_incidents(request: Request, token: BearerToken) -> Response:
    """Your organisation's incidents matching the filters, most recent first, a page at a time."""
    # `IncidentListQuery`, read in one validation rather than FastAPI's field by field.
    query = read_query(request, IncidentListQuery)

    def page(session: Session, reader: Principal) -> Response:
        # Written out as read, in `IncidentPage`'s shape: on PostgreSQL as the database wrote
        # it. Validating fifty incidents into models only to serialise them again was a fifth
        # of a page's cost. Tests hold list and detail equal.
        written = service.list_incidents_json(session, reader, query)
        return Response(written, media_type="application/json")

    # As `Reader` and `SessionDep` would, with the token check, the page and the commit on one
    # thread.
    return await in_one_thread(request, token, READ_PERMISSIONS, page)


@router.get("/{incident_id}", response_model=IncidentRead)
def get_incident(
    session: SessionDep,
    reader: Reader,
    cipher: CipherDep,
    incident: CurrentIncident,
    response: Response,
) -> IncidentRead:
    """The incident. Its `summary` is included for advisers, and that read is audited."""
    view = read_response(incident, response)
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
    require_version(incident, if_match, body.version)
    updated = service.update_incident(session, incident, body, writer, cipher)
    return read_response(updated, response)


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
        require_version(incident, if_match, None)
    service.archive_incident(session, incident, reason, writer)

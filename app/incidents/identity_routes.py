"""A victim's identifying details and consent, under the incident they belong to.

Here, not in app/identity: these routes hang off an incident, and identity sits below the
incidents (it never imports them)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response, status

from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.identity import service as identity
from app.identity.schemas import ConsentIn, IdentityIn, IdentityRead
from app.incidents import service as incidents
from app.incidents.routes import CurrentIncident
from app.incidents.schemas import VictimRead
from app.incidents.service import ensure_not_archived
from app.models import Victim

router = APIRouter(
    prefix=f"{API_PREFIX}/incidents/{{incident_id}}/victims/{{victim_id}}",
    tags=["survivor identity and consent"],
)
IdentityReader = Annotated[Principal, Depends(require(Permission.IDENTITY_READ))]
IdentityWriter = Annotated[Principal, Depends(require(Permission.IDENTITY_WRITE))]
IncidentWriter = Annotated[Principal, Depends(require(Permission.INCIDENT_WRITE))]


def incident_victim(incident: CurrentIncident, victim_id: uuid.UUID) -> Victim:
    return incidents.get_victim(incident, victim_id)


CurrentVictim = Annotated[Victim, Depends(incident_victim)]


@router.get("/identity", response_model=IdentityRead)
def read_identity(
    session: SessionDep,
    reader: IdentityReader,
    cipher: CipherDep,
    victim: CurrentVictim,
    response: Response,
) -> IdentityRead:
    """The victim's identifying details, with the ETag a replacement sends as If-Match. Each
    read is written to the audit trail."""
    details = identity.read_identity(session, cipher, victim, reader)
    response.headers["ETag"] = identity.identity_etag(victim)
    return IdentityRead.model_validate(details.model_dump())


@router.put("/identity", status_code=status.HTTP_204_NO_CONTENT)
def replace_identity(
    session: SessionDep,
    writer: IdentityWriter,
    cipher: CipherDep,
    victim: CurrentVictim,
    body: IdentityIn,
    if_match: Annotated[
        str | None,
        Header(
            description="The ETag of the details replaced, as `GET .../identity` returns it; "
            '`"none"` when there are none yet.'
        ),
    ] = None,
) -> Response:
    """Replace the identifying details (all fields empty erases them), based on those read:
    If-Match is required (428 without it), and a save based on details changed since is
    refused (412). Nothing is echoed back but the new ETag."""
    ensure_not_archived(victim.incident)
    identity.refuse_unless_matched(session, victim, if_match)
    identity.set_identity(session, cipher, victim, body, writer)
    headers = {"ETag": identity.identity_etag(victim)}
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers=headers)


@router.put("/consent", response_model=VictimRead)
def record_consent(
    session: SessionDep, writer: IncidentWriter, victim: CurrentVictim, body: ConsentIn
) -> VictimRead:
    """Record the survivor's decisions sent; those not sent stay as they were."""
    incidents.update_consent(session, victim.incident, victim, body, writer)
    return VictimRead.model_validate(victim)

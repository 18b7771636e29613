"""A survivor's identifying details on the web: read (each read audited) and replaced.

The incident's form takes a name and a contact when the incident is logged; this page is where
they are read afterwards and corrected, with the address, notes and survivor code the API also
keeps. Only the owning organisation's advisers with identity access reach it (another
organisation's incident is not found, as everywhere); when their organisation requires a second
factor they have not enrolled, the identity permissions are withheld and the page is refused.
Nothing of the details goes into a URL, a title or a log, and the page is sent no-store.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.domain_errors import DomainError
from app.core.errors import http_status
from app.core.permissions import Permission
from app.identity import service as identity
from app.identity.schemas import IdentityIn
from app.incidents import service as incidents
from app.models import Incident, Victim
from app.web.forms import errors_from_validation
from app.web.pages.incident_forms import form_errors
from app.web.pages.posting import Submitted, submitted_to
from app.web.rendering import redirect, render
from app.web.session import PageContext, page_for

router = APIRouter(include_in_schema=False)
IdentityReaderPage = Annotated[PageContext, Depends(page_for(Permission.IDENTITY_READ))]
IdentityForm = Annotated[
    Submitted, Depends(submitted_to(page_for(Permission.IDENTITY_READ, Permission.IDENTITY_WRITE)))
]
FIELDS = tuple(IdentityIn.model_fields)
PATH = "/incidents/{incident_id}/victims/{victim_id}/identity"


@router.get(PATH)
def identity_page(
    page: IdentityReaderPage,
    session: SessionDep,
    cipher: CipherDep,
    incident_id: uuid.UUID,
    victim_id: uuid.UUID,
) -> Response:
    incident, victim = _victim(session, page, incident_id, victim_id)
    details = identity.read_identity(session, cipher, victim, page.user)
    values = {name: value or "" for name, value in details.model_dump().items()}
    return _show(page, incident, victim, values, shown=identity.identity_stamp(victim))


@router.post(PATH)
def replace_identity(
    posted: IdentityForm,
    session: SessionDep,
    cipher: CipherDep,
    incident_id: uuid.UUID,
    victim_id: uuid.UUID,
) -> Response:
    page = posted.page
    incident, victim = _victim(session, page, incident_id, victim_id)
    values = {name: posted.field(name) for name in FIELDS}
    shown = posted.field("shown")
    try:
        details = IdentityIn.model_validate({k: v.strip() or None for k, v in values.items()})
        incidents.ensure_not_archived(incident)
        identity.refuse_if_changed(session, victim, shown)
        identity.set_identity(session, cipher, victim, details, page.user)
    except ValidationError as error:
        errors = errors_from_validation(page.t, error)
        return _show(page, incident, victim, values, 422, errors, shown=shown)
    except DomainError as error:
        session.rollback()
        status, errors = http_status(error), form_errors(page, error)
        stale = isinstance(error, identity.IdentityChangedError)
        return _show(page, incident, victim, values, status, errors, shown=shown, stale=stale)
    return redirect(f"/incidents/{incident.id}?identity=1")


def _victim(
    session: Session, page: PageContext, incident_id: uuid.UUID, victim_id: uuid.UUID
) -> tuple[Incident, Victim]:
    incident = incidents.get_incident(session, incident_id, page.user)
    return incident, incidents.get_victim(incident, victim_id)


def _show(
    page: PageContext,
    incident: Incident,
    victim: Victim,
    values: dict[str, str],
    status: int = 200,
    errors: dict[str, str] | None = None,
    *,
    shown: str,
    stale: bool = False,
) -> Response:
    """The page; `shown`, what the form is based on, goes back with it unchanged, so that an
    adviser whose save was refused as stale opens the page again to see the details as they are
    (an audited read) rather than saving over them."""
    return render(
        page,
        "incidents/identity.html",
        status,
        incident=incident,
        victim=victim,
        position=incident.victims.index(victim) + 1,
        values=values,
        errors=errors or {},
        shown=shown,
        stale=stale,
        may_change=page.can(Permission.IDENTITY_WRITE) and incident.archived_at is None,
    )

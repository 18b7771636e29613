"""Advisers' incident pages: the filtered list, an incident's detail and history, and its
verification decisions."""

import uuid
from typing import Annotated, Any, get_origin

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.core.crypto import CipherDep, FieldCipher
from app.core.db import SessionDep
from app.core.domain_errors import DomainError, VersionNamedBy
from app.core.permissions import Permission
from app.core.versioning import BasedOn, version_number
from app.identity import service as identity
from app.incidents import history, regions, service, verification
from app.incidents.filters import IncidentListQuery
from app.incidents.schemas import IncidentRead, VerificationRequest
from app.models import Incident
from app.models.enums import PerpetratorCategory, Source, VerificationStatus, Violation
from app.web.forms import (
    Check,
    errors_from_problems,
    errors_from_validation,
    text_field,
    validated,
)
from app.web.pages.incident_forms import form_errors, party_options
from app.web.rendering import redirect, render, repeated_parameters_page
from app.web.session import PageContext, PostedForm, page_for

router = APIRouter(include_in_schema=False)
AdviserPage = Annotated[PageContext, Depends(page_for(Permission.INCIDENT_READ))]
VerifierPage = Annotated[PageContext, Depends(page_for(Permission.INCIDENT_VERIFY))]

LIST_FILTERS = {
    "violation": Violation,
    "source": Source,
    "verification_status": VerificationStatus,
    "perpetrator_category": PerpetratorCategory,
}
PAGE_SIZE = 50


# The list's parameters that may repeat (`?source=ngo&source=media`), read off the API's model.
REPEATABLE = {
    name
    for name, field in IncidentListQuery.model_fields.items()
    if get_origin(field.annotation) is list
}
SINGLE = set(IncidentListQuery.model_fields) - REPEATABLE - {"limit", "include_archived"}


def _list_query(request: Request) -> dict[str, Any]:
    """The list's query string as the API's filter model expects it (lists for repeatables)."""
    params: dict[str, Any] = {}
    for name, value in request.query_params.multi_items():
        if not value.strip():
            continue
        if name in REPEATABLE:
            params.setdefault(name, []).append(value)
        elif name in SINGLE:
            params[name] = value
    return params


def _list_page(
    page: PageContext, session: Session, params: dict[str, Any]
) -> tuple[list[IncidentRead], str | None, dict[str, str]]:
    """A page of the list for these filters, or the problems with them by field."""
    try:
        query = IncidentListQuery.model_validate({**params, "limit": PAGE_SIZE})
        views, next_cursor = service.list_incidents(
            session, page.user, query, limit=PAGE_SIZE, cursor=query.cursor
        )
    except ValidationError as error:
        return [], None, errors_from_validation(page.t, error)
    except DomainError as error:
        return [], None, errors_from_problems(page.t, error.errors)
    return [IncidentRead.model_validate(view) for view in views], next_cursor, {}


@router.get("/incidents")
def incident_list(page: AdviserPage, session: SessionDep) -> Response:
    if (refusal := repeated_parameters_page(page.request, SINGLE)) is not None:
        return refusal  # `_list_query` would silently keep the last of them
    params = _list_query(page.request)
    incidents, next_cursor, errors = _list_page(page, session, params)
    if not incidents and not errors and params.get("admin1"):
        # "gao" or "Menaka" typed for "Gao" and "Ménaka": looked up only when nothing matched.
        spellings = regions.recorded_spellings(session, page.user, params["admin1"])
        if spellings != params["admin1"]:
            params = {**params, "admin1": spellings}
            incidents, next_cursor, errors = _list_page(page, session, params)
    return render(
        page,
        "incidents/list.html",
        400 if errors else 200,
        incidents=incidents,
        next_cursor=next_cursor,
        params=params,
        errors=errors,
        filters=LIST_FILTERS,
        party_options=party_options(session),
    )


@router.get("/incidents/{incident_id}")
def incident_detail(
    page: AdviserPage, session: SessionDep, cipher: CipherDep, incident_id: uuid.UUID
) -> Response:
    return _show_detail(page, session, cipher, incident_id)


def _show_detail(
    page: PageContext,
    session: Session,
    cipher: FieldCipher,
    incident_id: uuid.UUID,
    status: int = 200,
    errors: dict[str, str] | None = None,
    decision: dict[str, Any] | None = None,
) -> Response:
    principal = page.user
    incident = service.get_incident(session, incident_id, principal)
    summary = None
    if principal.can(Permission.IDENTITY_READ):
        summary = identity.read_narrative(session, cipher, incident, principal)
    return render(
        page,
        "incidents/detail.html",
        status,
        incident=incident,
        summary=summary,
        versions=list(reversed(history.versions(session, incident))),
        decisions=verification.decisions(session, incident),
        next_statuses=verification.allowed_from(incident.verification_status),
        errors=errors or {},
        decision=decision or {},
    )


@router.post("/incidents/{incident_id}/verification")
def decide_verification(
    page: VerifierPage,
    form: PostedForm,
    session: SessionDep,
    cipher: CipherDep,
    incident_id: uuid.UUID,
) -> Response:
    principal = page.user
    incident = service.get_incident(session, incident_id, principal)
    body = _decision_body(form)
    # The form always carries the version it was shown at; a stale one is refused first, as the
    # edit form refuses it: checked against the new status, the decision was refused as "not
    # allowed", which hid that someone else had decided meanwhile. A version that is no number
    # (edited by hand) is an old one.
    if (version_number(body["version"]) or 0) != incident.version:
        errors = {"form": page.t.gettext("Someone else changed this incident meanwhile.")}
        return _show_detail(page, session, cipher, incident_id, 409, errors, body)
    try:
        request = validated(VerificationRequest, body, check_decision(incident))
        history.check_version(incident, BasedOn(request.version or 0, VersionNamedBy.BODY))
        service.decide_verification(session, incident, request, principal)
    except (ValidationError, DomainError) as error:
        session.rollback()
        errors = form_errors(page, error)
        return _show_detail(page, session, cipher, incident_id, 422, errors, body)
    return redirect(f"/incidents/{incident.id}?decided=1")


def check_decision(incident: Incident) -> Check:
    return lambda request: verification.check_decision(incident, request)


def _decision_body(form: FormData) -> dict[str, Any]:
    sources = (text_field(form, "sources") or "").splitlines()
    return {
        "status": text_field(form, "status"),
        "standard": text_field(form, "standard"),
        "sources": [source.strip() for source in sources if source.strip()],
        "note": text_field(form, "note"),
        "reopen": form.get("reopen") == "yes",
        "version": text_field(form, "version"),
        "verified_on": text_field(form, "verified_on"),
    }

"""Advisers' incident forms: log an incident, and edit it against the version it was opened at.

Each form is turned into the API's own body and handed to the same service functions the API
uses, so the pages enforce exactly the API's rules and permissions.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.armed_parties.service import list_armed_parties
from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.domain_errors import DomainError
from app.core.errors import http_status
from app.core.permissions import Permission
from app.core.versioning import version_number
from app.incidents import history, intake, service
from app.incidents.crosswalk import type_warnings
from app.incidents.intake_fields import IncidentIntake, PerpetratorIntake, VictimIntake
from app.incidents.new_incidents import check_incident
from app.incidents.schemas import IncidentCreate, IncidentFields, IncidentUpdate
from app.models import Incident
from app.web.forms import (
    INCIDENT_STAND_INS,
    Check,
    errors_from_problems,
    errors_from_validation,
    incident_fields,
    perpetrator_body,
    rows,
    text_field,
    validated,
    victim_body,
)
from app.web.i18n import DEFAULT_LANGUAGE, N_
from app.web.rendering import redirect, render
from app.web.session import PageContext, PostedForm, page_for

router = APIRouter(include_in_schema=False)
WriterPage = Annotated[PageContext, Depends(page_for(Permission.INCIDENT_WRITE))]

STATUS_MEANINGS = {
    400: N_("The request could not be completed."),
    409: N_("The record changed meanwhile, or is closed to changes; reload it and try again."),
    412: N_("The record changed meanwhile; reload it and try again."),
}
# The incident's own fields the form edits as text; forms of violence are checkboxes, and the
# verification status changes only through a decision.
TEXT_FIELDS = tuple(
    name
    for name in IncidentFields.model_fields
    if name not in ("violations", "verification_status")
)
OPTIONAL_FIELDS = ("admin1", "admin2", "admin3", "pcode", "gbv_type", *IncidentIntake.model_fields)


def party_options(session: Session) -> list[tuple[str, str]]:
    """The armed parties as (id, name) choices for a <select>."""
    return [(str(party.id), party.name) for party in list_armed_parties(session, None, None)]


def _show_form(
    page: PageContext,
    session: Session,
    *,
    status: int = 200,
    incident: Incident | None = None,
    values: dict[str, Any],
    victims: list[dict[str, Any]],
    perpetrators: list[dict[str, Any]],
    errors: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    return render(
        page,
        "incidents/form.html",
        status,
        incident=incident,
        values=values,
        victims=victims or [{}],
        perpetrators=perpetrators or [{}],
        errors=errors or {},
        party_options=party_options(session),
        warnings=_warnings(values),
        **extra,
    )


def _warnings(values: dict[str, Any]) -> list[Any]:
    """The GBVIMS type's warnings for the type and forms shown (none while either is unusable)."""
    try:
        return type_warnings(values.get("gbv_type") or None, values.get("violations") or [])
    except ValueError:
        return []


@router.get("/incidents/new")
def new_incident_form(page: WriterPage, session: SessionDep) -> Response:
    return _show_form(
        page,
        session,
        values={"country": "ML", "idempotency_key": str(uuid.uuid4())},
        victims=[{}],
        perpetrators=[{}],
    )


# The handlers that post are plain `def`s (run in the thread pool): they query, lock rows and
# encrypt. Only reading the form is awaited, in `PostedForm`, before they start.
@router.post("/incidents/new")
def create_incident(
    page: WriterPage, form: PostedForm, session: SessionDep, cipher: CipherDep
) -> Response:
    values = incident_fields(form, (*TEXT_FIELDS, "summary", "idempotency_key"))
    victims, perpetrators = rows(form, "victims"), rows(form, "perpetrators")
    if (added := text_field(form, "add")) is not None:  # "add a row" without JavaScript
        (victims if added == "victims" else perpetrators).append({})
        return _show_form(page, session, values=values, victims=victims, perpetrators=perpetrators)
    key = values.pop("idempotency_key", None) or str(uuid.uuid4())
    body = {
        **values,
        "victims": [victim_body(row, with_identity=True) for row in victims],
        "perpetrators": [perpetrator_body(row) for row in perpetrators],
    }
    try:
        data = validated(IncidentCreate, body, check_new(session), INCIDENT_STAND_INS)
        # The form's key makes a double click, or a resend over a bad link, create one incident.
        incident, _replayed = intake.create_once(session, data, page.user, cipher, key)
    except (ValidationError, DomainError) as error:
        session.rollback()
        return _show_form(
            page,
            session,
            status=422,
            values={**values, "idempotency_key": key},
            victims=victims,
            perpetrators=perpetrators,
            errors=form_errors(page, error),
        )
    return redirect(f"/incidents/{incident['id']}?created=1")


def check_new(session: Session) -> Check:
    return lambda data: check_incident(session, data).problems


def check_change(session: Session, incident: Incident) -> Check:
    return lambda data: service.check_update(session, incident, data).problems


def form_errors(page: PageContext, error: ValidationError | DomainError) -> dict[str, str]:
    if isinstance(error, ValidationError):
        return errors_from_validation(page.t, error)
    errors = errors_from_problems(page.t, error.errors)
    if errors:
        return errors
    # A refusal about the whole record: its own words if the catalogue has them, else the
    # general meaning of its status, so the page never switches language mid-sentence.
    translated = page.t.gettext(error.detail)
    if translated == error.detail and page.t.language != DEFAULT_LANGUAGE:
        translated = page.t.gettext(STATUS_MEANINGS.get(http_status(error), STATUS_MEANINGS[400]))
    return {"form": translated}


def _current_values(incident: Incident) -> dict[str, Any]:
    values = {name: getattr(incident, name) for name in TEXT_FIELDS}
    values = {name: "" if value is None else str(value) for name, value in values.items()}
    values["violations"] = list(incident.violations)
    values["version"] = str(incident.version)
    return values


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _current_victims(incident: Incident) -> list[dict[str, Any]]:
    return [
        {
            "id": str(victim.id),
            "sex": victim.sex,
            "age": "" if victim.age is None else str(victim.age),
            "age_group": "" if victim.age is not None else victim.age_group,
            "displacement_status": victim.displacement_status,
            "disability": victim.disability,
            **{name: _text(getattr(victim, name)) for name in VictimIntake.model_fields},
            **{
                f"consent_{kind}": "yes" if row.granted else "no"
                for kind, row in victim.consent.items()
            },
        }
        for victim in incident.victims
    ]


def _current_perpetrators(incident: Incident) -> list[dict[str, Any]]:
    return [
        {
            "id": str(p.id),
            "category": p.category,
            "armed_party_id": "" if p.armed_party_id is None else str(p.armed_party_id),
            **{name: _text(getattr(p, name)) for name in PerpetratorIntake.model_fields},
        }
        for p in incident.perpetrators
    ]


@router.get("/incidents/{incident_id}/edit")
def edit_incident_form(page: WriterPage, session: SessionDep, incident_id: uuid.UUID) -> Response:
    incident = service.get_incident(session, incident_id, page.user)
    return _show_form(
        page,
        session,
        incident=incident,
        values=_current_values(incident),
        victims=_current_victims(incident),
        perpetrators=_current_perpetrators(incident),
    )


@router.post("/incidents/{incident_id}/edit")
def update_incident(
    page: WriterPage,
    form: PostedForm,
    session: SessionDep,
    cipher: CipherDep,
    incident_id: uuid.UUID,
) -> Response:
    principal = page.user
    incident = service.get_incident(session, incident_id, principal)
    values = incident_fields(form, (*TEXT_FIELDS, "version"))
    victims, perpetrators = rows(form, "victims"), rows(form, "perpetrators")
    shown = {"values": values, "victims": victims, "perpetrators": perpetrators}
    if (added := text_field(form, "add")) is not None:
        (victims if added == "victims" else perpetrators).append({})
        return _show_form(page, session, incident=incident, **shown)
    # A version the page did not send (edited by hand) is treated as an old one: nothing is saved.
    based_on = version_number(values.get("version")) or 0
    if based_on != incident.version:
        return _show_stale(page, session, incident, based_on, shown)
    body = {
        **{name: None for name in OPTIONAL_FIELDS},  # an emptied input clears the field
        **values,
        "victims": [victim_body(row, with_identity=False) for row in victims],
        "perpetrators": [perpetrator_body(row) for row in perpetrators],
    }
    try:
        data = validated(IncidentUpdate, body, check_change(session, incident), INCIDENT_STAND_INS)
        service.update_incident(session, incident, data, principal, cipher)
    except (ValidationError, DomainError) as error:
        session.rollback()
        incident = service.get_incident(session, incident_id, principal)
        return _show_form(
            page, session, status=422, incident=incident, errors=form_errors(page, error), **shown
        )
    return redirect(f"/incidents/{incident.id}?saved=1")


def _show_stale(
    page: PageContext,
    session: Session,
    incident: Incident,
    based_on: int,
    shown: dict[str, Any],
) -> Response:
    """Someone saved first: show what they changed, keep this user's entries, save nothing."""
    changes = [v for v in history.versions(session, incident) if v.version > based_on]
    shown["values"]["version"] = str(incident.version)
    return _show_form(
        page,
        session,
        status=409,
        incident=incident,
        stale_changes=changes,
        errors={"form": page.t.gettext("Someone else changed this incident meanwhile.")},
        **shown,
    )

"""Advisers' pages for survivor services: the directory, and a victim's referrals with the forms
to refer them and to record a follow-up."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.core.crypto import FieldCipher, get_cipher
from app.core.db import SessionDep
from app.core.domain_errors import DomainError, NotFoundError
from app.core.permissions import Permission
from app.core.versioning import based_on, version_number
from app.incidents import service as incidents
from app.models import Victim
from app.models.enums import ConsentKind
from app.models.referral import ReferralStatus, ServiceKind
from app.referrals import directory, service, transitions
from app.referrals.schemas import DirectoryQuery, ReferralCreate, ReferralUpdate
from app.web.forms import error_status, errors_from_validation, filled_in, text_field
from app.web.pages.incident_forms import form_errors
from app.web.rendering import redirect, render
from app.web.session import PageContext, page_for, posted_form_for

router = APIRouter(include_in_schema=False)
DirectoryPage = Annotated[PageContext, Depends(page_for(Permission.SERVICE_READ))]
ReferralsPage = Annotated[PageContext, Depends(page_for(Permission.REFERRAL_READ))]
ReferralWriterPage = Annotated[PageContext, Depends(page_for(Permission.REFERRAL_WRITE))]
Cipher = Annotated[FieldCipher, Depends(get_cipher)]
PLACE_FIELDS = ("country", "admin1", "admin2", "kind")
REFER_FIELDS = ("service_kind", "service_point_id", "outside_name", "referred_on")
REFER_FIELDS_MORE = ("next_follow_up_on", "note")
FOLLOW_UP_FIELDS = ("status", "status_on", "followed_up_on", "next_follow_up_on", "note")


PostedForm = posted_form_for(ReferralWriterPage)


@router.get("/services")
def directory_page(page: DirectoryPage, session: SessionDep) -> Response:
    chosen = filled_in(page.request.query_params, PLACE_FIELDS)  # type: ignore[arg-type]
    errors: dict[str, str] = {}
    points = []
    try:
        points = directory.search(session, DirectoryQuery.model_validate(chosen))
    except ValidationError as error:
        errors = errors_from_validation(page.t, error)
    return render(
        page,
        "services/directory.html",
        400 if errors else 200,
        chosen=chosen,
        errors=errors,
        points=points,
        kinds=ServiceKind,
        kind_options=page.labels.options(ServiceKind),
    )


def _victim(
    session: Session, page: PageContext, incident_id: uuid.UUID, victim_id: uuid.UUID
) -> Victim:
    incident = incidents.get_incident(session, incident_id, page.user)
    return incidents.get_victim(incident, victim_id)


def _show_referrals(
    page: PageContext,
    session: Session,
    victim: Victim,
    status: int = 200,
    errors: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
    follow_up_of: uuid.UUID | None = None,
) -> Response:
    consent = victim.consent.get(ConsentKind.REFERRAL)
    referrals = service.victim_referrals(session, victim)
    return render(
        page,
        "services/referrals.html",
        status,
        victim=victim,
        incident=victim.incident,
        consented=consent is not None and consent.granted,
        referrals=referrals,
        next_statuses={r.id: transitions.allowed_from(r.status) for r in referrals},
        points=directory.search(session, DirectoryQuery()),
        kind_options=page.labels.options(ServiceKind),
        kinds=ServiceKind,
        statuses=ReferralStatus,
        errors=errors or {},
        entered=entered or {},
        follow_up_of=follow_up_of,
    )


VICTIM_PAGE = "/incidents/{incident_id}/victims/{victim_id}/referrals"


@router.get(VICTIM_PAGE)
def referrals_page(
    page: ReferralsPage, session: SessionDep, incident_id: uuid.UUID, victim_id: uuid.UUID
) -> Response:
    return _show_referrals(page, session, _victim(session, page, incident_id, victim_id))


@router.post(VICTIM_PAGE)
def refer_victim(
    page: ReferralWriterPage,
    form: PostedForm,
    session: SessionDep,
    cipher: Cipher,
    incident_id: uuid.UUID,
    victim_id: uuid.UUID,
) -> Response:
    victim = _victim(session, page, incident_id, victim_id)
    entered = filled_in(form, REFER_FIELDS + REFER_FIELDS_MORE)
    try:
        data = ReferralCreate.model_validate(entered)
        service.create_referral(session, cipher, victim.incident, victim, data, page.user)
    except (ValidationError, DomainError) as error:
        session.rollback()
        victim = _victim(session, page, incident_id, victim_id)
        return _show_referrals(
            page, session, victim, error_status(error), form_errors(page, error), entered
        )
    return redirect(
        VICTIM_PAGE.format(incident_id=incident_id, victim_id=victim_id) + "?referred=1"
    )


@router.post("/referrals/{referral_id}/follow-up")
def follow_up(
    page: ReferralWriterPage,
    form: PostedForm,
    session: SessionDep,
    cipher: Cipher,
    referral_id: uuid.UUID,
) -> Response:
    access = service.get_access(session, referral_id, page.user)
    if not access.owner:
        raise NotFoundError("Referral")  # the service point's side answers through the API
    referral = access.referral
    incident_id, victim_id = referral.incident_id, referral.victim_id
    entered = filled_in(form, FOLLOW_UP_FIELDS)
    try:
        # What was typed is checked first, field by field (a malformed date is named as such),
        # then the version the form was opened at, then the rules on dates and moves.
        data = ReferralUpdate.model_validate(entered)
        based_on(None, form_version(form), "record").refuse_if_stale(referral.version)
        incidents.ensure_not_archived(referral.incident)
        service.update_referral(session, cipher, access, data, page.user)
    except (ValidationError, DomainError) as error:
        session.rollback()
        victim = _victim(session, page, incident_id, victim_id)
        return _show_referrals(
            page,
            session,
            victim,
            error_status(error),
            form_errors(page, error),
            entered,
            referral_id,
        )
    return redirect(
        VICTIM_PAGE.format(incident_id=incident_id, victim_id=victim_id) + "?followed=1"
    )


def form_version(form: FormData) -> int:
    """The version the form was opened at; 0 (no version) for anything but a small number."""
    return version_number(text_field(form, "version")) or 0

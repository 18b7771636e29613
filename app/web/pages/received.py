"""The service point's side of referrals: those made to the organisation's service points,
de-identified (code, service asked for, dates, status), with the form to move their status
along the same table as the API, against the version the page showed."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.core.crypto import FieldCipher, get_cipher
from app.core.db import SessionDep
from app.core.domain_errors import DomainError, InvalidFieldsError
from app.core.pagination import DEFAULT_PAGE_SIZE
from app.core.permissions import Permission
from app.core.versioning import based_on
from app.models.referral import ReferralStatus, ServiceKind
from app.referrals import service, transitions
from app.referrals.schemas import ReferralUpdate
from app.web.forms import error_status, filled_in
from app.web.pages.incident_forms import form_errors
from app.web.pages.services import form_version
from app.web.rendering import redirect, render, repeated_parameters_page
from app.web.session import PageContext, page_for, posted_form_for

router = APIRouter(include_in_schema=False)
ReceivedPage = Annotated[PageContext, Depends(page_for(Permission.REFERRAL_READ))]
StatusWriterPage = Annotated[PageContext, Depends(page_for(Permission.REFERRAL_WRITE))]
Cipher = Annotated[FieldCipher, Depends(get_cipher)]
RECEIVED_PAGE = "/referrals/received"
# All the service point's side may send: a status and the day it was reached.
STATUS_FIELDS = ("status", "status_on")


PostedForm = posted_form_for(StatusWriterPage)


def _show(
    page: PageContext,
    session: Session,
    status: int = 200,
    errors: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
    moved_of: uuid.UUID | None = None,
) -> Response:
    cursor = page.request.query_params.get("cursor") or None
    try:
        referrals, next_cursor = service.received_referrals(
            session, page.user, DEFAULT_PAGE_SIZE, cursor
        )
    except InvalidFieldsError:  # a cursor edited by hand: start again from the newest
        referrals, next_cursor = service.received_referrals(session, page.user, DEFAULT_PAGE_SIZE)
    return render(
        page,
        "services/received.html",
        status,
        referrals=referrals,
        next_cursor=next_cursor,
        cursor=cursor,
        next_statuses={
            r.id: transitions.allowed_from(r.status, by_service_point=True) for r in referrals
        },
        kinds=ServiceKind,
        statuses=ReferralStatus,
        errors=errors or {},
        entered=entered or {},
        moved_of=moved_of,
    )


@router.get(RECEIVED_PAGE)
def received_page(page: ReceivedPage, session: SessionDep) -> Response:
    if (refusal := repeated_parameters_page(page.request, ("cursor",))) is not None:
        return refusal  # `_show` reads one cursor and would silently keep the last
    return _show(page, session)


@router.post("/referrals/{referral_id}/status")
def move_status(
    page: StatusWriterPage,
    form: PostedForm,
    session: SessionDep,
    cipher: Cipher,
    referral_id: uuid.UUID,
) -> Response:
    access = service.get_received(session, referral_id, page.user)
    entered = filled_in(form, STATUS_FIELDS)
    try:
        # What was typed is checked first, field by field, then the version, then the rules.
        data = ReferralUpdate.model_validate(entered)
        based_on(None, form_version(form), "record").refuse_if_stale(access.referral.version)
        service.update_referral(session, cipher, access, data, page.user)
    except (ValidationError, DomainError) as error:
        session.rollback()
        status = error_status(error)
        return _show(page, session, status, form_errors(page, error), entered, referral_id)
    return redirect(RECEIVED_PAGE + "?moved=1")

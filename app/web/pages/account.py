"""Each signed-in user's own account: their second factor and their password.

A second factor's secret is shown once, in the page that answers the enrolment form (as text
and as a QR code drawn here as inline SVG): never in a URL, a title or a log, and like every
page it is sent no-store. Enrolling asks for the password again, as the API does.
"""

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth import second_factor
from app.auth import service as auth
from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.domain_errors import DomainError
from app.core.errors import http_status
from app.models import SecondFactor
from app.web.pages.incident_forms import form_errors
from app.web.pages.posting import Submitted, submitted_to
from app.web.rendering import redirect, render
from app.web.session import PageContext, PageForbiddenError, SignedInPage, signed_in

router = APIRouter(include_in_schema=False)


def identity_role(page: SignedInPage) -> PageContext:
    # By role, not permission: when the organisation requires a second factor, the identity
    # permissions are withheld until one is enrolled, and enrolling must stay possible.
    if not second_factor.may_enrol(page.user.roles):
        raise PageForbiddenError()
    return page


AccountForm = Annotated[Submitted, Depends(submitted_to(signed_in))]
SecondFactorForm = Annotated[Submitted, Depends(submitted_to(identity_role))]


@router.get("/account")
def account_page(page: SignedInPage, session: SessionDep) -> Response:
    return _show(page, session)


def _show(
    page: PageContext,
    session: Session,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    enrolment: second_factor.Enrolment | None = None,
) -> Response:
    principal = page.user
    factor = session.get(SecondFactor, principal.user_id)
    return render(
        page,
        "account.html",
        status,
        may_enrol=second_factor.may_enrol(principal.roles),
        enrolled=factor is not None and factor.confirmed_at is not None,
        waiting=factor is not None and factor.confirmed_at is None,
        required=second_factor.policy_requires(session, principal.organisation_id),
        enrolment=enrolment,
        qr_code=_qr_svg(enrolment.otpauth_uri) if enrolment else None,
        errors=errors or {},
    )


def _qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code: no size (CSS gives it one), no title, no XML header."""
    return str(segno.make(uri, error="m").svg_inline(scale=1, border=4, omitsize=True))


@router.post("/account/second-factor")
def enrol(posted: SecondFactorForm, session: SessionDep, cipher: CipherDep) -> Response:
    page = posted.page
    settings: Any = page.request.app.state.settings
    password = posted.field("password")
    try:
        enrolment = second_factor.start_enrolment(
            session, settings, cipher, page.user, password, _client(page)
        )
    except DomainError as error:
        return _refused(page, session, error)
    return _show(page, session, enrolment=enrolment)


@router.post("/account/second-factor/confirm")
def confirm(posted: SecondFactorForm, session: SessionDep, cipher: CipherDep) -> Response:
    page = posted.page
    try:
        second_factor.confirm_enrolment(session, cipher, page.user, posted.field("code"))
    except DomainError as error:
        session.rollback()
        return _show(page, session, status=http_status(error), errors=form_errors(page, error))
    return redirect("/account?confirmed=1")


@router.post("/account/password")
def change_password(posted: AccountForm, session: SessionDep) -> Response:
    page = posted.page
    try:
        auth.change_own_password(
            session,
            page.request.app.state.settings,
            page.user,
            (
                posted.field("current_password"),
                posted.field("new_password"),
                posted.field("repeated_password"),
            ),
            _client(page),
        )
    except DomainError as error:
        return _refused(page, session, error)
    return redirect("/account?password=1")


def _client(page: PageContext) -> str:
    client = page.request.client
    return client.host if client else "unknown"


def _refused(page: PageContext, session: Session, error: DomainError) -> Response:
    """The page with what went wrong, nothing of the change saved; a wrong password is counted
    as a failed login in what the request commits."""
    if not isinstance(error, auth.WrongPasswordError):  # that one: its failure is committed
        session.rollback()
    return _show(page, session, status=http_status(error), errors=form_errors(page, error))

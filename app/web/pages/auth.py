"""Signing in and out, choosing the language, and the home page each role lands on."""

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.auth import service
from app.core.config import Settings
from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.web.rendering import redirect, render
from app.web.session import (
    Page,
    SignedInPage,
    check_csrf,
    clear_session_cookie,
    new_login_csrf,
    set_language_cookie,
    set_login_csrf_cookie,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)

# Where each kind of user starts, in order of precedence.
HOME_PAGES = (
    (Permission.INCIDENT_WRITE, "/incidents"),
    (Permission.STATS_READ, "/statistics"),
    (Permission.JUDICIAL_READ, "/judicial"),
    (Permission.USER_ADMIN, "/admin/users"),
    (Permission.COURT_ADMIN, "/judicial/courts"),
)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def safe_next(target: str | None) -> str:
    """Only a plain path on this site: a login link must not send anyone elsewhere afterwards.

    Browsers read `\\` as `/` and drop tabs and newlines from URLs, so `/\\evil.example/`
    would be `//evil.example/`, another site: anything but a single leading slash followed by
    printable characters other than a backslash is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(not character.isprintable() for character in target):
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc:
        return "/"
    return target


@router.get("/")
def home(page: SignedInPage) -> Response:
    if page.user.password_change_required:
        return redirect("/account")
    for permission, path in HOME_PAGES:
        if page.can(permission):
            return redirect(path)
    return render(page, "home.html")


@router.get("/login")
def login_form(page: Page, next: str | None = None) -> Response:
    if page.principal is not None:
        return redirect(safe_next(next))
    csrf = page.csrf_token or new_login_csrf()
    response = render(page, "login.html", next=safe_next(next), csrf_token=csrf, error=None)
    set_login_csrf_cookie(response, _settings(page.request), csrf)
    return response


@router.post("/login")
def log_in(
    page: Page,
    session: SessionDep,
    cipher: CipherDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    one_time_code: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    check_csrf(page, csrf_token)
    request = page.request
    client = request.client.host if request.client else "unknown"
    outcome = service.log_in_audited(
        session,
        _settings(request),
        username,
        password,
        client,
        cipher=cipher,
        one_time_code=one_time_code or None,
    )
    if isinstance(outcome, service.LoginRefused):
        blocked = outcome.retry_after_seconds is not None
        if blocked:
            error = page.t.gettext("Too many failed logins; try again later.")
        elif outcome.needs_one_time_code:
            error = page.t.gettext("Enter the code your authenticator app shows now.")
        else:
            error = page.t.gettext("Wrong username or password.")
        # Rendered, not raised: the failure and its audit event must be committed.
        return render(
            page, "login.html", 429 if blocked else 401, next=safe_next(next), error=error
        )
    _user, token = outcome
    response = redirect(safe_next(next))
    set_session_cookie(response, _settings(request), token.access_token)
    return response


@router.post("/logout")
def log_out(
    page: SignedInPage, session: SessionDep, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(page, csrf_token)
    service.log_out(session, page.user)
    response = redirect("/login")
    clear_session_cookie(response, _settings(page.request))
    return response


@router.get("/language/{language}")
def choose_language(
    request: Request,
    language: str,
    next: str | None = None,
) -> Response:
    response = redirect(safe_next(next))
    set_language_cookie(response, _settings(request), language)
    return response

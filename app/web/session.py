"""Web sessions: the same tokens as the API, carried in a cookie, with CSRF checks on every form.

- The session cookie is HttpOnly (no script can read it), SameSite=Strict (no other site can
  send it) and Secure. It holds an opaque token; the token's hash is what the database keeps.
- Every form carries a CSRF token derived from the session token, so only a page this service
  rendered for this session can post. The login form, before there is a session, uses a
  double-submit cookie instead.
- The language choice is the only other cookie. Nothing is put in browser storage.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app.core.auth import IDENTITY_PERMISSIONS, Principal, principal_for_token
from app.core.body_limit import FORM_MAX_FIELDS
from app.core.config import Settings
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.web.i18n import LANGUAGES, Translator, pick_language
from app.web.labels import Labels

SESSION_COOKIE = "crsv_session"
LOGIN_CSRF_COOKIE = "crsv_login_csrf"
LANGUAGE_COOKIE = "crsv_lang"
CSRF_FIELD = "csrf_token"
ONE_YEAR = 365 * 24 * 3600


class LoginRequiredError(Exception):
    """The page needs a signed-in user; answered with a redirect to the login page."""


class PageForbiddenError(Exception):
    """The signed-in user's role does not allow this page; answered with a 403 page."""


class PasswordChangePageError(Exception):
    """The user's password was chosen by someone else: answered with a redirect to the account
    page, where they choose their own; nothing else opens until they have."""


class SecondFactorPageError(PageForbiddenError):
    """The page reads survivors' identities, which the organisation shows only to those who log
    in with a second factor, and this user has none yet: answered with a 403 page saying so."""


class CsrfError(Exception):
    """A form arrived without this session's CSRF token; answered with a 403 page."""


@dataclass(frozen=True)
class PageContext:
    """What every page needs: who asks (if anyone), in which language, and the form token."""

    request: Request
    principal: Principal | None
    t: Translator
    labels: Labels
    csrf_token: str

    def can(self, permission: Permission) -> bool:
        return self.principal is not None and self.principal.can(permission)

    @property
    def user(self) -> Principal:
        """The signed-in user, on pages behind `signed_in` or `page_for` (never None there)."""
        if self.principal is None:
            raise LoginRequiredError()
        return self.principal


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def csrf_token_for(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"crsv-registry form", hashlib.sha256).hexdigest()


def page_context(request: Request, session: SessionDep) -> PageContext:
    token = request.cookies.get(SESSION_COOKIE)
    principal = principal_for_token(session, token) if token else None
    if principal is not None:
        request.state.principal = principal  # for the audit trail
        csrf = csrf_token_for(token or "")
    else:
        csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    language = pick_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    translator = Translator(language)
    return PageContext(request, principal, translator, Labels(translator), csrf)


Page = Annotated[PageContext, Depends(page_context)]


def signed_in(page: Page) -> PageContext:
    if page.principal is None:
        raise LoginRequiredError()
    return page


SignedInPage = Annotated[PageContext, Depends(signed_in)]


def page_for(*permissions: Permission) -> Callable[[PageContext], PageContext]:
    """A dependency: the page, if the signed-in user holds one of `permissions` (else 403)."""

    def guard(page: SignedInPage) -> PageContext:
        if page.user.password_change_required:
            raise PasswordChangePageError()
        if not any(page.can(permission) for permission in permissions):
            if page.user.second_factor_missing and IDENTITY_PERMISSIONS.intersection(permissions):
                raise SecondFactorPageError()
            raise PageForbiddenError()
        return page

    return guard


def check_csrf(page: PageContext, submitted: str | None) -> None:
    if not page.csrf_token or not submitted:
        raise CsrfError()
    if not hmac.compare_digest(page.csrf_token, submitted):
        raise CsrfError()


async def posted_form(page: Page) -> FormData:
    """The posted form, once its token is checked. Reading the body only awaits, so it is done
    here on the event loop, and the handler that uses the form can be a plain `def` that runs
    in the thread pool: blocking database or encryption work must never run on the loop."""
    form = await page.request.form(max_fields=FORM_MAX_FIELDS)
    submitted = form.get(CSRF_FIELD)
    check_csrf(page, submitted if isinstance(submitted, str) else None)
    return form


PostedForm = Annotated[FormData, Depends(posted_form)]


def posted_form_for(page_type: Any) -> Any:
    """`PostedForm` for pages behind a guard (`Annotated[PageContext, Depends(page_for(...))]`):
    the permission is checked before the body is read, then the token."""

    async def posted(page: page_type) -> FormData:  # type: ignore[valid-type]
        return await posted_form(page)

    return Annotated[FormData, Depends(posted)]


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def _private_cookie(settings: Settings) -> dict[str, Any]:
    """Flags of the cookies that carry a secret: no script reads them, no other site sends them."""
    return {
        "httponly": True,
        "secure": settings.session_cookie_secure,
        "samesite": "strict",
        "path": "/",
    }


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    # No Max-Age: the cookie goes when the browser closes; the token expires on the server anyway.
    response.set_cookie(SESSION_COOKIE, token, **_private_cookie(settings))


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(SESSION_COOKIE, **_private_cookie(settings))


def set_login_csrf_cookie(response: Response, settings: Settings, value: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, value, **_private_cookie(settings))


def set_language_cookie(response: Response, settings: Settings, language: str) -> None:
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=ONE_YEAR,
            secure=settings.session_cookie_secure,
            samesite="lax",
            path="/",
        )

"""Rendering pages: one Jinja2 environment, the user's language, and the headers every page gets."""

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.config import API_PREFIX
from app.core.domain_errors import DomainError, FieldProblem
from app.core.errors import (
    allowed_methods,
    busy_headers,
    database_busy,
    http_status,
    install_error_handlers,
)
from app.core.repeated_parameters import repeated_problems
from app.incidents.crosswalk import type_warnings
from app.models import enums, gbvims
from app.stats.dimensions import DimensionName
from app.stats.schemas import Measure
from app.web.form_labels import audit_field_label, field_label, in_form_order
from app.web.forms import errors_from_problems, problems_of
from app.web.i18n import LANGUAGES, N_, Translator, pick_language
from app.web.labels import Labels
from app.web.labels_gbvims import GBVIMS_FIELD_ENUMS
from app.web.session import (
    LANGUAGE_COOKIE,
    CsrfError,
    LoginRequiredError,
    PageContext,
    PageForbiddenError,
    PasswordChangePageError,
    SecondFactorPageError,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_PREFIX = "/static"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html", "svg"]),
    extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
    trim_blocks=True,
    lstrip_blocks=True,
)

NOT_FOUND = N_("This page or record does not exist, or is not yours to see.")

# Pages carry survivors' data: no caching anywhere, no framing, no script or style from elsewhere.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def render(page: PageContext, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = environment.get_template(template).render({**_globals(page), **values})
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _globals(page: PageContext) -> dict[str, Any]:
    t = page.t
    return {
        "page": page,
        "principal": page.principal,
        "_": t.gettext,
        "gettext": t.gettext,
        "ngettext": t.ngettext,
        "labels": page.labels,
        "language": t.language,
        "languages": LANGUAGES,
        "csrf_token": page.csrf_token,
        "static": STATIC_PREFIX,
        "current_path": page.request.url.path,
        "query_with": _query_with(page.request),
        # "Status:" in English, "Statut :" in French: the colon's spacing is the language's.
        "labelled": lambda label: t.format(N_("{label}:"), label=label),
        "enums": _ENUMS,
        "gbvims_fields": GBVIMS_FIELD_ENUMS.items(),
        "incident_warnings": lambda incident: type_warnings(incident.gbv_type, incident.violations),
        "enums_dimension": DimensionName,
        "enums_measure": Measure,
        "today": date.today().isoformat(),
        "prefixed": _prefixed,
        "field_label": lambda form, name: field_label(t, form, name),
        "audit_field_label": lambda record_type, name: audit_field_label(t, record_type, name),
        "in_form_order": in_form_order,
    }


# The vocabularies the templates name, from both modules that declare them.
_ENUMS = SimpleNamespace(
    **{
        name: getattr(module, name)
        for module in (enums, gbvims)
        for name in dir(module)
        if not name.startswith("_")
    }
)


def _prefixed(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A form row's values under their input names, e.g. {"age": 16} -> {"victims-0-age": 16}."""
    return {prefix + name: value for name, value in row.items()}


def _query_with(request: Request):  # type: ignore[no-untyped-def]
    """A template helper: this page's query string with some parameters replaced."""

    def build(**changes: Any) -> str:
        params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
        params += [(k, v) for k, v in changes.items() if v is not None]
        return "?" + urlencode(params)

    return build


def redirect(url: str) -> RedirectResponse:
    # 303: after a form POST the browser fetches the next page with GET.
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _bare_context(request: Request) -> PageContext:
    """A context for error pages raised before (or without) the page dependency."""
    principal = getattr(request.state, "principal", None)
    language = pick_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    translator = Translator(language)
    return PageContext(request, principal, translator, Labels(translator), "")


# Browsers send a Secure cookie over http to these addresses of the machine itself only.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _cookies_lost_over_http(request: Request) -> bool:
    """Over plain http to another address, the browser drops the Secure cookies that the login
    form and the session need, and every form looks forged: the page says why instead."""
    return (
        request.app.state.settings.session_cookie_secure
        and request.url.scheme == "http"
        and request.url.hostname not in LOOPBACK_HOSTS
    )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    page = _bare_context(request)
    return render(page, "error.html", status=status, status_code=status, message=message)


# The form whose labels name a page's query parameters, or its posted fields, when the page
# refuses them before it runs (a NUL character): see FORM_LABELS in app/web/form_labels.py.
QUERY_FORMS = {
    "/judicial/stalled": "stalled",
    "/statistics": "statistics",
    "/statistics.csv": "statistics",
    "/statistics.xlsx": "statistics",
    "/statistics/trends": "trends",
    "/incidents": "incident_list",
    "/exports/incidents.csv": "incident_list",
    "/exports/incidents.xlsx": "incident_list",
    "/incidents/new": "incident",
    "/admin/audit": "audit",
    "/reports/72-hours": "care_72_hours",
    "/reports/72-hours.csv": "care_72_hours",
    "/reports/service-gaps": "service_gaps",
    "/reports/service-gaps.csv": "service_gaps",
    "/reports/paragraphs": "paragraphs",
    "/services": "service_directory",
    "/judicial/courts": "court",
    "/judicial/cases/new": "case",
    "/admin/users": "user",
    "/statistics/maps": "region_map",
    "/armed-parties/patterns": "party_year",
    "/armed-parties/pattern-rule": "pattern_rule",
    "/login": "login",
    "/account/password": "account",
    "/account/second-factor": "account",
    "/account/second-factor/confirm": "account",
}
# The same for pages of one record, by the shape of their path.
QUERY_FORM_PATHS = (
    (re.compile(r"^/incidents/[^/]+/edit$"), "incident"),
    (re.compile(r"^/incidents/[^/]+/verification$"), "verification"),
    (re.compile(r"^/judicial/cases/[^/]+/edit$"), "case"),
    (re.compile(r"^/judicial/cases/[^/]+/events$"), "event"),
    (re.compile(r"^/judicial/courts/[^/]+/edit$"), "court"),
    (re.compile(r"^/armed-parties/[^/]+$"), "party_year"),  # a dossier
    (re.compile(r"^/armed-parties/[^/]+/listings/(new|[^/]+/edit)$"), "listing"),
    (re.compile(r"^/armed-parties/[^/]+/commitments/(new|[^/]+/edit)$"), "commitment"),
    (re.compile(r"^/armed-parties/[^/]+/sanctions/(new|[^/]+/edit)$"), "sanction"),
    (re.compile(r"^/admin/users/[^/]+/password$"), "user"),
    (re.compile(r"^/incidents/[^/]+/victims/[^/]+/referrals$"), "referral"),
    (re.compile(r"^/referrals/[^/]+/(status|follow-up)$"), "referral"),
)


def _query_form(path: str) -> str:
    form = QUERY_FORMS.get(path)
    if form is not None:
        return form
    return next((form for shape, form in QUERY_FORM_PATHS if shape.match(path)), "")


def invalid_query_page(
    request: Request,
    problems: Iterable[FieldProblem],
    message: str = N_("This address asks for something the page cannot show:"),
) -> HTMLResponse:
    """422: the query parameters (or fields) the page cannot use, each named by its label, and
    why."""
    page = _bare_context(request)
    t = page.t
    form = _query_form(request.url.path)
    lines = [
        f"{t.format(N_('{label}:'), label=field_label(t, form, name) or name)} {text}"
        for name, text in errors_from_problems(t, problems).items()
    ]
    return render(page, "error.html", 422, status_code=422, message=message, problems=lines)


def unknown_parameters_page(
    request: Request, known: Iterable[str], repeatable: Iterable[str] = ()
) -> HTMLResponse | None:
    """422 naming each query parameter the page does not know, as the API refuses them: a
    misspelt filter must never silently show everything. Likewise each known one given more
    than once unless `repeatable`: the page reads one value, and would silently use the last.
    None when all are known, once each."""
    allowed = set(known)
    unknown = dict.fromkeys(name for name in request.query_params if name not in allowed)
    if not unknown:
        return repeated_parameters_page(request, allowed.difference(repeatable))
    # Worded as pydantic words it for the API, so the page words it as it words the API's errors.
    errors = [
        {"loc": (name,), "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}
        for name in unknown
    ]
    return invalid_query_page(request, problems_of(errors, ("query",)))


def repeated_parameters_page(request: Request, one_value: Iterable[str]) -> HTMLResponse | None:
    """422 naming each of `one_value` given more than once, as the API refuses it; else None."""
    counts = Counter(name for name, _ in request.query_params.multi_items())
    problems = repeated_problems(counts, frozenset(one_value))
    return invalid_query_page(request, problems) if problems else None


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def install_page_error_handlers(app: FastAPI) -> None:
    """Pages answer errors with pages; the API keeps its problem-details responses."""
    install_error_handlers(app)
    api_error_handler = app.exception_handlers[DomainError]

    async def on_api_error(request: Request, exc: Exception) -> Response:
        if _is_api(request):
            return await api_error_handler(request, exc)
        assert isinstance(exc, DomainError)
        if exc.errors and all(problem.loc[:1] == ("query",) for problem in exc.errors):
            # Refused before the page ran (a NUL in a parameter): named as the page names it.
            return invalid_query_page(request, exc.errors)
        if exc.errors and all(problem.kind == "string_nul" for problem in exc.errors):
            # A NUL in a posted form, refused before the page ran: the fields are named.
            message = N_("The form holds a character that cannot be stored:")
            return invalid_query_page(request, exc.errors, message)
        page = _bare_context(request)
        messages = {
            403: N_("Your role does not allow this page."),
            404: NOT_FOUND,
            409: N_("The record changed meanwhile; reload it and try again."),
        }
        status = http_status(exc)
        message = messages.get(status, N_("The request could not be completed."))
        return render(page, "error.html", status, status_code=status, message=message)

    async def on_login_required(request: Request, _exc: Exception) -> Response:
        return redirect("/login?" + urlencode({"next": request.url.path}))

    async def on_forbidden(request: Request, _exc: Exception) -> Response:
        return error_page(request, 403, N_("Your role does not allow this page."))

    async def on_password_change(request: Request, _exc: Exception) -> Response:
        return redirect("/account")

    async def on_second_factor(request: Request, _exc: Exception) -> Response:
        return error_page(
            request,
            403,
            N_(
                "Your organisation requires a second factor to see survivors' identities: set "
                "it up on your account page, then open this page again."
            ),
        )

    async def on_csrf(request: Request, _exc: Exception) -> Response:
        if _cookies_lost_over_http(request):
            return error_page(
                request,
                403,
                N_(
                    "This page was opened over plain http, where browsers do not keep the "
                    "session cookie: open it over https or, where there is no TLS at all, start "
                    "the registry with SESSION_COOKIE_SECURE=false."
                ),
            )
        return error_page(
            request,
            403,
            N_("This form has expired or did not come from this site. Reload the page."),
        )

    http_error_handler = app.exception_handlers[StarletteHTTPException]
    validation_handler = app.exception_handlers[RequestValidationError]

    async def on_http_error(request: Request, exc: Exception) -> Response:
        if _is_api(request) or not isinstance(exc, StarletteHTTPException):
            return await http_error_handler(request, exc)
        if exc.status_code == 404:
            return error_page(request, 404, NOT_FOUND)
        response = error_page(request, exc.status_code, N_("The request could not be completed."))
        if exc.status_code == 405:
            response.headers["Allow"] = allowed_methods(request)
        return response

    async def on_invalid_request(request: Request, exc: Exception) -> Response:
        # A malformed id in a page's path is a page that does not exist; a query parameter the
        # page cannot use is named, with what is wrong with it.
        if _is_api(request):
            return await validation_handler(request, exc)
        assert isinstance(exc, RequestValidationError)
        in_query = [item for item in exc.errors() if item["loc"][:1] == ("query",)]
        in_body = [item for item in exc.errors() if item["loc"][:1] == ("body",)]
        if in_body and len(in_body) == len(exc.errors()):
            # A posted field the route itself limits (the login's 200-character username):
            # named, with what is wrong, rather than "this page does not exist".
            message = N_("The form holds a value that cannot be used:")
            return invalid_query_page(request, problems_of(in_body, ()), message)
        if not in_query or len(in_query) < len(exc.errors()):
            return error_page(request, 404, NOT_FOUND)
        return invalid_query_page(request, problems_of(in_query, ()))

    stale_handler = app.exception_handlers[StaleDataError]
    integrity_handler = app.exception_handlers[IntegrityError]

    async def on_conflict(request: Request, exc: Exception) -> Response:
        # Two forms saved at the same moment: the database refused the second one's write.
        if _is_api(request):
            handler = stale_handler if isinstance(exc, StaleDataError) else integrity_handler
            return await handler(request, exc)
        return error_page(
            request, 409, N_("The record changed meanwhile; reload it and try again.")
        )

    operational_error_handler = app.exception_handlers[OperationalError]

    async def on_database_busy(request: Request, exc: Exception) -> Response:
        if _is_api(request) or not database_busy(exc):
            return await operational_error_handler(request, exc)
        response = error_page(
            request, 503, N_("The service was busy and nothing was saved; try again in a moment.")
        )
        response.headers.update(busy_headers())
        return response

    app.add_exception_handler(OperationalError, on_database_busy)
    app.add_exception_handler(StaleDataError, on_conflict)
    app.add_exception_handler(IntegrityError, on_conflict)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
    app.add_exception_handler(DomainError, on_api_error)
    app.add_exception_handler(LoginRequiredError, on_login_required)
    app.add_exception_handler(PageForbiddenError, on_forbidden)
    app.add_exception_handler(PasswordChangePageError, on_password_change)
    app.add_exception_handler(SecondFactorPageError, on_second_factor)
    app.add_exception_handler(CsrfError, on_csrf)

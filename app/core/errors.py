"""One error shape for the whole API: RFC 9457 problem details, with field errors; and the one
place where the refusals of app/core/domain_errors.py get their HTTP status (`problem_of`).

Validation errors never echo the submitted value back: a rejected field may hold a survivor's
details, and error bodies end up in logs, proxies and screenshots.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg import errors as pg_errors
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from app.core.domain_errors import (
    BusyError,
    ConflictError,
    DomainError,
    FieldProblem,
    InvalidFieldsError,
    InvalidRequestError,
    NotAllowedError,
    NotAuthenticatedError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
    StaleVersionError,
    TooManyAttemptsError,
    UnreadableVersionError,
    VersionNamedBy,
    VersionRequiredError,
    problem_from_pydantic,
)

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# A statement cancelled by the database's lock or statement timeout: the request is answered
# 503, told to retry after this many seconds, and nothing it did is kept.
BUSY_RETRY_AFTER_SECONDS = 2
BUSY_DETAIL = "The database was busy and nothing was saved; try again in a moment."


@dataclass(frozen=True)
class Problem:
    """How a refusal is answered over HTTP: status, detail, field errors and headers."""

    status: int
    detail: str
    errors: Sequence[FieldProblem] = ()
    headers: dict[str, str] = field(default_factory=dict)


# The status of each refusal; the first class the error is an instance of wins.
STATUSES: tuple[tuple[type[DomainError], int], ...] = (
    (NotAuthenticatedError, 401),
    (NotAllowedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (UnreadableVersionError, 412),
    (PreconditionFailedError, 412),
    (InvalidRequestError, 422),
    (VersionRequiredError, 428),
    (PreconditionRequiredError, 428),
    (TooManyAttemptsError, 429),
    (BusyError, 503),
)


def problem_of(error: DomainError) -> Problem:
    """The one place a refusal becomes an HTTP answer: the API and the web pages both ask here.
    A stale version is 412 when the client named it in If-Match (RFC 9110's
    precondition), 409 when it sent `version` in the body."""
    headers: dict[str, str] = {}
    if isinstance(error, StaleVersionError):
        status = 412 if error.named_by is VersionNamedBy.IF_MATCH else 409
    else:
        status = next((code for kind, code in STATUSES if isinstance(error, kind)), 400)
    if isinstance(error, NotAuthenticatedError):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, TooManyAttemptsError | BusyError):
        headers["Retry-After"] = str(error.retry_after_seconds)
    return Problem(status, error.detail, error.errors, headers)


def http_status(error: DomainError) -> int:
    return problem_of(error).status


def problem_response(
    status: int,
    detail: str,
    errors: Sequence[FieldProblem] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [problem.as_dict() for problem in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_error_response(error: DomainError) -> JSONResponse:
    problem = problem_of(error)
    return problem_response(problem.status, problem.detail, problem.errors, problem.headers)


async def _validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [problem_from_pydantic(error) for error in exc.errors()]
    return problem_response(422, InvalidFieldsError(problems).detail, problems)


async def _domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return domain_error_response(exc)


async def _http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    response = problem_response(exc.status_code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    if exc.status_code == 405:
        response.headers["Allow"] = allowed_methods(request)
    return response


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """Every method some route answers at this path, for the `Allow` header of a 405.

    Each method of a path is a route of its own, and Starlette's 405 named only the first
    route's method. Each method is tried against the routes as a request would be.
    """
    routes = request.app.router.routes
    allowed = [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


async def _stale_data_handler(_request: Request, _exc: Exception) -> JSONResponse:
    return problem_response(
        409, "The record was changed by another request meanwhile; reload it and try again."
    )


async def _integrity_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    # The driver's message quotes the offending values; keep it out of the response and the log.
    logger.warning("integrity error", extra={"constraint": _constraint_name(exc)})
    return problem_response(409, "The change conflicts with stored data; nothing was saved.")


def database_busy(exc: Exception) -> bool:
    """A lock or statement timeout or a deadlock (PostgreSQL, which cancels one of the two),
    or a lock not granted in time (SQLite): the request may simply be sent again."""
    cause = getattr(exc, "orig", None)
    timed_out = pg_errors.LockNotAvailable | pg_errors.QueryCanceled
    if isinstance(cause, timed_out | pg_errors.DeadlockDetected):
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(cause)


def busy_headers() -> dict[str, str]:
    return {"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)}


async def _operational_error_handler(request: Request, exc: Exception) -> JSONResponse:
    if not database_busy(exc):
        return await _unexpected_error_handler(request, exc)
    logger.warning("database busy", extra={"path": request.url.path})
    return problem_response(503, BUSY_DETAIL, headers=busy_headers())


def _constraint_name(exc: Exception) -> str | None:
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    return getattr(diag, "constraint_name", None)


async def _client_disconnect_handler(request: Request, _exc: Exception) -> JSONResponse:
    # The client went away before sending its whole body: nothing was read, so nothing was
    # saved, and nobody is left to read the answer. Not an error of the service.
    logger.info("client disconnected before its request was read", extra={"path": request.url.path})
    return problem_response(
        400, "The request ended before its body was complete; nothing was saved."
    )


async def _unexpected_error_handler(request: Request, exc: Exception) -> JSONResponse:
    # The exception text may quote stored values, so only its type is logged.
    logger.error("unhandled error", extra={"path": request.url.path, "error": type(exc).__name__})
    # Sent from Starlette's outermost middleware, outside `NoStore`: says no-store itself.
    return problem_response(
        500, "Internal error; nothing was saved.", headers={"Cache-Control": "no-store"}
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(DomainError, _domain_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
    app.add_exception_handler(StaleDataError, _stale_data_handler)
    app.add_exception_handler(IntegrityError, _integrity_error_handler)
    app.add_exception_handler(OperationalError, _operational_error_handler)
    app.add_exception_handler(ClientDisconnect, _client_disconnect_handler)
    app.add_exception_handler(Exception, _unexpected_error_handler)

"""One error shape for the whole API: RFC 9457 problem details, with field errors.

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
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# A statement cancelled by the database's lock or statement timeout: the request is answered
# 503, told to retry after this many seconds, and nothing it did is kept.
BUSY_RETRY_AFTER_SECONDS = 2
BUSY_DETAIL = "The database was busy and nothing was saved; try again in a moment."


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one input field; `loc` is its path, e.g. ("body", "victims", 0, "age")."""

    loc: tuple[str | int, ...]
    message: str  # may hold {name} placeholders, filled from `values` (and kept for translation)
    kind: str = "value_error"
    values: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        return self.message.format(**self.values) if self.values else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": _dotted(self.loc),
            "loc": list(self.loc),
            "message": self.text,
            "type": self.kind,
        }


@dataclass
class ApiError(Exception):
    """Raised by services; turned into a problem-details response."""

    status: int
    detail: str
    errors: Sequence[FieldProblem] = field(default_factory=tuple)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.detail


class NotFoundError(ApiError):
    def __init__(self, what: str) -> None:
        super().__init__(status=404, detail=f"{what} not found")


class ConflictError(ApiError):
    def __init__(self, detail: str, errors: Sequence[FieldProblem] = ()) -> None:
        super().__init__(status=409, detail=detail, errors=errors)


class InvalidFieldsError(ApiError):
    def __init__(self, errors: Sequence[FieldProblem]) -> None:
        fields = ", ".join(_dotted(problem.loc) for problem in errors)
        super().__init__(status=422, detail=f"Invalid input in: {fields}", errors=errors)


def _dotted(loc: Sequence[str | int]) -> str:
    """("body", "victims", 0, "age") -> "victims[0].age": the name a person would use."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or str(loc[0] if loc else "request")


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


def _from_pydantic(error: Any, prefix: tuple[str | int, ...] = ()) -> FieldProblem:
    message = str(error["msg"]).removeprefix("Value error, ")
    return FieldProblem(loc=(*prefix, *error["loc"]), message=message, kind=error["type"])


def problems_from(error: ValidationError, prefix: tuple[str | int, ...]) -> list[FieldProblem]:
    """A pydantic error as field problems located under `prefix` (e.g. ("body",))."""
    return [_from_pydantic(item, prefix) for item in error.errors()]


async def _validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [_from_pydantic(error) for error in exc.errors()]
    return problem_response(422, InvalidFieldsError(problems).detail, problems)


async def _api_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return problem_response(exc.status, exc.detail, exc.errors, exc.headers)


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
    return problem_response(500, "Internal error; nothing was saved.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
    app.add_exception_handler(StaleDataError, _stale_data_handler)
    app.add_exception_handler(IntegrityError, _integrity_error_handler)
    app.add_exception_handler(OperationalError, _operational_error_handler)
    app.add_exception_handler(ClientDisconnect, _client_disconnect_handler)
    app.add_exception_handler(Exception, _unexpected_error_handler)

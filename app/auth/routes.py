from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.schemas import Me, PasswordChange, TokenIssued
from app.core.auth import CurrentPrincipal
from app.core.config import API_PREFIX, Settings
from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.errors import domain_error_response, problem_response

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["authentication"])


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/token",
    response_model=TokenIssued,
    responses={
        401: {"description": "Wrong username or password"},
        429: {"description": "Too many failed logins"},
    },
)
def log_in(
    request: Request,
    session: SessionDep,
    cipher: CipherDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    one_time_code: Annotated[str | None, Form(max_length=12)] = None,
) -> TokenIssued | JSONResponse:
    """OAuth2 password flow: exchange a username and password for a bearer token.

    An account with a second factor also sends `one_time_code`, the code its app shows now.
    """
    outcome = service.log_in_audited(
        session,
        _settings(request),
        form.username,
        form.password,
        _client(request),
        cipher=cipher,
        one_time_code=one_time_code,
    )
    if isinstance(outcome, service.LoginRefused):
        # Returned, not raised: the failure and its audit event must be committed.
        return _refusal(outcome)
    _user, token = outcome
    return token


def _refusal(refused: service.LoginRefused) -> JSONResponse:
    if refused.retry_after_seconds is not None:
        return problem_response(
            429,
            "Too many failed logins; try again later.",
            headers={"Retry-After": str(refused.retry_after_seconds)},
        )
    if refused.needs_one_time_code:
        return problem_response(
            401,
            "A current one-time code from your second factor is needed (one_time_code).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return problem_response(
        401, "Wrong username or password.", headers={"WWW-Authenticate": "Bearer"}
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def log_out(session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Revoke the token this request was made with."""
    service.log_out(session, principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=Me)
def who_am_i(principal: CurrentPrincipal) -> Me:
    return Me(
        user_id=principal.user_id,
        username=principal.username,
        organisation_id=principal.organisation_id,
        roles=sorted(principal.roles),
        permissions=sorted(principal.permissions),
        password_change_required=principal.password_change_required,
    )


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    request: Request, session: SessionDep, principal: CurrentPrincipal, body: PasswordChange
) -> Response:
    """Replace your own password, giving the current one (a wrong one is counted as a failed
    login). Every other session of yours is closed. An account whose password someone else
    chose can do nothing else until this."""
    passwords = (body.current_password, body.new_password, body.repeated_password)
    try:
        service.change_own_password(
            session, _settings(request), principal, passwords, _client(request)
        )
    except service.WrongPasswordError as error:
        # Answered, not raised: the failure counted is in what the request commits.
        return domain_error_response(error)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

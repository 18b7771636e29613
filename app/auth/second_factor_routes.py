from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse

from app.auth import second_factor
from app.auth import service as auth
from app.auth.schemas import (
    SecondFactorConfirm,
    SecondFactorEnrolment,
    SecondFactorPolicyRead,
    SecondFactorStart,
)
from app.core.auth import CurrentPrincipal, Principal, require
from app.core.config import API_PREFIX
from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.errors import domain_error_response
from app.core.permissions import Permission

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["authentication"])
Admin = Annotated[Principal, Depends(require(Permission.USER_ADMIN))]


async def _identity_role(principal: CurrentPrincipal) -> Principal:
    # By role, not by permission: a user whose organisation requires a second factor has lost
    # the identity permissions until enrolled, and must still be able to enrol.
    if not second_factor.may_enrol(principal.roles):
        raise second_factor.SecondFactorNotForRoleError()
    return principal


IdentityRole = Annotated[Principal, Depends(_identity_role)]


@router.post(
    "/second-factor", status_code=status.HTTP_201_CREATED, response_model=SecondFactorEnrolment
)
def enrol_second_factor(
    request: Request,
    session: SessionDep,
    cipher: CipherDep,
    principal: IdentityRole,
    body: SecondFactorStart,
) -> SecondFactorEnrolment | JSONResponse:
    """Start enrolling a TOTP second factor (password asked again, and a wrong one counted as a
    failed login): the secret is shown once."""
    settings = request.app.state.settings
    client = request.client.host if request.client else "unknown"
    try:
        enrolment = second_factor.start_enrolment(
            session, settings, cipher, principal, body.password, client
        )
    except auth.WrongPasswordError as error:
        # Answered, not raised: the failure counted is in what the request commits.
        return domain_error_response(error)
    return SecondFactorEnrolment(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


@router.post("/second-factor/confirm", status_code=status.HTTP_204_NO_CONTENT)
def confirm_second_factor(
    session: SessionDep, cipher: CipherDep, principal: IdentityRole, body: SecondFactorConfirm
) -> Response:
    """Confirm the enrolment with a current code; from then on logging in needs one."""
    second_factor.confirm_enrolment(session, cipher, principal, body.code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/second-factor-policy", response_model=SecondFactorPolicyRead)
def read_second_factor_policy(session: SessionDep, admin: Admin) -> SecondFactorPolicyRead:
    """Whether the caller's organisation requires a second factor of its identity readers."""
    required = second_factor.policy_requires(session, admin.organisation_id)
    return SecondFactorPolicyRead(required_for_identity_readers=required)


@router.put("/second-factor-policy", response_model=SecondFactorPolicyRead)
def set_second_factor_policy(
    session: SessionDep, admin: Admin, body: SecondFactorPolicyRead
) -> SecondFactorPolicyRead:
    """Require (or stop requiring) a second factor of the organisation's identity readers."""
    required = second_factor.set_policy(session, admin, body.required_for_identity_readers)
    return SecondFactorPolicyRead(required_for_identity_readers=required)

"""The caller behind a request: bearer token -> Principal, and permission guards for routes."""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from anyio import to_thread
from fastapi import Depends, Request
from fastapi.requests import HTTPConnection
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.core.config import API_PREFIX
from app.core.db import SessionDep
from app.core.domain_errors import NotAllowedError, NotAuthenticatedError
from app.core.permissions import Permission, permissions_for
from app.core.security import token_digest
from app.models import AuthToken, SecondFactor, SecondFactorPolicy, User, UserRole
from app.models.base import utcnow
from app.models.enums import Role

T = TypeVar("T")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/auth/token", auto_error=False)


@dataclass(frozen=True)
class Principal:
    """Who is asking: enough to authorise, detached from any database session."""

    user_id: uuid.UUID
    username: str
    organisation_id: uuid.UUID
    roles: frozenset[Role]
    permissions: frozenset[Permission]
    token_hash: str
    # The organisation requires a second factor of identity readers and this one has none yet:
    # the identity permissions are withheld until they enrol.
    second_factor_missing: bool = False
    # The password was chosen by someone else: no permission until the holder replaces it.
    password_change_required: bool = False

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


class ForbiddenError(NotAllowedError):
    def __init__(self, permission: Permission) -> None:
        super().__init__(f"Your role does not allow this ({permission.value})")


class PasswordChangeRequiredError(NotAllowedError):
    def __init__(self) -> None:
        super().__init__(
            "Your password was chosen by someone else: change it first (POST /auth/password, or "
            "your account page), and your account does the rest again."
        )


class SecondFactorMissingError(NotAllowedError):
    def __init__(self) -> None:
        super().__init__(
            "Your organisation requires a second factor to read or write survivor "
            "identity: enrol one first (POST /api/v1/auth/second-factor)",
        )


IDENTITY_PERMISSIONS = frozenset({Permission.IDENTITY_READ, Permission.IDENTITY_WRITE})


# The user behind a live token, their roles (a row per role), whether they have a confirmed
# second factor and whether their organisation requires one: one round trip per request.
# Built once, as it runs on every request; only the parameters change.
_PRINCIPAL_BY_TOKEN = (
    select(
        User.id,
        User.username,
        User.organisation_id,
        UserRole.role,
        SecondFactor.confirmed_at,
        SecondFactorPolicy.required_for_identity_readers,
        User.password_change_required,
    )
    .join(AuthToken, AuthToken.user_id == User.id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .outerjoin(SecondFactor, SecondFactor.user_id == User.id)
    .outerjoin(SecondFactorPolicy, SecondFactorPolicy.organisation_id == User.organisation_id)
    .where(
        AuthToken.token_hash == bindparam("digest"),
        AuthToken.revoked_at.is_(None),
        AuthToken.expires_at > bindparam("now", type_=AuthToken.expires_at.type),
        User.is_active.is_(True),
    )
)


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The active user a live token belongs to, or None: for bearer tokens and web sessions."""
    digest = token_digest(token)
    # On the session's connection: Core rows, without the ORM's execution and result machinery
    # (3% of a list page's instructions). Asked first thing in a request: the session has
    # nothing to autoflush.
    parameters = {"digest": digest, "now": utcnow()}
    rows = session.connection().execute(_PRINCIPAL_BY_TOKEN, parameters).all()
    if not rows:
        return None
    user_id, username, organisation_id, _, confirmed_at, required, change_password = rows[0]
    roles = [row.role for row in rows if row.role is not None]
    permissions = permissions_for(roles)
    missing = bool(required) and confirmed_at is None and bool(permissions & IDENTITY_PERMISSIONS)
    if missing:
        permissions -= IDENTITY_PERMISSIONS
    return Principal(
        user_id=user_id,
        username=username,
        organisation_id=organisation_id,
        roles=frozenset(roles),
        permissions=frozenset() if change_password else permissions,
        token_hash=digest,
        second_factor_missing=missing,
        password_change_required=bool(change_password),
    )


def token_checker(session_factory: sessionmaker[Session]) -> Callable[[str], Awaitable[bool]]:
    """Whether a bearer token is live, asked outside any request's session (in a thread)."""

    def is_live(token: str) -> bool:
        with session_factory() as session:
            return principal_for_token(session, token) is not None

    async def check(token: str) -> bool:
        return await to_thread.run_sync(is_live, token)

    return check


def authenticate(request: Request, session: Session, token: str | None) -> Principal:
    """The caller behind the bearer token, or 401."""
    principal = principal_for_token(session, token) if token else None
    if principal is None:
        raise NotAuthenticatedError()
    request.state.principal = principal  # for the audit trail
    return principal


def current_principal(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    return authenticate(request, session, token)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def check_allowed(principal: Principal, permissions: Sequence[Permission]) -> None:
    """403 unless the caller holds one of `permissions`."""
    if not any(principal.can(permission) for permission in permissions):
        if principal.password_change_required:
            raise PasswordChangeRequiredError()
        if principal.second_factor_missing and IDENTITY_PERMISSIONS.intersection(permissions):
            raise SecondFactorMissingError()
        raise ForbiddenError(permissions[0])


def require_any(*permissions: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the request through if the caller holds one of `permissions`."""

    # Async because it only looks at the principal: a sync dependency would cost a hop to the
    # thread pool and back on every request.
    async def guard(principal: CurrentPrincipal) -> Principal:
        check_allowed(principal, permissions)
        return principal

    guard.__name__ = "require_" + "_or_".join(p.name.lower() for p in permissions)
    return guard


def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets the request through only if the caller holds `permission`."""
    return require_any(permission)


class _RequiredBearerToken(OAuth2PasswordBearer):
    """`oauth2_scheme`, documented as the same scheme, answering 401 at once without a token.

    One dependency rather than a function depending on `oauth2_scheme`: each level of
    dependencies costs FastAPI a round of solving on every request of the list (this one,
    under 1% of a page's instructions)."""

    async def __call__(self, request: HTTPConnection) -> str:
        token = await super().__call__(request)
        if not token:
            raise NotAuthenticatedError()
        return token


# The bearer token, not yet checked; 401 at once when there is none.
bearer_token = _RequiredBearerToken(
    tokenUrl=f"{API_PREFIX}/auth/token", scheme_name=oauth2_scheme.scheme_name, auto_error=False
)
BearerToken = Annotated[str, Depends(bearer_token)]


async def in_one_thread(
    request: Request,
    token: str,
    permissions: Sequence[Permission],
    work: Callable[[Session, Principal], T],
) -> T:
    """`work` for the caller behind `token`, if they hold one of `permissions`, then the commit:
    all on one thread of the pool, in a session of its own.

    For the busiest read, the list: done as dependencies, the token check, the route and the
    commit each took a trip to a thread and back (together some 16% of a page's CPU under load;
    the one trip left costs 7%). The checks are `CurrentPrincipal`'s and `require_any`'s. One
    difference: a token that is sent but not live, with malformed parameters, is answered 422
    rather than 401 (the parameters are checked before the route runs); a request without any
    token is still answered 401 first.

    The session is the request's transaction as `SessionDep`'s is (committed when `work`
    returns, rolled back when anything raises), opened here rather than by the dependency:
    solving that async generator dependency and closing it after the route was 3% of a page's
    instructions (callgrind, `bench.list_cpu`).
    """
    session_factory: sessionmaker[Session] = request.app.state.session_factory

    def run() -> T:
        with session_factory() as session:  # closing without a commit rolls back
            principal = authenticate(request, session, token)
            check_allowed(principal, permissions)
            result = work(session, principal)
            session.commit()
            return result

    return await run_in_threadpool(run)

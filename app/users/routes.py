import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from app.core.auth import Principal, require, require_any
from app.core.config import API_PREFIX
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.users import service
from app.users.schemas import (
    OrganisationCreate,
    OrganisationRead,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix=API_PREFIX, tags=["users and organisations"])
Admin = Annotated[Principal, Depends(require(Permission.USER_ADMIN))]
SystemAdmin = Annotated[Principal, Depends(require(Permission.ORGANISATION_ADMIN))]
AnyAdmin = Annotated[
    Principal, Depends(require_any(Permission.USER_ADMIN, Permission.ORGANISATION_ADMIN))
]


@router.post("/organisations", status_code=status.HTTP_201_CREATED, response_model=OrganisationRead)
def create_organisation(
    session: SessionDep, system_admin: SystemAdmin, body: OrganisationCreate
) -> OrganisationRead:
    """Register an organisation (the system role only); then create its first admin."""
    return OrganisationRead.model_validate(service.create_organisation(session, body, system_admin))


@router.get("/organisations", response_model=list[OrganisationRead])
def list_organisations(session: SessionDep, admin: AnyAdmin) -> list[OrganisationRead]:
    """Your own organisation; every organisation for the system role."""
    return [OrganisationRead.model_validate(o) for o in service.list_organisations(session, admin)]


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserRead)
def create_user(
    request: Request, session: SessionDep, admin: AnyAdmin, body: UserCreate
) -> UserRead:
    """An account in your own organisation; the system role creates admins of any."""
    user = service.create_user(session, request.app.state.settings, body, admin)
    return UserRead.model_validate(user)


@router.get("/users", response_model=list[UserRead])
def list_users(
    session: SessionDep, admin: Admin, organisation_id: Annotated[uuid.UUID | None, Query()] = None
) -> list[UserRead]:
    """The accounts of your own organisation."""
    return [UserRead.model_validate(u) for u in service.list_users(session, admin, organisation_id)]


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(session: SessionDep, admin: Admin, user_id: uuid.UUID) -> UserRead:
    return UserRead.model_validate(service.get_user(session, user_id, admin))


@router.patch("/users/{user_id}", response_model=UserRead)
def update_user(
    request: Request, session: SessionDep, admin: Admin, user_id: uuid.UUID, body: UserUpdate
) -> UserRead:
    """Change roles, deactivate, or reset a password. The last two revoke the user's tokens.
    Nobody changes their own roles."""
    user = service.get_user(session, user_id, admin)
    updated = service.update_user(session, request.app.state.settings, user, body, admin)
    return UserRead.model_validate(updated)

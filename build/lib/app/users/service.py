"""Organisations and user accounts."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import add_recorded, record
from app.auth.service import revoke_all_tokens
from app.core.auth import Principal
from app.core.config import Settings
from app.core.errors import ConflictError, FieldProblem, InvalidFieldsError, NotFoundError
from app.core.security import hash_password
from app.models import Organisation, User, UserRole
from app.models.enums import Role
from app.users.schemas import OrganisationCreate, UserCreate, UserUpdate


def create_organisation(
    session: Session, data: OrganisationCreate, actor: Principal | None
) -> Organisation:
    if session.scalar(select(Organisation.id).where(Organisation.name == data.name)):
        raise ConflictError(
            "An organisation with this name exists",
            [FieldProblem(("body", "name"), "already registered", "duplicate")],
        )
    organisation = Organisation(name=data.name, kind=data.kind)
    add_recorded(session, organisation, "organisation", actor=actor, fields=["name", "kind"])
    return organisation


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def find_organisation(session: Session, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.name == name))


def create_user(
    session: Session, settings: Settings, data: UserCreate, actor: Principal | None
) -> User:
    if session.get(Organisation, data.organisation_id) is None:
        raise InvalidFieldsError(
            [FieldProblem(("body", "organisation_id"), "no organisation has this id")]
        )
    if session.scalar(select(User.id).where(User.username == data.username)):
        raise ConflictError(
            "This username is taken",
            [FieldProblem(("body", "username"), "already taken", "duplicate")],
        )
    user = User(
        username=data.username,
        password_hash=hash_password(settings, data.password),
        organisation_id=data.organisation_id,
        role_rows=[UserRole(role=role) for role in dict.fromkeys(data.roles)],
    )
    add_recorded(
        session,
        user,
        "user",
        actor=actor,
        fields=["username", "organisation_id", "roles", "password"],
    )
    return user


def list_users(session: Session, organisation_id: uuid.UUID | None) -> list[User]:
    query = select(User).order_by(User.username)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session.scalars(query))


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("User")
    return user


def update_user(
    session: Session, settings: Settings, user: User, data: UserUpdate, actor: Principal
) -> User:
    if user.id == actor.user_id and (
        data.is_active is False or (data.roles is not None and Role.ADMIN not in data.roles)
    ):
        raise ConflictError("Admins cannot deactivate themselves or drop their own admin role")
    changed: list[str] = []
    if data.roles is not None and set(data.roles) != set(user.roles):
        _set_roles(user, data.roles)
        changed.append("roles")
    if data.is_active is not None and data.is_active != user.is_active:
        user.is_active = data.is_active
        changed.append("is_active")
    if data.password is not None:
        user.password_hash = hash_password(settings, data.password)
        changed.append("password")
    if "password" in changed or user.is_active is False:
        revoke_all_tokens(session, user)
    if changed:
        session.flush()
        record(
            session,
            "user.update",
            actor=actor,
            record_type="user",
            record_id=user.id,
            fields=changed,
        )
    return user


def _set_roles(user: User, roles: list[Role]) -> None:
    wanted = set(roles)
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    held = {row.role for row in user.role_rows}
    user.role_rows += [UserRole(role=role) for role in dict.fromkeys(roles) if role not in held]

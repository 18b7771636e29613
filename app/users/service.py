"""Organisations and user accounts.

An organisation's admins manage that organisation's accounts only: another organisation's
accounts are not found, and nobody changes their own roles. Organisations and their first admin
are made by the system role (or the command line), which may hand out nothing but `admin`, and
only to an organisation that has no account yet.
"""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.audit.service import add_recorded, record
from app.auth.service import revoke_all_tokens
from app.core.auth import Principal
from app.core.config import Settings
from app.core.db import lock_for_change
from app.core.domain_errors import ConflictError, FieldProblem, InvalidFieldsError, NotFoundError
from app.core.permissions import (
    COMMAND_LINE_ROLES,
    ROLES_THE_SYSTEM_ROLE_GRANTS,
    Permission,
    reads_identity,
)
from app.core.security import hash_password
from app.models import Organisation, User, UserRole
from app.models.enums import Role
from app.users import codes
from app.users.schemas import OrganisationCreate, UserCreate, UserUpdate

ROLES_FIELD = ("body", "roles")


def create_organisation(
    session: Session, data: OrganisationCreate, actor: Principal | None
) -> Organisation:
    if session.scalar(select(Organisation.id).where(Organisation.name == data.name)):
        raise ConflictError(
            "An organisation with this name exists",
            [FieldProblem(("body", "name"), "already registered", "duplicate")],
        )
    if data.reference_code is not None and codes.code_taken(session, data.reference_code):
        raise ConflictError(
            "Another organisation uses this reference code",
            [FieldProblem(("body", "reference_code"), "already registered", "duplicate")],
        )
    organisation = Organisation(
        name=data.name,
        kind=data.kind,
        reference_code=data.reference_code or codes.free_code(session, data.name),
    )
    add_recorded(
        session,
        organisation,
        "organisation",
        actor=actor,
        fields=["name", "kind", "reference_code"],
    )
    return organisation


def list_organisations(session: Session, actor: Principal) -> list[Organisation]:
    """Every organisation for the system role; an organisation's admin sees its own."""
    query = select(Organisation).order_by(Organisation.name)
    if not actor.can(Permission.ORGANISATION_ADMIN):
        query = query.where(Organisation.id == actor.organisation_id)
    return list(session.scalars(query))


def find_organisation(session: Session, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.name == name))


def readable_users(actor: Principal) -> Select[tuple[User]]:
    """The one place that says which accounts an admin may know exist: their organisation's."""
    return select(User).where(User.organisation_id == actor.organisation_id)


def create_user(
    session: Session, settings: Settings, data: UserCreate, actor: Principal | None
) -> User:
    """`actor` None is the command line, which may create any account in any organisation."""
    by_system_role = actor is not None and _check_may_create(data, actor)
    if session.get(Organisation, data.organisation_id) is None:
        raise _unknown_organisation()
    if by_system_role:
        _refuse_once_it_has_accounts(session, data.organisation_id)
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
        # Chosen by another account, who knows it; the command line's operator is not one.
        password_change_required=actor is not None,
    )
    add_recorded(
        session,
        user,
        "user",
        actor=actor,
        fields=["username", "organisation_id", "roles", "password"],
    )
    _record_identity_grant(session, user, data.roles, actor)
    return user


def _check_may_create(data: UserCreate, actor: Principal) -> bool:
    """Own organisation's admins make any account but the command line's; the system role makes
    admins anywhere (True: the system role's). Another organisation reads as one that does not
    exist."""
    if actor.can(Permission.USER_ADMIN) and data.organisation_id == actor.organisation_id:
        _refuse_command_line_roles(set(data.roles))
        return False
    if not actor.can(Permission.ORGANISATION_ADMIN):
        raise _unknown_organisation()
    if not set(data.roles) <= ROLES_THE_SYSTEM_ROLE_GRANTS:
        raise InvalidFieldsError(
            [
                FieldProblem(
                    ROLES_FIELD,
                    "the system role creates admins only; the organisation's admins grant the "
                    "other roles",
                )
            ]
        )
    return True


def _refuse_once_it_has_accounts(session: Session, organisation_id: uuid.UUID) -> None:
    """The system role makes an organisation's first account, an admin, and no other: an admin
    it made in an organisation that had accounts, with a password it chose, would make an
    adviser and read that organisation's survivors. Any account counts, deactivated ones too,
    and advisers made from the command line with no admin beside them. The organisation's row
    is locked first, so that two such requests at once make one. An organisation that lost every
    admin gets one from the command line, on the server."""
    _lock_organisation(session, organisation_id)
    has_accounts = session.scalar(
        select(User.id).where(User.organisation_id == organisation_id).limit(1)
    )
    if has_accounts is not None:
        raise InvalidFieldsError(
            [
                FieldProblem(
                    ("body", "organisation_id"),
                    "this organisation has accounts: its admins create the others",
                )
            ]
        )


def _lock_organisation(session: Session, organisation_id: uuid.UUID) -> None:
    """Hold the organisation's row to the end of the transaction, so that changes to who may
    administer it are made one after the other (FOR NO KEY UPDATE: the foreign-key checks of
    its records' writes do not wait on it)."""
    lock_for_change(session, select(Organisation.id).where(Organisation.id == organisation_id))


def _unknown_organisation() -> InvalidFieldsError:
    return InvalidFieldsError(
        [FieldProblem(("body", "organisation_id"), "no organisation you administer has this id")]
    )


def _refuse_command_line_roles(changed: set[Role]) -> None:
    refused = sorted(changed & COMMAND_LINE_ROLES)
    if refused:
        raise InvalidFieldsError(
            [
                FieldProblem(
                    ROLES_FIELD,
                    "{roles} is granted only by the command line; the API neither grants nor "
                    "withdraws it",
                    values={"roles": ", ".join(refused)},
                )
            ]
        )


def list_users(
    session: Session, actor: Principal, organisation_id: uuid.UUID | None = None
) -> list[User]:
    query = readable_users(actor).order_by(User.username)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session.scalars(query))


def get_user(session: Session, user_id: uuid.UUID, actor: Principal) -> User:
    user = session.scalar(readable_users(actor).where(User.id == user_id))
    if user is None:
        raise NotFoundError("User")
    return user


def update_user(
    session: Session, settings: Settings, user: User, data: UserUpdate, actor: Principal
) -> User:
    """`user` comes from `get_user`, so it is of the actor's organisation."""
    granted, revoked = _role_changes(user, data.roles)
    _check_update(user, data, actor, granted | revoked)
    deactivated = data.is_active is False
    if user.is_active and Role.ADMIN in user.roles and (Role.ADMIN in revoked or deactivated):
        _keep_an_active_admin(session, user, ("body", "is_active") if deactivated else ROLES_FIELD)
    changed: list[str] = []
    if granted or revoked:
        _set_roles(user, data.roles or [])
        changed.append("roles")
    if data.is_active is not None and data.is_active != user.is_active:
        user.is_active = data.is_active
        changed.append("is_active")
    if data.password is not None:
        user.password_hash = hash_password(settings, data.password)
        user.password_change_required = user.id != actor.user_id  # the one who set it knows it
        changed.append("password")
    if "password" in changed or user.is_active is False:
        revoke_all_tokens(session, user)
    if changed:
        session.flush()
        details = {"roles_granted": sorted(granted), "roles_revoked": sorted(revoked)}
        record(
            session,
            "user.update",
            actor=actor,
            record_type="user",
            record_id=user.id,
            fields=changed,
            details=details if "roles" in changed else None,
        )
        _record_identity_grant(session, user, sorted(granted), actor)
    return user


def _keep_an_active_admin(session: Session, user: User, field: tuple[str, ...]) -> None:
    """An organisation keeps an active admin: nobody deactivates or demotes themselves, and two
    admins doing it to each other at once would otherwise both succeed, leaving nobody to manage
    its accounts but the command line. The organisation's row is locked first, so the second of
    two such changes sees the first."""
    _lock_organisation(session, user.organisation_id)
    other_admin = session.scalar(
        select(User.id)
        .join(UserRole)
        .where(
            User.organisation_id == user.organisation_id,
            User.id != user.id,
            User.is_active.is_(True),
            UserRole.role == Role.ADMIN,
        )
        .limit(1)
    )
    if other_admin is None:
        raise ConflictError(
            "The organisation would have no active admin left",
            [FieldProblem(field, "would leave the organisation without an active admin")],
        )


def _role_changes(user: User, roles: list[Role] | None) -> tuple[set[Role], set[Role]]:
    """The roles a PATCH would add and those it would take away."""
    if roles is None:
        return set(), set()
    held, wanted = set(user.roles), set(roles)
    return wanted - held, held - wanted


def _check_update(user: User, data: UserUpdate, actor: Principal, role_changes: set[Role]) -> None:
    if user.id == actor.user_id and role_changes:
        raise ConflictError(
            "Nobody changes their own roles: another admin of your organisation can",
            [FieldProblem(ROLES_FIELD, "are your own", "self")],
        )
    if user.id == actor.user_id and data.is_active is False:
        raise ConflictError(
            "Admins cannot deactivate themselves",
            [FieldProblem(("body", "is_active"), "is your own account", "self")],
        )
    _refuse_command_line_roles(role_changes)
    held = sorted(COMMAND_LINE_ROLES.intersection(user.roles))
    if data.password is not None and held and user.id != actor.user_id:
        # Whoever resets a password knows it: an admin would hold the system role through it.
        raise InvalidFieldsError(
            [
                FieldProblem(
                    ("body", "password"),
                    "an account holding {roles} changes its own password; the API resets it "
                    "for nobody else",
                    values={"roles": ", ".join(held)},
                )
            ]
        )


def _record_identity_grant(
    session: Session, user: User, roles: list[Role], actor: Principal | None
) -> None:
    """Who gave whom a role that reads survivors' identities: its own event, easy to find."""
    identity_roles = sorted({role.value for role in roles if reads_identity(role)})
    if not identity_roles:
        return
    record(
        session,
        "user.grant_identity_access",
        actor=actor,
        record_type="user",
        record_id=user.id,
        fields=["roles"],
        details={
            "roles": identity_roles,
            "username": user.username,
            "organisation_id": str(user.organisation_id),
        },
    )


def _set_roles(user: User, roles: list[Role]) -> None:
    wanted = set(roles)
    user.role_rows = [row for row in user.role_rows if row.role in wanted]
    held = {row.role for row in user.role_rows}
    user.role_rows += [UserRole(role=role) for role in dict.fromkeys(roles) if role not in held]

"""Admins' pages: their organisation's accounts, the organisation itself, and its part of the
audit trail. The same service functions and scoping as the API: an admin sees and changes only
their own organisation's accounts (another's read as ones that do not exist), and nobody changes
their own roles."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.auth import second_factor
from app.core.db import SessionDep
from app.core.domain_errors import DomainError
from app.core.permissions import COMMAND_LINE_ROLES, Permission
from app.models import User
from app.models.enums import Role
from app.users import service
from app.users.schemas import UserCreate, UserUpdate
from app.web.forms import ERROR_MESSAGES, error_status, filled_in, text_field, validated
from app.web.i18n import N_
from app.web.pages.incident_forms import form_errors
from app.web.pages.posting import Submitted, submitted_to
from app.web.rendering import redirect, render
from app.web.session import PageContext, page_for

router = APIRouter(include_in_schema=False)
admin_guard = page_for(Permission.USER_ADMIN)
AdminPage = Annotated[PageContext, Depends(admin_guard)]
AdminForm = Annotated[Submitted, Depends(submitted_to(admin_guard))]
# The roles an organisation's admin may grant: the command line's are not the pages' to give.
GRANTABLE_ROLES = [role for role in Role if role not in COMMAND_LINE_ROLES]
PASSWORD_MIN_LENGTH = 12  # app/users/schemas.py: Password


def _settings(page: PageContext) -> Any:
    return page.request.app.state.settings


def _role_options(page: PageContext) -> list[tuple[str, str]]:
    return [(role.value, page.labels.of(Role, role.value)) for role in GRANTABLE_ROLES]


@router.get("/admin/users")
def user_list(page: AdminPage, session: SessionDep) -> Response:
    return _show_list(page, session, entered={"roles": []})


def _show_list(
    page: PageContext,
    session: Session,
    *,
    entered: dict[str, Any],
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        page,
        "admin/users.html",
        status,
        users=service.list_users(session, page.user),
        role_options=_role_options(page),
        entered=entered,
        errors=errors or {},
    )


@router.post("/admin/users")
def create_user(posted: AdminForm, session: SessionDep) -> Response:
    page = posted.page
    entered: dict[str, Any] = filled_in(posted.form, ("username", "password"))
    entered["roles"] = _chosen_roles(posted)
    body = {**entered, "organisation_id": str(page.user.organisation_id)}
    try:
        data = validated(UserCreate, body, lambda _data: None)
        user = service.create_user(session, _settings(page), data, page.user)
    except (ValidationError, DomainError) as error:
        session.rollback()
        errors = _password_worded(page, form_errors(page, error), entered.pop("password", None))
        errors = _username_worded(page, errors)
        return _show_list(page, session, entered=entered, status=error_status(error), errors=errors)
    return redirect(f"/admin/users/{user.id}?created=1")


def _password_worded(
    page: PageContext, errors: dict[str, str], password: str | None
) -> dict[str, str]:
    """A password typed but too short is not a missing one (the password is never shown back)."""
    if "password" in errors and password:
        errors["password"] = page.t.format(
            N_("Too short: at least {min_length} characters."), min_length=PASSWORD_MIN_LENGTH
        )
    return errors


def _username_worded(page: PageContext, errors: dict[str, str]) -> dict[str, str]:
    """A username refused by its pattern says which characters it may hold, not only that it
    is "not in the expected format" (a space or an accented letter is the usual cause)."""
    pattern_message = ERROR_MESSAGES["string_pattern_mismatch"]
    pattern_refused = page.t.gettext(pattern_message)
    if errors.get("username") == pattern_refused:
        errors["username"] = page.t.gettext(
            N_("Only letters without accents, digits and the signs . _ @ - (no spaces).")
        )
    return errors


def _chosen_roles(posted: Submitted) -> list[str]:
    return [value for value in posted.form.getlist("roles") if isinstance(value, str) and value]


@router.get("/admin/users/{user_id}")
def user_page(page: AdminPage, session: SessionDep, user_id: uuid.UUID) -> Response:
    user = service.get_user(session, user_id, page.user)
    return _show_user(page, user)


def _show_user(
    page: PageContext,
    user: User,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    chosen: list[str] | None = None,
) -> Response:
    return render(
        page,
        "admin/user.html",
        status,
        user=user,
        own=user.id == page.user.user_id,
        chosen=[role.value for role in user.roles] if chosen is None else chosen,
        role_options=_role_options(page),
        errors=errors or {},
    )


def _change_user(
    posted: Submitted, session: Session, user_id: uuid.UUID, body: dict[str, Any], done: str
) -> Response:
    """Apply one change through the API's own update, or show the user with what went wrong."""
    page = posted.page
    user = service.get_user(session, user_id, page.user)
    try:
        data = validated(UserUpdate, body, lambda _data: None)
        service.update_user(session, _settings(page), user, data, page.user)
    except (ValidationError, DomainError) as error:
        session.rollback()
        user = service.get_user(session, user_id, page.user)
        errors = _password_worded(page, form_errors(page, error), body.get("password"))
        return _show_user(
            page, user, status=error_status(error), errors=errors, chosen=body.get("roles")
        )
    return redirect(f"/admin/users/{user_id}?{done}=1")


@router.post("/admin/users/{user_id}/roles")
def change_roles(posted: AdminForm, session: SessionDep, user_id: uuid.UUID) -> Response:
    return _change_user(posted, session, user_id, {"roles": _chosen_roles(posted)}, "roles")


@router.post("/admin/users/{user_id}/active")
def change_active(posted: AdminForm, session: SessionDep, user_id: uuid.UUID) -> Response:
    active = text_field(posted.form, "is_active") == "true"
    done = "reactivated" if active else "deactivated"
    return _change_user(posted, session, user_id, {"is_active": active}, done)


@router.post("/admin/users/{user_id}/password")
def reset_password(posted: AdminForm, session: SessionDep, user_id: uuid.UUID) -> Response:
    password = posted.form.get("password")
    body = {"password": password if isinstance(password, str) else ""}
    return _change_user(posted, session, user_id, body, "password")


@router.get("/admin/organisation")
def organisation_page(page: AdminPage, session: SessionDep) -> Response:
    organisation = next(
        found
        for found in service.list_organisations(session, page.user)
        if found.id == page.user.organisation_id
    )
    required = second_factor.policy_requires(session, page.user.organisation_id)
    return render(
        page, "admin/organisation.html", organisation=organisation, second_factor_required=required
    )


@router.post("/admin/organisation/second-factor")
def set_second_factor_policy(posted: AdminForm, session: SessionDep) -> Response:
    required = text_field(posted.form, "required") == "true"
    second_factor.set_policy(session, posted.page.user, required)
    return redirect("/admin/organisation?saved=1")

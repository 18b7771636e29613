"""The shared court registry's pages: everyone who works with cases reads it and may add a
court; only the system role corrects or deletes one (it is every organisation's)."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.core.db import SessionDep
from app.core.domain_errors import DomainError
from app.core.errors import http_status
from app.core.permissions import Permission
from app.judicial import service
from app.judicial.schemas import CourtCreate, CourtUpdate
from app.models import Court
from app.web.forms import error_status, filled_in, validated
from app.web.pages.incident_forms import form_errors
from app.web.pages.posting import Submitted, submitted_to
from app.web.rendering import redirect, render
from app.web.session import PageContext, page_for

router = APIRouter(include_in_schema=False)
# The same permissions as the API's court routes (app/judicial/routes.py).
reader_guard = page_for(Permission.JUDICIAL_READ, Permission.COURT_WRITE, Permission.COURT_ADMIN)
writer_guard = page_for(Permission.COURT_WRITE)
admin_guard = page_for(Permission.COURT_ADMIN)
CourtReaderPage = Annotated[PageContext, Depends(reader_guard)]
CourtAdminPage = Annotated[PageContext, Depends(admin_guard)]
NewCourtForm = Annotated[Submitted, Depends(submitted_to(writer_guard))]
CourtAdminForm = Annotated[Submitted, Depends(submitted_to(admin_guard))]
COURT_FIELDS = ("name", "jurisdiction", "country", "place")


@router.get("/judicial/courts")
def court_list(page: CourtReaderPage, session: SessionDep) -> Response:
    return _show_list(page, session)


def _show_list(
    page: PageContext,
    session: Session,
    status: int = 200,
    entered: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        page,
        "judicial/courts.html",
        status,
        courts=service.list_courts(session),
        entered=entered or {"jurisdiction": "national"},
        errors=errors or {},
    )


@router.post("/judicial/courts")
def add_court(posted: NewCourtForm, session: SessionDep) -> Response:
    page = posted.page
    entered = filled_in(posted.form, COURT_FIELDS)
    try:
        data = validated(CourtCreate, entered, lambda _data: None)
        court = service.create_court(session, data, page.user)
    except (ValidationError, DomainError) as error:
        session.rollback()
        return _show_list(page, session, error_status(error), entered, form_errors(page, error))
    return redirect(f"/judicial/courts?added={court.id}#court-{court.id}")


@router.get("/judicial/courts/{court_id}/edit")
def edit_court_form(page: CourtAdminPage, session: SessionDep, court_id: uuid.UUID) -> Response:
    court = service.get_court(session, court_id)
    return _show_edit(page, court, _current(court))


def _current(court: Court) -> dict[str, Any]:
    return {name: getattr(court, name) or "" for name in COURT_FIELDS}


def _show_edit(
    page: PageContext,
    court: Court,
    entered: dict[str, Any],
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        page, "judicial/court_edit.html", status, court=court, entered=entered, errors=errors or {}
    )


@router.post("/judicial/courts/{court_id}/edit")
def update_court(posted: CourtAdminForm, session: SessionDep, court_id: uuid.UUID) -> Response:
    page = posted.page
    court = service.get_court(session, court_id)
    entered = filled_in(posted.form, COURT_FIELDS)
    # An emptied country or place clears it; an emptied name is refused by the service.
    body = {"country": None, "place": None, "name": "", **entered}
    try:
        data = validated(CourtUpdate, body, lambda _data: None)
        service.update_court(session, court, data, page.user)
    except (ValidationError, DomainError) as error:
        session.rollback()
        court = service.get_court(session, court_id)
        return _show_edit(page, court, entered, error_status(error), form_errors(page, error))
    return redirect(f"/judicial/courts?saved={court.id}#court-{court.id}")


@router.post("/judicial/courts/{court_id}/delete")
def delete_court(posted: CourtAdminForm, session: SessionDep, court_id: uuid.UUID) -> Response:
    page = posted.page
    court = service.get_court(session, court_id)
    try:
        service.delete_court(session, court, page.user)
    except DomainError as error:
        session.rollback()
        court = service.get_court(session, court_id)
        return _show_edit(
            page, court, _current(court), http_status(error), form_errors(page, error)
        )
    return redirect("/judicial/courts?deleted=1")

"""The admin's audit trail page: their organisation's part of it, newest first, filtered by
user, record, action and period, paged by the API's own cursor (`listing.list_events`)."""

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.audit import listing
from app.audit.schemas import AuditQuery
from app.core.db import SessionDep
from app.core.domain_errors import DomainError
from app.core.permissions import Permission
from app.users import service as users
from app.web.i18n import N_
from app.web.pages.incident_forms import form_errors
from app.web.rendering import render, unknown_parameters_page
from app.web.session import PageContext, page_for

router = APIRouter(include_in_schema=False)
AuditorPage = Annotated[PageContext, Depends(page_for(Permission.AUDIT_READ))]
TEXT_FILTERS = ("user_id", "record_id", "action", "cursor")
PERIOD = ("since", "until")
PAGE_SIZE = 50


def _filters(request: Request) -> dict[str, str]:
    return {
        name: value.strip()
        for name in (*TEXT_FILTERS, *PERIOD)
        if (value := request.query_params.get(name, "")).strip()
    }


def _period(filters: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Days as the page asks for them, as the API's moments: from the first to the last instant
    of the days chosen, in UTC (the trail's clock)."""
    moments: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in PERIOD:
        if name not in filters:
            continue
        try:
            day = date.fromisoformat(filters[name])
        except ValueError:
            errors[name] = N_("Enter a date as YYYY-MM-DD.")
            continue
        moment = datetime.combine(day, time.min)
        if name == "until":
            moment += timedelta(days=1, microseconds=-1)
        moments[name] = moment.isoformat() + "+00:00"
    return moments, errors


@router.get("/admin/audit")
def audit_page(page: AuditorPage, session: SessionDep) -> Response:
    if (refusal := unknown_parameters_page(page.request, (*TEXT_FILTERS, *PERIOD))) is not None:
        return refusal
    filters = _filters(page.request)
    moments, errors = _period(filters)
    errors = {name: page.t.gettext(message) for name, message in errors.items()}
    events: list[Any] = []
    next_cursor = None
    if not errors:
        body = {**{n: filters[n] for n in TEXT_FILTERS if n in filters}, **moments}
        try:
            query = AuditQuery.model_validate({**body, "limit": PAGE_SIZE})
            events, next_cursor = listing.list_events(session, page.user, query)
        except (ValidationError, DomainError) as error:
            errors = form_errors(page, error)
    members = [(str(user.id), user.username) for user in users.list_users(session, page.user)]
    return render(
        page,
        "admin/audit.html",
        422 if errors else 200,
        filters=filters,
        errors=errors,
        events=events,
        next_cursor=next_cursor,
        members=members,
    )

"""Judicial trackers' case forms: open a case before a court for incidents named by their
reference, and change its docket, incidents, charges and accused against the version opened.

The forms become the API's own bodies and go to the same service functions, so a refusal of
justice consent (409, naming each victim) is shown beside the incidents, with the field for the
reason the case goes ahead anyway."""

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.core.db import SessionDep
from app.core.domain_errors import DomainError
from app.core.errors import http_status
from app.core.permissions import Permission
from app.judicial import links, service
from app.judicial.schemas import CaseCreate, CaseUpdate
from app.models import JudicialCase
from app.models.enums import JudicialStage
from app.web.forms import (
    Check,
    error_status,
    filled_in,
    problems_of,
    translate_problem,
    validated,
)
from app.web.i18n import N_
from app.web.pages.incident_forms import form_errors
from app.web.pages.posting import Submitted, submitted_to
from app.web.rendering import redirect, render
from app.web.session import PageContext, page_for

router = APIRouter(include_in_schema=False)
writer_guard = page_for(Permission.JUDICIAL_WRITE)
CaseWriterPage = Annotated[PageContext, Depends(writer_guard)]
CaseForm = Annotated[Submitted, Depends(submitted_to(writer_guard))]

NEW_CASE_FIELDS = (
    "court_id",
    "docket_reference",
    "stage",
    "opened_on",
    "stage_since",
    "last_act_on",
    "accused_count",
    "consent_override_reason",
)
EDIT_FIELDS = ("docket_reference", "accused_count", "consent_override_reason", "version")
# References or ids typed one per line, or separated by commas or spaces.
SEPARATORS = re.compile(r"[\s,;]+")
NO_ID = "00000000-0000-0000-0000-000000000000"


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


# Stand-ins let the other fields' rules run when these are left empty or mistyped.
CASE_STAND_INS = {
    "court_id": NO_ID,
    "incident_ids": [NO_ID],
    "opened_on": lambda body: body.get("stage_since") or body.get("last_act_on") or _today(),
}


def _incident_keys(form: FormData) -> list[str]:
    typed = form.get("incident_ids")
    return [key for key in SEPARATORS.split(typed if isinstance(typed, str) else "") if key]


def _charges(form: FormData) -> list[str]:
    typed = form.get("charges")
    return [line.strip() for line in (typed if isinstance(typed, str) else "").splitlines()]


def _entered(form: FormData, names: tuple[str, ...]) -> dict[str, Any]:
    entered: dict[str, Any] = filled_in(form, names)
    entered["incident_ids"] = _incident_keys(form)
    entered["charges"] = [charge for charge in _charges(form) if charge]
    return entered


def _shown(entered: dict[str, Any]) -> dict[str, Any]:
    """The entries as the form's inputs hold them (lists as lines)."""
    return {
        **entered,
        "incident_ids": "\n".join(entered.get("incident_ids", [])),
        "charges": "\n".join(entered.get("charges", [])),
    }


def _errors(
    page: PageContext, error: ValidationError | DomainError, keys: list[str]
) -> tuple[dict[str, str], list[str]]:
    """The form's errors by field, and each incident's problem as "reference: what is wrong"."""
    errors = form_errors(page, error)
    problems = error.errors if isinstance(error, DomainError) else problems_of(error.errors())
    lines = []
    for problem in problems:
        loc = [part for part in problem.loc if part != "body"]
        if len(loc) >= 2 and loc[0] == "incident_ids" and isinstance(loc[1], int):
            key = keys[loc[1]] if loc[1] < len(keys) else ""
            reference = page.t.format(N_("{label}:"), label=key)
            lines.append(f"{reference} {translate_problem(page.t, problem, dict(problem.values))}")
    if lines:
        errors["incident_ids"] = "; ".join(lines)
    return errors, lines


def _consent_refused(error: ValidationError | DomainError) -> bool:
    return isinstance(error, DomainError) and any(p.kind == "consent" for p in error.errors)


def _show_form(
    page: PageContext,
    session: Session,
    *,
    case: JudicialCase | None = None,
    values: dict[str, Any],
    status: int = 200,
    errors: dict[str, str] | None = None,
    incident_problems: list[str] | None = None,
    ask_override: bool = False,
) -> Response:
    return render(
        page,
        "judicial/case_form.html",
        status,
        case=case,
        values=values,
        errors=errors or {},
        incident_problems=incident_problems or [],
        ask_override=ask_override or bool(values.get("consent_override_reason")),
        courts=[(str(court.id), court.name) for court in service.list_courts(session)],
        stages=page.labels.options(JudicialStage),
    )


@router.get("/judicial/cases/new")
def new_case_form(page: CaseWriterPage, session: SessionDep) -> Response:
    return _show_form(page, session, values={"stage": JudicialStage.COMPLAINT_FILED.value})


@router.post("/judicial/cases/new")
def create_case(posted: CaseForm, session: SessionDep) -> Response:
    page, principal = posted.page, posted.page.user
    entered = _entered(posted.form, NEW_CASE_FIELDS)
    try:
        data = validated(CaseCreate, entered, check_new(session, page), CASE_STAND_INS)
        case = service.create_case(session, data, principal)
    except (ValidationError, DomainError) as error:
        session.rollback()
        errors, lines = _errors(page, error, entered["incident_ids"])
        return _show_form(
            page,
            session,
            values=_shown(entered),
            status=error_status(error),
            errors=errors,
            incident_problems=lines,
            ask_override=_consent_refused(error),
        )
    return redirect(f"/judicial/cases/{case.id}?opened=1")


def check_new(session: Session, page: PageContext) -> Check:
    return lambda data: service.check_case(session, data, page.user)


def _current(session: Session, case: JudicialCase) -> dict[str, Any]:
    return {
        "docket_reference": case.docket_reference or "",
        "accused_count": str(case.accused_count),
        "version": str(case.version),
        "incident_ids": [i.reference for i in links.linked_incidents(session, case)],
        "charges": list(case.charges),
    }


@router.get("/judicial/cases/{case_id}/edit")
def edit_case_form(page: CaseWriterPage, session: SessionDep, case_id: uuid.UUID) -> Response:
    case = service.get_case(session, case_id, page.user)
    return _show_form(page, session, case=case, values=_shown(_current(session, case)))


@router.post("/judicial/cases/{case_id}/edit")
def update_case(posted: CaseForm, session: SessionDep, case_id: uuid.UUID) -> Response:
    page, principal = posted.page, posted.page.user
    case = service.get_case(session, case_id, principal)
    entered = _entered(posted.form, EDIT_FIELDS)
    # Every field is sent: an emptied docket clears it, emptied charges remove them.
    body = {"docket_reference": None, "accused_count": 0, **entered}
    body["version"] = entered.get("version", "0")
    try:
        data = validated(CaseUpdate, body, lambda _data: None)
        service.update_case(session, case, data, principal)
    except (ValidationError, DomainError) as error:
        session.rollback()
        case = service.get_case(session, case_id, principal)
        errors, lines = _errors(page, error, entered["incident_ids"])
        if isinstance(error, DomainError) and http_status(error) == 409 and not error.errors:
            entered["version"] = str(case.version)  # someone saved first: show it, save nothing
        return _show_form(
            page,
            session,
            case=case,
            values=_shown(entered),
            status=error_status(error),
            errors=errors,
            incident_problems=lines,
            ask_override=_consent_refused(error),
        )
    return redirect(f"/judicial/cases/{case.id}?saved=1")

"""Judicial trackers' pages: pending cases by court and stage, the stalled list, and a case's
timeline with the form to record a judicial act."""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.core.db import SessionDep
from app.core.domain_errors import DomainError
from app.core.permissions import Permission
from app.judicial import links, reports, service
from app.judicial.schemas import CaseEventCreate
from app.judicial.stages import CLOSED, NEXT_STAGES
from app.models import JudicialCase
from app.models.enums import CaseEventKind, JudicialStage
from app.web.forms import Check, filled_in, validated
from app.web.i18n import N_
from app.web.pages.incident_forms import form_errors
from app.web.rendering import redirect, render
from app.web.session import PageContext, PostedForm, page_for

router = APIRouter(include_in_schema=False)
CasesPage = Annotated[PageContext, Depends(page_for(Permission.JUDICIAL_READ))]
CaseWriterPage = Annotated[PageContext, Depends(page_for(Permission.JUDICIAL_WRITE))]

EVENT_KINDS = (
    (CaseEventKind.ACT, N_("A judicial act (hearing, order, summons…): the stage stays")),
    (CaseEventKind.STAGE_CHANGE, N_("The case moved to a new stage")),
    (CaseEventKind.CORRECTION, N_("Correct a stage recorded wrongly (give the reason)")),
)


def _today() -> Any:
    return datetime.now(UTC).date()


@router.get("/judicial")
def pending_cases(page: CasesPage, session: SessionDep) -> Response:
    report = reports.pending(session, page.user, _today())
    stages = [
        stage
        for stage in JudicialStage
        if any(group.stage is stage for court in report.courts for group in court.stages)
    ]
    # Concluded cases leave the pending table; they stay listed here, latest outcome first.
    closed = sorted(
        service.list_cases(session, page.user, None, CLOSED, None),
        key=lambda case: (case.stage_since, case.docket_reference or ""),
        reverse=True,
    )
    return render(page, "judicial/pending.html", report=report, stages=stages, closed=closed)


@router.get("/judicial/stalled")
def stalled_cases(
    page: CasesPage, session: SessionDep, months: Annotated[int, Query(ge=1, le=600)] = 12
) -> Response:
    report = reports.stalled(session, page.user, months, _today())
    return render(page, "judicial/stalled.html", report=report)


@router.get("/judicial/cases/{case_id}")
def case_page(page: CasesPage, session: SessionDep, case_id: uuid.UUID) -> Response:
    return _show_case(page, session, case_id)


def _show_case(
    page: PageContext,
    session: Session,
    case_id: uuid.UUID,
    status: int = 200,
    errors: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    case = service.get_case(session, case_id, page.user)
    return render(
        page,
        "judicial/case.html",
        status,
        case=case,
        incidents=links.linked_incidents(session, case),
        next_stages=[stage.value for stage in JudicialStage if stage in NEXT_STAGES[case.stage]],
        event_kinds=[(kind.value, page.t.gettext(text)) for kind, text in EVENT_KINDS],
        errors=errors or {},
        # Nothing dated for the user: an act is recorded only with the date and words they typed.
        entered=entered or {"kind": CaseEventKind.ACT.value},
    )


@router.post("/judicial/cases/{case_id}/events")
def record_event(
    page: CaseWriterPage, form: PostedForm, session: SessionDep, case_id: uuid.UUID
) -> Response:
    principal = page.user
    case = service.get_case(session, case_id, principal)
    entered = _event_fields(form)
    try:
        event = validated(CaseEventCreate, entered, check_event(case), _event_stand_ins(case))
        service.record_event(session, case, event, principal)
    except (ValidationError, DomainError) as error:
        session.rollback()
        return _show_case(page, session, case_id, 422, form_errors(page, error), entered)
    return redirect(f"/judicial/cases/{case_id}?recorded={event.kind.value}")


def check_event(case: JudicialCase) -> Check:
    return lambda event: service.check_event(case, event)


def _event_stand_ins(case: JudicialCase) -> dict[str, Any]:
    # A date the case's dates allow, so that a missing date does not hide a missing description.
    return {"occurred_on": case.stage_since.isoformat()}


def _event_fields(form: FormData) -> dict[str, Any]:
    fields: dict[str, Any] = filled_in(form, ("kind", "occurred_on", "stage", "note"))
    if fields.get("kind") == CaseEventKind.ACT.value:
        fields.pop("stage", None)  # the stage list stays on screen; an act does not use it
    return fields

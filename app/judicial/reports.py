"""What judicial trackers report: cases still open by court and stage, and stalled cases."""

from datetime import date
from itertools import groupby

from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.judicial.schemas import (
    CaseSummary,
    CourtGroup,
    CourtRead,
    PendingReport,
    StageGroup,
    StalledCase,
    StalledReport,
)
from app.judicial.service import list_cases, readable_cases
from app.judicial.stages import BROUGHT_TO_TRIAL, CLOSED
from app.models import JudicialCase
from app.models.enums import JudicialStage

STAGE_ORDER = {stage: position for position, stage in enumerate(JudicialStage)}


def _open_cases(session: Session, principal: Principal) -> list[JudicialCase]:
    query = readable_cases(principal).where(JudicialCase.stage.not_in(CLOSED))
    return list(session.scalars(query))


def _summary(case: JudicialCase, as_of: date) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        docket_reference=case.docket_reference,
        stage=case.stage,
        stage_since=case.stage_since,
        days_in_stage=(as_of - case.stage_since).days,
        last_act_on=case.last_act_on,
        days_since_last_act=(as_of - case.last_act_on).days,
        incident_count=len(case.incident_links),
    )


def pending(session: Session, principal: Principal, as_of: date) -> PendingReport:
    cases = sorted(
        _open_cases(session, principal),
        key=lambda c: (c.court.name, STAGE_ORDER[c.stage], c.last_act_on),
    )
    courts = []
    for _, court_cases in groupby(cases, key=lambda c: c.court_id):
        court_cases = list(court_cases)
        stages = [
            StageGroup(stage=stage, count=len(group), cases=[_summary(c, as_of) for c in group])
            for stage, group in (
                (stage, list(items)) for stage, items in groupby(court_cases, lambda c: c.stage)
            )
        ]
        court = CourtRead.model_validate(court_cases[0].court)
        courts.append(CourtGroup(court=court, count=len(court_cases), stages=stages))
    return PendingReport(as_of=as_of, total=len(cases), courts=courts)


def brought_to_trial(session: Session, principal: Principal) -> list[JudicialCase]:
    """The caller's cases that reached trial, whatever became of them after: what
    `GET /judicial-cases?stage=trial&stage=verdict&...` lists."""
    return list_cases(session, principal, None, sorted(BROUGHT_TO_TRIAL), None)


def months_between(earlier: date, later: date) -> int:
    """Whole months from `earlier` to `later` (0 if later is earlier)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def stalled(session: Session, principal: Principal, months: int, as_of: date) -> StalledReport:
    """Open cases whose last judicial act is `months` or more months old, the oldest first."""
    found = [
        case
        for case in _open_cases(session, principal)
        if months_between(case.last_act_on, as_of) >= months
    ]
    found.sort(key=lambda case: (case.last_act_on, case.court.name))
    return StalledReport(
        as_of=as_of,
        months=months,
        total=len(found),
        cases=[
            StalledCase(
                **_summary(case, as_of).model_dump(),
                court=CourtRead.model_validate(case.court),
                months_since_last_act=months_between(case.last_act_on, as_of),
            )
            for case in found
        ],
    )

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.core.auth import Principal, require, require_any
from app.core.config import API_PREFIX
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.judicial import reports, service
from app.judicial.schemas import (
    CaseCreate,
    CaseEventCreate,
    CaseRead,
    CaseUpdate,
    CourtCreate,
    CourtRead,
    CourtUpdate,
    PendingReport,
    StalledReport,
)
from app.models import JudicialCase
from app.models.enums import JudicialStage

router = APIRouter(prefix=API_PREFIX, tags=["judicial cases"])
# The court registry is shared by every organisation: all read it and may add a court, but
# renaming or deleting one changes it for everyone, so that is the system role's alone (which
# also keeps anyone from learning, from a refused DELETE, that some organisation has cases there).
CourtReader = Annotated[
    Principal,
    Depends(require_any(Permission.JUDICIAL_READ, Permission.COURT_WRITE, Permission.COURT_ADMIN)),
]
CourtWriter = Annotated[Principal, Depends(require(Permission.COURT_WRITE))]
CourtAdmin = Annotated[Principal, Depends(require(Permission.COURT_ADMIN))]
CaseReader = Annotated[Principal, Depends(require(Permission.JUDICIAL_READ))]
CaseWriter = Annotated[Principal, Depends(require(Permission.JUDICIAL_WRITE))]


def readable_case(session: SessionDep, reader: CaseReader, case_id: uuid.UUID) -> JudicialCase:
    return service.get_case(session, case_id, reader)


CurrentCase = Annotated[JudicialCase, Depends(readable_case)]


def _today() -> datetime:
    return datetime.now(UTC)


@router.post("/courts", status_code=status.HTTP_201_CREATED, response_model=CourtRead)
def create_court(session: SessionDep, writer: CourtWriter, body: CourtCreate) -> CourtRead:
    return CourtRead.model_validate(service.create_court(session, body, writer))


@router.get("/courts", response_model=list[CourtRead])
def list_courts(session: SessionDep, _reader: CourtReader) -> list[CourtRead]:
    return [CourtRead.model_validate(court) for court in service.list_courts(session)]


@router.get("/courts/{court_id}", response_model=CourtRead)
def get_court(session: SessionDep, _reader: CourtReader, court_id: uuid.UUID) -> CourtRead:
    return CourtRead.model_validate(service.get_court(session, court_id))


@router.patch("/courts/{court_id}", response_model=CourtRead)
def update_court(
    session: SessionDep, writer: CourtAdmin, court_id: uuid.UUID, body: CourtUpdate
) -> CourtRead:
    """Correct a court of the shared registry (the system role only)."""
    court = service.get_court(session, court_id)
    return CourtRead.model_validate(service.update_court(session, court, body, writer))


@router.delete("/courts/{court_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_court(session: SessionDep, writer: CourtAdmin, court_id: uuid.UUID) -> None:
    """Delete a court no case was entered against (e.g. registered twice); 409 otherwise.
    The system role only."""
    service.delete_court(session, service.get_court(session, court_id), writer)


@router.get("/judicial-cases/pending", response_model=PendingReport)
def pending_cases(session: SessionDep, reader: CaseReader) -> PendingReport:
    """Cases not closed, by court and stage, with how long each has been in its stage and since
    its last judicial act."""
    return reports.pending(session, reader, _today().date())


@router.get("/judicial-cases/stalled", response_model=StalledReport)
def stalled_cases(
    session: SessionDep,
    reader: CaseReader,
    months: Annotated[int, Query(ge=1, le=600, description="Months without a judicial act.")] = 12,
) -> StalledReport:
    """Open cases with no judicial act for `months` months or more, the longest stalled first."""
    return reports.stalled(session, reader, months, _today().date())


@router.post("/judicial-cases", status_code=status.HTTP_201_CREATED, response_model=CaseRead)
def create_case(session: SessionDep, writer: CaseWriter, body: CaseCreate) -> CaseRead:
    """Open a case before a court for one or more incidents of your organisation."""
    return CaseRead.model_validate(service.create_case(session, body, writer))


@router.get("/judicial-cases", response_model=list[CaseRead])
def list_cases(
    session: SessionDep,
    reader: CaseReader,
    court_id: uuid.UUID | None = None,
    stage: Annotated[
        list[JudicialStage] | None,
        Query(description="Cases at any of these stages (repeat: `stage=trial&stage=verdict`)."),
    ] = None,
    incident_id: uuid.UUID | None = None,
) -> list[CaseRead]:
    cases = service.list_cases(session, reader, court_id, stage or [], incident_id)
    return [CaseRead.model_validate(case) for case in cases]


@router.get("/judicial-cases/{case_id}", response_model=CaseRead)
def get_case(case: CurrentCase) -> CaseRead:
    return CaseRead.model_validate(case)


@router.patch("/judicial-cases/{case_id}", response_model=CaseRead)
def update_case(
    session: SessionDep, writer: CaseWriter, case: CurrentCase, body: CaseUpdate
) -> CaseRead:
    """Docket, incidents, charges, accused: the stage moves only through events."""
    return CaseRead.model_validate(service.update_case(session, case, body, writer))


@router.delete("/judicial-cases/{case_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_case(session: SessionDep, writer: CaseWriter, case: CurrentCase) -> None:
    """Delete a case entered by mistake, while nothing has been recorded on it; 409 otherwise."""
    service.delete_case(session, case, writer)


@router.post("/judicial-cases/{case_id}/events", response_model=CaseRead)
def record_event(
    session: SessionDep, writer: CaseWriter, case: CurrentCase, body: CaseEventCreate
) -> CaseRead:
    """Record a judicial act, a stage change along the allowed table, or a correction (which
    may go back, must give a reason, and is audited)."""
    return CaseRead.model_validate(service.record_event(session, case, body, writer))

"""Partners' aggregate tables, and the statistics that show them beside the records. Routes are
thin: the rules are in the services."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile
from fastapi import status as http
from pydantic import ValidationError

from app.aggregates import csv_io, report, service
from app.aggregates.schemas import (
    SideBySideQuery,
    SideBySideResult,
    SubmissionCreate,
    SubmissionRead,
    SubmissionUpdate,
    TemplateQuery,
    UploadFields,
)
from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.db import SessionDep
from app.core.domain_errors import FieldProblem, InvalidFieldsError, problems_from
from app.core.i18n import N_
from app.core.permissions import Permission
from app.core.versioning import based_on

router = APIRouter(prefix=f"{API_PREFIX}/aggregates", tags=["partners' aggregate tables"])
stats_router = APIRouter(prefix=API_PREFIX, tags=["statistics"])

Reader = Annotated[Principal, Depends(require(Permission.AGGREGATE_READ))]
Writer = Annotated[Principal, Depends(require(Permission.AGGREGATE_WRITE))]
StatsReader = Annotated[Principal, Depends(require(Permission.STATS_READ))]
IfMatch = Annotated[
    str | None,
    Header(description='The version the change is based on, as returned in `ETag`, e.g. `"3"`.'),
]
CSV_RESPONSE = {200: {"content": {"text/csv": {}}, "description": "The template to fill in."}}
MAX_FILE_BYTES = 1_000_000


def _answer(submission: object, response: Response) -> SubmissionRead:
    read = service.view(submission)  # type: ignore[arg-type]
    response.headers["ETag"] = f'"{read.version}"'
    return read


@router.post("", status_code=http.HTTP_201_CREATED, response_model=SubmissionRead)
def create_submission(
    session: SessionDep, writer: Writer, body: SubmissionCreate, response: Response
) -> SubmissionRead:
    """Record a partner's table for a period and area: its source, dimensions and cells, under
    the partner's own labels. Cells must add up to `total` when it is given (else 422 naming
    it), and no two cells may carry the same labels."""
    submission = service.create_submission(session, body, writer)
    response.headers["Location"] = f"{router.prefix}/{submission.id}"
    return _answer(submission, response)


@router.get("", response_model=list[SubmissionRead])
def list_submissions(session: SessionDep, reader: Reader) -> list[SubmissionRead]:
    """Your organisation's tables, not archived, the latest period first."""
    return [service.view(s) for s in service.list_submissions(session, reader)]


@router.get("/template.csv", response_class=Response, responses=CSV_RESPONSE)
def csv_template(
    reader: Reader,
    query: Annotated[TemplateQuery, Query()],
) -> Response:
    """A CSV to fill in and upload: a row per category under a partner's label, an empty row
    for the unattributed remainder and a `*` row for the total; rows left without a count are
    not part of the table."""
    dimensions = query.dimensions
    name = "-".join(d.value for d in dimensions) or "total"
    return Response(
        csv_io.template(dimensions),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="aggregate-{name}.csv"'},
    )


@router.post("/csv", status_code=http.HTTP_201_CREATED, response_model=SubmissionRead)
def upload_submission(
    session: SessionDep,
    writer: Writer,
    response: Response,
    file: Annotated[UploadFile, File(description="The table as CSV (see the template).")],
    partner_name: Annotated[str, Form(max_length=200)],
    source_kind: Annotated[str, Form(max_length=40)],
    period_from: Annotated[str, Form(max_length=20)],
    period_to: Annotated[str, Form(max_length=20)],
    country: Annotated[str, Form(max_length=60)],
    measure: Annotated[str, Form(max_length=20)],
    admin1: Annotated[str | None, Form(max_length=120)] = None,
    total: Annotated[str | None, Form(max_length=12)] = None,
    note: Annotated[str | None, Form(max_length=5000)] = None,
) -> SubmissionRead:
    """Record a table from a CSV file (multipart form): the file's header names its
    dimensions, its `*` row is the stated total; problems name the file's lines
    (`file[3].count`)."""
    entered = {
        "partner_name": partner_name,
        "source_kind": source_kind,
        "period_from": period_from,
        "period_to": period_to,
        "country": country,
        "measure": measure,
        "admin1": admin1,
        "total": total,
        "note": note,
    }
    try:
        fields = UploadFields.model_validate(entered)
    except ValidationError as error:
        raise InvalidFieldsError(problems_from(error, ("body",))) from None
    table = csv_io.parse(read_text(file.file.read(MAX_FILE_BYTES + 1)))
    submission = service.upload_submission(session, fields, table, writer)
    response.headers["Location"] = f"{router.prefix}/{submission.id}"
    return _answer(submission, response)


def read_text(data: bytes) -> str:
    """An uploaded file as text: UTF-8 (with or without its mark), no NUL, not too large."""
    problem = None
    if len(data) > MAX_FILE_BYTES:
        problem = N_("is larger than 1 MB")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            problem = N_("must be UTF-8 text")
        else:
            if "\x00" in text:
                problem = N_("must not contain a NUL character")
    if problem:
        raise InvalidFieldsError([FieldProblem(("body", "file"), problem)])
    return text


@router.get("/{submission_id}", response_model=SubmissionRead)
def get_submission(
    session: SessionDep, reader: Reader, submission_id: uuid.UUID, response: Response
) -> SubmissionRead:
    """One of your organisation's tables, exact, with what each of its labels means to us."""
    return _answer(service.get_submission(session, submission_id, reader), response)


@router.patch("/{submission_id}", response_model=SubmissionRead)
def update_submission(
    session: SessionDep,
    writer: Writer,
    submission_id: uuid.UUID,
    body: SubmissionUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> SubmissionRead:
    """Change the fields sent, based on the version given (If-Match or `version`); the table
    is checked again whole."""
    submission = service.get_submission(session, submission_id, writer)
    based_on(if_match, body.version, "submission").refuse_if_stale(submission.version)
    return _answer(service.update_submission(session, submission, body, writer), response)


@router.delete("/{submission_id}", status_code=http.HTTP_204_NO_CONTENT)
def archive_submission(
    session: SessionDep,
    writer: Writer,
    submission_id: uuid.UUID,
    reason: Annotated[str | None, Query(max_length=2000)] = None,
    if_match: IfMatch = None,
) -> None:
    """Archive, never erase: the table is kept, but leaves lists and statistics."""
    submission = service.get_submission(session, submission_id, writer)
    if if_match is not None:
        based_on(if_match, None, "submission").refuse_if_stale(submission.version)
    service.archive_submission(session, submission, reason, writer)


@stats_router.get("/stats/side-by-side", response_model=SideBySideResult)
def get_side_by_side(
    request: Request,
    session: SessionDep,
    reader: StatsReader,
    query: Annotated[SideBySideQuery, Query()],
) -> SideBySideResult:
    """Partners' aggregate tables beside the records, never added together.

    One column per partner's table matching the filters (`source=gbvims`: tables from the
    GBVIMS), then the records counted as `/stats` counts them. Each column and figure says
    where it comes from (`origin`: `partner_table` or `records`); `overlaps` names the tables
    covering a period and area where your organisation has records too, which may count the
    same cases. Another organisation's table is shown with its counts from 1 to k-1 hidden.
    """
    return report.side_by_side(session, query, reader, request.app.state.settings.suppression_k)

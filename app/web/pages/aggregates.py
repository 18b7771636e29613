"""Partners' aggregate tables: the organisation's list, the form recording one from a CSV (typed
in or uploaded, from the template), and one table with what each partner's label means to us.
The same services as the API: a page can do nothing the API would refuse."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from app.aggregates import csv_io, service
from app.aggregates.mapping import UNMAPPED
from app.aggregates.routes import MAX_FILE_BYTES, read_text
from app.aggregates.schemas import TemplateQuery, UploadFields
from app.core.db import SessionDep
from app.core.domain_errors import DomainError
from app.core.i18n import N_
from app.core.permissions import Permission
from app.models.aggregate import AggregateDimension, AggregateMeasure
from app.models.enums import GbvType, PerpetratorCategory, Source, VictimCategory, Violation
from app.web.forms import error_status, errors_from_problems, filled_in
from app.web.pages.incident_forms import form_errors
from app.web.rendering import redirect, render
from app.web.session import PageContext, page_for, posted_form_for

router = APIRouter(include_in_schema=False)
ReaderPage = Annotated[PageContext, Depends(page_for(Permission.AGGREGATE_READ))]
WriterPage = Annotated[PageContext, Depends(page_for(Permission.AGGREGATE_WRITE))]
LIST_PAGE = "/aggregates"
NEW_PAGE = "/aggregates/new"
FIELDS = (
    "partner_name",
    "source_kind",
    "period_from",
    "period_to",
    "country",
    "admin1",
    "measure",
    "total",
    "note",
)
# The vocabulary whose labels name our categories, per dimension (regions are names already).
LINE_PROBLEM = N_("line {line}: {problem}")
UNMAPPED_LABEL = N_("Unmapped: {label}")
CATEGORY_ENUMS = {
    AggregateDimension.PERPETRATOR_CATEGORY: PerpetratorCategory,
    AggregateDimension.VICTIM_CATEGORY: VictimCategory,
    AggregateDimension.GBV_TYPE: GbvType,
    AggregateDimension.VIOLATION: Violation,
}


PostedForm = posted_form_for(WriterPage)


@router.get(LIST_PAGE)
def list_page(page: ReaderPage, session: SessionDep) -> Response:
    submissions = service.list_submissions(session, page.user)
    return render(
        page,
        "aggregates/list.html",
        submissions=submissions,
        sources=Source,
        measures=AggregateMeasure,
        dimensions=AggregateDimension,
    )


@router.get("/aggregates/template.csv")
def template_page(page: ReaderPage) -> Response:
    """The API's template, for the signed-in page (which has no bearer token)."""
    chosen = page.request.query_params.getlist("dimensions")
    try:
        dimensions = TemplateQuery.model_validate({"dimensions": chosen}).dimensions
    except ValidationError:
        dimensions = []
    name = "-".join(d.value for d in dimensions) or "total"
    return Response(
        csv_io.template(dimensions),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="aggregate-{name}.csv"'},
    )


def _show_form(
    page: PageContext,
    status: int = 200,
    errors: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    return render(
        page,
        "aggregates/form.html",
        status,
        errors=errors or {},
        entered=entered or {"country": "ML", "source_kind": "gbvims", "measure": "incidents"},
        source_options=page.labels.options(Source),
        measure_options=page.labels.options(AggregateMeasure),
        dimension_options=page.labels.options(AggregateDimension),
    )


@router.get(NEW_PAGE)
def new_page(page: WriterPage) -> Response:
    return _show_form(page)


@router.post(NEW_PAGE)
def create(page: WriterPage, form: PostedForm, session: SessionDep) -> Response:
    entered: dict[str, Any] = filled_in(form, FIELDS)
    table_text = form.get("table")
    typed = table_text if isinstance(table_text, str) else ""
    upload = form.get("file")
    try:
        fields = UploadFields.model_validate(entered)
        if isinstance(upload, UploadFile) and upload.filename:
            text = read_text(upload.file.read(MAX_FILE_BYTES + 1))
        else:
            text = typed
        submission = service.upload_submission(session, fields, csv_io.parse(text), page.user)
    except (ValidationError, DomainError) as error:
        session.rollback()
        status = error_status(error)
        return _show_form(page, status, _errors(page, error), {**entered, "table": typed})
    return redirect(f"{LIST_PAGE}/{submission.id}?recorded=1")


def _errors(page: PageContext, error: ValidationError | DomainError) -> dict[str, str]:
    """Each field's first problem; the file's problems together, each naming its line."""
    if isinstance(error, ValidationError):
        return form_errors(page, error)
    in_file = [p for p in error.errors if p.loc[1:2] == ("file",)]
    errors = errors_from_problems(page.t, [p for p in error.errors if p not in in_file])
    lines = []
    for problem in in_file:
        message = errors_from_problems(page.t, [problem])["file"]
        line = problem.loc[2] if len(problem.loc) > 2 else None
        lines.append(page.t.format(LINE_PROBLEM, line=line, problem=message))
    if lines:
        errors["table"] = "; ".join(lines)
    return errors or form_errors(page, error)


@router.get(LIST_PAGE + "/{submission_id}")
def detail_page(page: ReaderPage, session: SessionDep, submission_id: uuid.UUID) -> Response:
    table = service.view(service.get_submission(session, submission_id, page.user))

    def meaning(dimension: str, category: str | None, label: str | None) -> str:
        if category is None:
            return page.t.gettext("Unattributed (no category)")
        if category == UNMAPPED:
            return page.t.format(UNMAPPED_LABEL, label=label)
        if category == "*":
            return page.t.gettext("All")
        enum = CATEGORY_ENUMS.get(AggregateDimension(dimension))
        return page.labels.of(enum, category) if enum else category

    return render(
        page,
        "aggregates/detail.html",
        table=table,
        meaning=meaning,
        sources=Source,
        measures=AggregateMeasure,
        dimensions=AggregateDimension,
    )

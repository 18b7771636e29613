"""Report writers' statistics page: every filter of the API, the table (a cross-table with its
margins for two dimensions), bar charts, and the CSV in the page's language."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app.core.db import ReadSessionDep
from app.core.domain_errors import DomainError
from app.core.permissions import Permission
from app.core.spreadsheets import XLSX_MEDIA_TYPE
from app.stats.dimensions import DIMENSIONS, DimensionName
from app.stats.export import as_labelled_csv, as_xlsx, labelled_rows
from app.stats.schemas import Basis, Measure, StatsQuery, StatsResult
from app.stats.service import compute_stats
from app.web.forms import errors_from_problems, errors_from_validation, problems_of
from app.web.rendering import invalid_query_page, render, unknown_parameters_page
from app.web.session import PageContext, page_for
from app.web.stats_view import (
    PAGE_PARAMETERS,
    PARTY_LIST,
    SINGLE_CHOICES,
    Choices,
    charts,
    choices_from,
    cross_tables,
    csv_wording,
    filter_options,
    key_label,
    victims_heading,
)

router = APIRouter(include_in_schema=False)
StatsPage = Annotated[PageContext, Depends(page_for(Permission.STATS_READ))]

DEFAULT_VIEW = Choices(
    {"group_by": "perpetrator_category", "basis": Basis.ALL_REPORTED.value},
    choices_from([]).lists,
)


def _choices(page: PageContext) -> Choices:
    """The form's choices; the first visit shows the perpetrator table of all reports."""
    choices = choices_from(page.request.query_params.multi_items())
    return choices if choices.single or choices.any_filter else DEFAULT_VIEW


def _refused(page: PageContext) -> HTMLResponse | None:
    """A parameter the page does not know is refused by name, as the API refuses it, and so is
    a menu's given twice (`choices_from` would silently keep the first); list filters repeat."""
    repeatable = PAGE_PARAMETERS.difference(SINGLE_CHOICES)
    return unknown_parameters_page(page.request, PAGE_PARAMETERS, repeatable)


def _stats_query(choices: Choices) -> StatsQuery:
    single = choices.single
    params: dict[str, Any] = {
        "group_by": [single[name] for name in ("group_by", "then_by") if single.get(name)],
        "basis": single.get("basis", Basis.ALL_REPORTED.value),
        "measure": single.get("measure", Measure.ALL_VICTIMS.value),
    }
    for name in ("occurred_from", "occurred_to"):
        if single.get(name):
            params[name] = single[name]
    params.update({name: values for name, values in choices.lists.items() if values})
    return StatsQuery.model_validate(params)


def _compute(page: PageContext, session: ReadSessionDep, choices: Choices) -> StatsResult:
    k = page.request.app.state.settings.suppression_k
    return compute_stats(session, _stats_query(choices), page.user, k)


@router.get("/statistics")
def statistics_page(page: StatsPage, session: ReadSessionDep) -> Response:
    if (refusal := _refused(page)) is not None:
        return refusal
    choices = _choices(page)
    result = None
    errors: dict[str, str] = {}
    try:
        result = _compute(page, session, choices)
    except ValidationError as error:
        errors = errors_from_validation(page.t, error)
    except DomainError as error:
        errors = errors_from_problems(page.t, error.errors)
    errors = {
        ("then_by" if name == "group_by" and "then_by" in choices.single else name): message
        for name, message in errors.items()
    }
    labels = page.labels
    options = [(name.value, labels.of(DimensionName, name)) for name in DIMENSIONS]
    return render(
        page,
        "stats/page.html",
        400 if errors else 200,
        chosen=choices.form_values,
        picked=choices.lists,
        errors=errors,
        result=result,
        cross=cross_tables(labels, result) if result else [],
        charts=charts(labels, result) if result else [],
        dimension_options=options,
        measure_options=page.labels.options(Measure),
        victims_heading=victims_heading(page.t, labels, result) if result else "",
        # A table by the same dimension twice means nothing: "Then by" offers the others.
        then_options=[option for option in options if option[0] != choices.single.get("group_by")],
        filter_options=filter_options(labels, session),
        party_list=PARTY_LIST,
        filters_open=bool(errors) or choices.any_ticked,
        key_label=lambda name, value: key_label(labels, name, value),
        csv_query=page.request.url.query,
    )


@router.get("/statistics.csv")
def statistics_csv(page: StatsPage, session: ReadSessionDep) -> Response:
    return _table_file(page, session, "csv")


@router.get("/statistics.xlsx")
def statistics_xlsx(page: StatsPage, session: ReadSessionDep) -> Response:
    """The CSV's table as a workbook, with a sheet of notes (filters, protection)."""
    return _table_file(page, session, "xlsx")


def _table_file(page: PageContext, session: ReadSessionDep, file_format: str) -> Response:
    if (refusal := _refused(page)) is not None:
        return refusal
    try:
        result = _compute(page, session, _choices(page))
    except ValidationError as error:
        return invalid_query_page(page.request, problems_of(error.errors(), ()))
    except DomainError as error:
        if not error.errors:
            raise
        return invalid_query_page(page.request, error.errors)
    wording = csv_wording(page.t, page.labels, result)
    content: str | bytes
    if file_format == "csv":
        content, filename = as_labelled_csv(result, wording)
        media_type = "text/csv; charset=utf-8"
    else:
        names = "-".join(name.value for name in result.group_by)
        filename = f"crsv-stats-{names}-{wording.language}.xlsx"
        content, filename = as_xlsx(result, labelled_rows(result, wording), filename)
        media_type = XLSX_MEDIA_TYPE
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "Content-Language": page.t.language,
        },
    )

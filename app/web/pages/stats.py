"""Report writers' statistics page: a table with its remainder, a bar chart, and the CSV."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.core.db import SessionDep
from app.core.errors import ApiError
from app.core.permissions import Permission
from app.stats.dimensions import DIMENSIONS, DimensionName
from app.stats.export import as_csv
from app.stats.schemas import Basis, StatsQuery, StatsResult
from app.stats.service import compute_stats
from app.web.charts import BarChart, bar_chart
from app.web.forms import errors_from_problems, errors_from_validation, problems_of
from app.web.labels import DIMENSION_VALUE_ENUMS, Labels
from app.web.rendering import invalid_query_page, render
from app.web.session import PageContext, page_for

router = APIRouter(include_in_schema=False)
StatsPage = Annotated[PageContext, Depends(page_for(Permission.STATS_READ))]

DEFAULT_VIEW = {"group_by": "perpetrator_category", "basis": Basis.ALL_REPORTED.value}
FORM_FIELDS = ("group_by", "then_by", "occurred_from", "occurred_to", "basis", "country")


def _chosen(request: Request) -> dict[str, str]:
    """The form's choices; the first visit shows the perpetrator table of all reports."""
    chosen = {
        name: value.strip()
        for name in FORM_FIELDS
        if (value := request.query_params.get(name)) and value.strip()
    }
    return chosen or dict(DEFAULT_VIEW)


def _stats_query(chosen: dict[str, str]) -> StatsQuery:
    group_by = [chosen[name] for name in ("group_by", "then_by") if chosen.get(name)]
    params: dict[str, Any] = {"group_by": group_by, "basis": chosen.get("basis", "all_reported")}
    for name in ("occurred_from", "occurred_to"):
        if chosen.get(name):
            params[name] = chosen[name]
    if chosen.get("country"):
        params["country"] = [chosen["country"]]
    return StatsQuery.model_validate(params)


def _compute(page: PageContext, session: SessionDep, chosen: dict[str, str]) -> StatsResult:
    k = page.request.app.state.settings.suppression_k
    return compute_stats(session, _stats_query(chosen), page.user, k)


@router.get("/statistics")
def statistics_page(page: StatsPage, session: SessionDep) -> Response:
    chosen = _chosen(page.request)
    result = None
    errors: dict[str, str] = {}
    try:
        result = _compute(page, session, chosen)
    except ValidationError as error:
        errors = errors_from_validation(page.t, error)
    except ApiError as error:
        errors = errors_from_problems(page.t, error.errors)
    errors = {
        ("then_by" if name == "group_by" and "then_by" in chosen else name): message
        for name, message in errors.items()
    }
    options = [(name.value, page.labels.of(DimensionName, name)) for name in DIMENSIONS]
    return render(
        page,
        "stats/page.html",
        400 if errors else 200,
        chosen=chosen,
        errors=errors,
        result=result,
        chart=_chart(page.labels, result) if result else None,
        dimension_options=options,
        # A table by the same dimension twice means nothing: "Then by" offers the others.
        then_options=[option for option in options if option[0] != chosen.get("group_by")],
        key_label=lambda name, value: _key_label(page.labels, name, value),
        csv_query=page.request.url.query,
    )


@router.get("/statistics.csv")
def statistics_csv(page: StatsPage, session: SessionDep) -> Response:
    try:
        result = _compute(page, session, _chosen(page.request))
    except ValidationError as error:
        return invalid_query_page(page.request, problems_of(error.errors(), ()))
    except ApiError as error:
        if not error.errors:
            raise
        return invalid_query_page(page.request, error.errors)
    text, filename = as_csv(result)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _key_label(labels: Labels, name: str, value: str | int | None) -> str:
    enum_class = DIMENSION_VALUE_ENUMS.get(name)
    if value is None:
        return labels.of(enum_class or DimensionName, None)
    if enum_class is not None:
        return labels.of(enum_class, str(value))
    return str(value)


def _chart(labels: Labels, result: StatsResult) -> BarChart:
    """Incidents by the first dimension (its margin, when the table has two)."""
    first = result.group_by[0]
    groups = result.margins[first.value] if result.margins else result.groups
    rows = [(_key_label(labels, first.value, g.key[first.value]), g.incidents) for g in groups]
    title = labels.chart_title(first)
    return bar_chart(title, rows)

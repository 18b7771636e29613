"""Report writers' "Trends and map" page: incidents and victims by month or quarter (all
reported beside verified only) as line charts with their table, and the figures by region as a
shaded table and, where the organisation uploaded the country's boundaries, a map. All drawn on
the server as SVG; the same filters and protection as the statistics page."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError

from app.core.db import ReadSessionDep
from app.core.domain_errors import DomainError, FieldProblem, InvalidFieldsError
from app.core.i18n import N_
from app.core.permissions import Permission
from app.incidents.filters import IncidentFilters
from app.region_maps import service as region_maps
from app.web.choropleth import draw_map
from app.web.forms import errors_from_problems, errors_from_validation
from app.web.rendering import render, unknown_parameters_page
from app.web.session import PageContext, page_for
from app.web.trends_view import (
    FIGURE_LABELS,
    PARAMETERS,
    PERIOD_LABELS,
    Figure,
    TrendChoices,
    TrendPeriod,
    compute_trends,
    map_figures,
)

router = APIRouter(include_in_schema=False)
StatsPage = Annotated[PageContext, Depends(page_for(Permission.STATS_READ))]
TRENDS_PAGE = "/statistics/trends"
MUST_BE_ONE_OF = N_("must be one of: {choices}")
MAP_TITLE = N_("{figure} by region, {country}")


def _choices(params: dict[str, str]) -> TrendChoices:
    """The page's choices; each bad one is refused by its name."""
    problems = []
    period = params.get("period") or TrendPeriod.QUARTER.value
    if period not in set(TrendPeriod):
        problems.append(_not_one_of("period", TrendPeriod))
    shade_by = params.get("shade_by") or Figure.INCIDENTS_REPORTED.value
    if shade_by not in set(Figure):
        problems.append(_not_one_of("shade_by", Figure))
    filters: dict[str, Any] = {
        name: params[name] for name in ("occurred_from", "occurred_to") if params.get(name)
    }
    if params.get("country"):
        filters["country"] = [params["country"]]
    if problems:
        raise InvalidFieldsError(problems)
    checked = IncidentFilters.model_validate(filters)  # the API's own checks, named by field
    if checked.country:
        filters["country"] = checked.country  # as the API writes it: "ml" is ML
    return TrendChoices(TrendPeriod(period), Figure(shade_by), filters)


def _not_one_of(name: str, choices: Any) -> FieldProblem:
    allowed = ", ".join(choice.value for choice in choices)
    # Worded on the page as every menu's refusal ("Choose one of the listed values."), not
    # with the codes the menu stands for.
    return FieldProblem(("query", name), MUST_BE_ONE_OF, "enum", values={"choices": allowed})


@router.get(TRENDS_PAGE)
def trends_page(page: StatsPage, session: ReadSessionDep) -> Response:
    if (refusal := unknown_parameters_page(page.request, PARAMETERS)) is not None:
        return refusal
    params = {name: page.request.query_params.get(name, "").strip() for name in PARAMETERS}
    entered = {name: value for name, value in params.items() if value}
    errors: dict[str, str] = {}
    trends = drawing = None
    maps = region_maps.list_maps(session, page.user)
    try:
        choices = _choices(params)
    except ValidationError as error:
        errors = errors_from_validation(page.t, error)
    except DomainError as error:
        errors = errors_from_problems(page.t, error.errors)
    else:
        k = page.request.app.state.settings.suppression_k
        trends = compute_trends(session, page.user, k, choices, page.labels, page.t)
        # The map is the chosen country's: figures of several countries have no one map.
        country = choices.filters.get("country", [None])[0]
        region_map = next((m for m in maps if m.country == country), None)
        if region_map is not None:
            title = page.t.format(
                MAP_TITLE,
                figure=page.t.gettext(FIGURE_LABELS[choices.shade_by]),
                country=region_map.country,
            )
            drawing = draw_map(
                title,
                region_maps.areas_of(region_map),
                map_figures(trends.regions, choices.shade_by),
            )
    return render(
        page,
        "stats/trends.html",
        400 if errors else 200,
        errors=errors,
        chosen={
            "period": TrendPeriod.QUARTER.value,
            "shade_by": Figure.INCIDENTS_REPORTED.value,
            **entered,
        },
        period_options=[(p.value, page.t.gettext(label)) for p, label in PERIOD_LABELS.items()],
        figure_options=[(f.value, page.t.gettext(label)) for f, label in FIGURE_LABELS.items()],
        figure_headings=[page.t.gettext(label) for label in FIGURE_LABELS.values()],
        trends=trends,
        drawing=drawing,
        maps=maps,
    )

"""The 72-hour indicator and the service gaps report as pages: a table, a chart drawn on the
server, and the CSV."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import ValidationError

from app.core.db import SessionDep
from app.core.permissions import Permission
from app.models.referral import ServiceKind
from app.referrals import export, reports
from app.referrals.report_routes import IndicatorQuery, ReportQuery
from app.web.charts import bar_chart
from app.web.forms import errors_from_validation, filled_in, problems_of
from app.web.i18n import N_
from app.web.rendering import invalid_query_page, render, unknown_parameters_page
from app.web.session import PageContext, page_for

router = APIRouter(include_in_schema=False)
ReportPage = Annotated[PageContext, Depends(page_for(Permission.STATS_READ))]
PERIOD_FIELDS = ("occurred_from", "occurred_to", "country", "admin1")
INDICATOR_FIELDS = (*PERIOD_FIELDS, "group_by", "period_unit")
MEASURE_LABELS = {
    "rape_victims": N_("Victims of rape"),
    "unknown_timing": N_("Unknown timing (date known only to the month or year)"),
    "reported_later": N_("Reported after 72 hours"),
    "reported_within_72h": N_("Reported within 72 hours"),
    "care_within_72h": N_("Health care within 72 hours"),
    "care_within_120h": N_("Health care within 120 hours"),
}
GROUP_LABELS = {
    "period": N_("Period"),
    "region": N_("Region"),
    "organisation": N_("Organisation"),
}


def _chosen(page: PageContext, names: tuple[str, ...]) -> dict[str, str]:
    return filled_in(page.request.query_params, names)  # type: ignore[arg-type]


def _indicator(page: PageContext, session: SessionDep) -> tuple[dict[str, str], Any]:
    chosen = _chosen(page, INDICATOR_FIELDS)
    params: dict[str, Any] = {
        **chosen,
        "group_by": [chosen["group_by"]] if "group_by" in chosen else [],
    }
    query = IndicatorQuery.model_validate(params)
    k = page.request.app.state.settings.suppression_k
    result = reports.seventy_two_hours(
        session,
        query.period(),
        page.user.organisation_id,
        [g.value for g in query.group_by],
        query.period_unit.value,
        k,
    )
    return chosen, result


@router.get("/reports/72-hours")
def seventy_two_hours_page(page: ReportPage, session: SessionDep) -> Response:
    if (refusal := unknown_parameters_page(page.request, INDICATOR_FIELDS)) is not None:
        return refusal
    try:
        chosen, result = _indicator(page, session)
    except ValidationError as error:
        chosen = _chosen(page, INDICATOR_FIELDS)
        errors = errors_from_validation(page.t, error)
        return render(
            page,
            "services/seventy_two_hours.html",
            400,
            chosen=chosen,
            errors=errors,
            result=None,
            chart=None,
            **_labels(page),
        )
    total = result["total"]
    chart = bar_chart(
        page.t.gettext("Victims of rape, by timing of report and care"),
        [(page.t.gettext(MEASURE_LABELS[m]), total[m]) for m in reports.MEASURES_72H],
    )
    return render(
        page,
        "services/seventy_two_hours.html",
        chosen=chosen,
        errors={},
        result=result,
        chart=chart,
        csv_query=page.request.url.query,
        **_labels(page),
    )


def _labels(page: PageContext) -> dict[str, Any]:
    return {
        "measures": [(m, page.t.gettext(MEASURE_LABELS[m])) for m in reports.MEASURES_72H],
        "group_options": [(name, page.t.gettext(text)) for name, text in GROUP_LABELS.items()],
        "group_label": lambda name: page.t.gettext(GROUP_LABELS[name]),
        "own_label": lambda value: _key_text(page, value),
    }


def _key_text(page: PageContext, value: str | int | None) -> str:
    """A group's value in words: whose data, or a period or region as recorded."""
    if value is None:
        return page.t.gettext("Not recorded")
    names = {reports.OWN: N_("Your organisation"), reports.OTHERS: N_("Other organisations")}
    return page.t.gettext(names[value]) if value in names else str(value)


@router.get("/reports/72-hours.csv")
def seventy_two_hours_csv(page: ReportPage, session: SessionDep) -> Response:
    if (refusal := unknown_parameters_page(page.request, INDICATOR_FIELDS)) is not None:
        return refusal
    try:
        return export.indicator_csv(_indicator(page, session)[1])
    except ValidationError as error:
        return invalid_query_page(page.request, problems_of(error.errors(), ()))


def _gaps(page: PageContext, session: SessionDep) -> tuple[dict[str, str], Any]:
    chosen = _chosen(page, PERIOD_FIELDS)
    query = ReportQuery.model_validate(chosen)
    k = page.request.app.state.settings.suppression_k
    return chosen, reports.service_gaps(session, query.period(), page.user.organisation_id, k)


@router.get("/reports/service-gaps")
def service_gaps_page(page: ReportPage, session: SessionDep) -> Response:
    if (refusal := unknown_parameters_page(page.request, PERIOD_FIELDS)) is not None:
        return refusal
    try:
        chosen, result = _gaps(page, session)
    except ValidationError as error:
        return render(
            page,
            "services/gaps.html",
            400,
            chosen=_chosen(page, PERIOD_FIELDS),
            errors=errors_from_validation(page.t, error),
            result=None,
            chart=None,
            kinds=ServiceKind,
        )
    chart = bar_chart(
        page.t.gettext("Incidents by locality"),
        [(_place(item), item["incidents"]) for item in result["localities"]],
    )
    return render(
        page,
        "services/gaps.html",
        chosen=chosen,
        errors={},
        result=result,
        chart=chart,
        kinds=ServiceKind,
        csv_query=page.request.url.query,
    )


def _place(item: dict[str, Any]) -> str:
    return ", ".join(part for part in (item["admin1"], item["admin2"]) if part) or item["country"]


@router.get("/reports/service-gaps.csv")
def service_gaps_csv(page: ReportPage, session: SessionDep) -> Response:
    if (refusal := unknown_parameters_page(page.request, PERIOD_FIELDS)) is not None:
        return refusal
    try:
        return export.gaps_csv(_gaps(page, session)[1])
    except ValidationError as error:
        return invalid_query_page(page.request, problems_of(error.errors(), ()))

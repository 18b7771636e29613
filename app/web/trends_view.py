"""What the "Trends and map" page shows: its choices, the trend charts of incidents and victims
(all reported beside verified only) by month or quarter, and the regions' table and map.

Every figure is one `compute_stats` publishes (group_by month, quarter or admin1, basis
all_reported and verified_only), so other organisations' data is protected here as everywhere;
nothing is added up on the page.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from babel.dates import format_date
from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.stats.dimensions import DimensionName
from app.stats.schemas import Basis, Count, StatsQuery, StatsResult
from app.stats.service import compute_stats
from app.web.choropleth import largest_shown, step_of
from app.web.i18n import N_, Translator
from app.web.labels import Labels
from app.web.trend_chart import TrendChart, trend_chart


class TrendPeriod(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


class Figure(StrEnum):
    """The four figures of the regions' table; the map is shaded by one of them."""

    INCIDENTS_REPORTED = "incidents_reported"
    INCIDENTS_VERIFIED = "incidents_verified"
    VICTIMS_REPORTED = "victims_reported"
    VICTIMS_VERIFIED = "victims_verified"


FIGURE_LABELS = {
    Figure.INCIDENTS_REPORTED: N_("Incidents reported"),
    Figure.INCIDENTS_VERIFIED: N_("Incidents verified"),
    Figure.VICTIMS_REPORTED: N_("Victims reported"),
    Figure.VICTIMS_VERIFIED: N_("Victims verified"),
}
PERIOD_LABELS = {TrendPeriod.MONTH: N_("Month"), TrendPeriod.QUARTER: N_("Quarter")}
REPORTED = N_("All reported")
VERIFIED = N_("Verified only")
INCIDENTS_TITLE = N_("Incidents by {period}: all reported and verified only")
VICTIMS_TITLE = N_("Victims by {period}: all reported and verified only")
CHART_DESCRIPTION = N_(
    "Two lines from {first} to {last}: all reported (solid line, round markers) and verified "
    "only (dashed line, square markers). The table below gives every figure."
)
PARAMETERS = ("period", "occurred_from", "occurred_to", "country", "shade_by")


@dataclass(frozen=True)
class TrendChoices:
    period: TrendPeriod
    shade_by: Figure
    filters: dict[str, Any]  # the API's own filters, validated by StatsQuery


@dataclass(frozen=True)
class TrendRow:
    label: str
    figures: list[Count]  # incidents reported, verified, victims reported, verified


@dataclass(frozen=True)
class RegionRow:
    region: str | None
    label: str
    figures: list[Count]
    steps: list[str]


@dataclass(frozen=True)
class Trends:
    charts: list[tuple[str, TrendChart]]
    rows: list[TrendRow]
    left_out: Count  # incidents known only to the year, all reported
    left_out_verified: Count
    regions: list[RegionRow]
    reported: StatsResult

    @property
    def any_withheld(self) -> bool:
        """Whether a figure on the page is hidden (so the page says how it is drawn)."""
        figures = [f for row in self.rows for f in row.figures]
        figures += [f for row in self.regions for f in row.figures]
        return any(isinstance(figure, str) for figure in figures)


def period_codes(period: TrendPeriod, first: str, last: str) -> list[str]:
    """Every month (`2019-03`) or quarter (`2019-Q1`) from `first` to `last`."""
    parts = 12 if period is TrendPeriod.MONTH else 4

    def number(code: str) -> int:
        return int(code[:4]) * parts + int(code[-2:] if parts == 12 else code[-1]) - 1

    codes = []
    for value in range(number(first), number(last) + 1):
        year, within = divmod(value, parts)
        codes.append(f"{year:04d}-{within + 1:02d}" if parts == 12 else f"{year:04d}-Q{within + 1}")
    return codes


def period_label(labels: Labels, t: Translator, period: TrendPeriod, code: str) -> str:
    if period is TrendPeriod.QUARTER:
        return labels.quarter(code)
    return format_date(date(int(code[:4]), int(code[5:7]), 1), "MMM y", locale=t.language)


def _by_key(result: StatsResult, name: str, measure: str) -> dict[Any, Count]:
    return {group.key[name]: getattr(group, measure) for group in result.groups}


def compute_trends(
    session: Session,
    principal: Principal,
    k: int,
    choices: TrendChoices,
    labels: Labels,
    t: Translator,
) -> Trends:
    period = choices.period.value

    def stats(group_by: str, basis: Basis) -> StatsResult:
        query = StatsQuery.model_validate(
            {**choices.filters, "group_by": [group_by], "basis": basis}
        )
        return compute_stats(session, query, principal, k)

    reported, verified = stats(period, Basis.ALL_REPORTED), stats(period, Basis.VERIFIED_ONLY)
    columns = [
        _by_key(result, period, measure)
        for measure in ("incidents", "victims")
        for result in (reported, verified)
    ]
    known = sorted(
        str(key)
        for result in (reported, verified)
        for key in _by_key(result, period, "incidents")
        if key is not None
    )
    codes = period_codes(choices.period, known[0], known[-1]) if known else []
    label_of = {code: period_label(labels, t, choices.period, code) for code in codes}
    rows = [TrendRow(label_of[code], [column.get(code, 0) for column in columns]) for code in codes]
    charts = []
    if codes:
        period_word = t.gettext(PERIOD_LABELS[choices.period]).lower()
        for index, (chart_id, title, y_title) in enumerate(
            (
                ("trend-incidents", INCIDENTS_TITLE, N_("Incidents")),
                ("trend-victims", VICTIMS_TITLE, N_("Victims")),
            )
        ):
            chart = trend_chart(
                title=t.format(title, period=period_word),
                description=t.format(
                    CHART_DESCRIPTION, first=label_of[codes[0]], last=label_of[codes[-1]]
                ),
                x_title=t.gettext(PERIOD_LABELS[choices.period]),
                y_title=t.gettext(y_title),
                periods=[(code, label_of[code]) for code in codes],
                series=[
                    ("reported", t.gettext(REPORTED), columns[2 * index]),
                    ("verified", t.gettext(VERIFIED), columns[2 * index + 1]),
                ],
            )
            charts.append((chart_id, chart))
    return Trends(
        charts=charts,
        rows=rows,
        left_out=_by_key(reported, period, "incidents").get(None, 0),
        left_out_verified=_by_key(verified, period, "incidents").get(None, 0),
        regions=_regions(
            stats("admin1", Basis.ALL_REPORTED), stats("admin1", Basis.VERIFIED_ONLY), labels
        ),
        reported=reported,
    )


def _regions(reported: StatsResult, verified: StatsResult, labels: Labels) -> list[RegionRow]:
    columns = [
        _by_key(result, "admin1", measure)
        for measure in ("incidents", "victims")
        for result in (reported, verified)
    ]
    regions = [group.key["admin1"] for group in reported.groups]
    regions += [
        group.key["admin1"] for group in verified.groups if group.key["admin1"] not in regions
    ]
    figures = {region: [column.get(region, 0) for column in columns] for region in regions}
    largest = [largest_shown([figures[r][i] for r in regions if r is not None]) for i in range(4)]
    not_recorded = labels.of(DimensionName, None)
    return [
        RegionRow(
            None if region is None else str(region),
            not_recorded if region is None else str(region),
            figures[region],
            # The "not recorded" row is no place: it is printed, not shaded.
            [
                "none" if region is None else step_of(v, largest[i])
                for i, v in enumerate(figures[region])
            ],
        )
        for region in regions
    ]


def map_figures(regions: list[RegionRow], shade_by: Figure) -> dict[str, Count]:
    index = list(Figure).index(shade_by)
    return {row.region: row.figures[index] for row in regions if row.region is not None}

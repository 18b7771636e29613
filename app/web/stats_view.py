"""What the statistics page shows beside the API's figures: its filter choices, the cross-table
of two dimensions, the charts and the CSV's labels, all in the user's language.

Every figure is one the API publishes (a group, a margin or the total): nothing here adds figures
up, since under the cell-key method a margin is a protected cell of its own, not a sum.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from app.armed_parties.service import list_armed_parties
from app.models.enums import PerpetratorCategory, Source, VerificationStatus, Violation
from app.stats.dimensions import DIMENSIONS, DimensionName
from app.stats.export import CsvWording
from app.stats.schemas import Count, Group, Measure, StatsResult
from app.web.charts import BarChart, bar_chart
from app.web.i18n import N_, Translator
from app.web.labels import DIMENSION_VALUE_ENUMS, QUARTER_DIMENSIONS, Labels

# The page's parameters: the API's (`group_by` split in two menus) and nothing else.
SINGLE_CHOICES = ("group_by", "then_by", "occurred_from", "occurred_to", "basis", "measure")
# Repeatable, as on the API; those typed in a text box also take commas ("ML, BF").
TYPED_LISTS = ("country", "admin1", "quarter", "verified_in_quarter")
CHECKED_LISTS: dict[str, type[StrEnum]] = {
    "source": Source,
    "verification_status": VerificationStatus,
    "violation": Violation,
    "perpetrator_category": PerpetratorCategory,
}
PARTY_LIST = "armed_party_id"
PAGE_PARAMETERS = frozenset((*SINGLE_CHOICES, *TYPED_LISTS, *CHECKED_LISTS, PARTY_LIST))


@dataclass(frozen=True)
class Choices:
    """What the form holds: one value per menu, several per list filter."""

    single: dict[str, str]
    lists: dict[str, list[str]]

    @property
    def form_values(self) -> dict[str, str]:
        """Values for the form's inputs; the typed lists joined back as they can be typed."""
        typed = {name: ", ".join(self.lists[name]) for name in TYPED_LISTS if self.lists[name]}
        return {**self.single, **typed}

    @property
    def any_filter(self) -> bool:
        return any(self.lists.values())

    @property
    def any_ticked(self) -> bool:
        """Whether a filter behind "More filters" is chosen: that section then starts open."""
        return any(self.lists[name] for name in (*CHECKED_LISTS, PARTY_LIST))


def choices_from(params: list[tuple[str, str]]) -> Choices:
    single: dict[str, str] = {}
    lists: dict[str, list[str]] = {name: [] for name in PAGE_PARAMETERS - set(SINGLE_CHOICES)}
    for name, raw in params:
        value = raw.strip()
        if not value:
            continue  # an empty box or "Nothing more": no choice
        if name in SINGLE_CHOICES:
            single.setdefault(name, value)
        elif name in TYPED_LISTS:
            lists[name] += [part.strip() for part in value.split(",") if part.strip()]
        elif name in lists:
            lists[name].append(value)
    return Choices(single, lists)


def filter_options(labels: Labels, session: Session) -> dict[str, list[tuple[str, str]]]:
    """Each list filter's choices in the user's language; armed parties by their own name."""
    options = {name: labels.options(enum_class) for name, enum_class in CHECKED_LISTS.items()}
    parties = list_armed_parties(session, None, None)
    options[PARTY_LIST] = [(str(party.id), party.name) for party in parties]
    return options


def key_label(labels: Labels, name: str, value: str | int | None) -> str:
    enum_class = DIMENSION_VALUE_ENUMS.get(name)
    if value is None:
        return labels.of(enum_class or DimensionName, None)
    if enum_class is not None:
        return labels.of(enum_class, str(value))
    if name in QUARTER_DIMENSIONS:
        return labels.quarter(str(value))
    return str(value)


@dataclass(frozen=True)
class CrossRow:
    label: str
    cells: list[Count]
    margin: Count


@dataclass(frozen=True)
class CrossTable:
    """One measure of a two-dimension table, its margins and total as the API published them."""

    measure: str  # "incidents" or "victims"
    row_dimension: str
    column_dimension: str
    column_labels: list[str]
    rows: list[CrossRow]
    column_margin: list[Count]
    total: Count


def cross_tables(labels: Labels, result: StatsResult) -> list[CrossTable]:
    if result.margins is None or len(result.group_by) != 2:
        return []
    first, second = (name.value for name in result.group_by)
    row_margin, column_margin = result.margins[first], result.margins[second]
    by_key = {(group.key[first], group.key[second]): group for group in result.groups}
    tables = []
    for measure in ("incidents", "victims"):
        rows = [
            CrossRow(
                label=key_label(labels, first, row.key[first]),
                # A pair with no group has no incident at all: nothing to protect, a true 0.
                cells=[
                    _figure(by_key.get((row.key[first], column.key[second])), measure)
                    for column in column_margin
                ],
                margin=_figure(row, measure),
            )
            for row in row_margin
        ]
        tables.append(
            CrossTable(
                measure=measure,
                row_dimension=first,
                column_dimension=second,
                column_labels=[key_label(labels, second, c.key[second]) for c in column_margin],
                rows=rows,
                column_margin=[_figure(column, measure) for column in column_margin],
                total=getattr(result.total, measure),
            )
        )
    return tables


def _figure(group: Group | None, measure: str) -> Count:
    return 0 if group is None else getattr(group, measure)


def charts(labels: Labels, result: StatsResult) -> list[tuple[str, BarChart]]:
    """(id, chart): incidents by the first dimension, and victims when a dimension is theirs
    (a victim's category, or their referrals' kinds or statuses)."""
    first = result.group_by[0]
    drawn = [("chart", _bar_chart(labels, result, first, "incidents"))]
    theirs = next((name for name in result.group_by if DIMENSIONS[name].per_victim), None)
    if theirs is not None:
        drawn.append(("victims-chart", _bar_chart(labels, result, theirs, "victims")))
    return drawn


def _bar_chart(labels: Labels, result: StatsResult, name: DimensionName, measure: str) -> BarChart:
    """One bar per value of a dimension: its margin when the table has two."""
    groups = result.margins[name.value] if result.margins else result.groups
    rows = [
        (key_label(labels, name.value, group.key[name.value]), getattr(group, measure))
        for group in groups
    ]
    title = labels.chart_title(name) if measure == "incidents" else labels.victims_chart_title(name)
    return bar_chart(title, rows)


# The CSV's own words (the dimensions and values are named as on the page).
INCIDENTS = N_("Incidents")
VICTIMS = N_("Victims")
ALL_VALUES = N_("All")
TOTAL = N_("Total (each incident and victim counted once)")


def victims_heading(t: Translator, labels: Labels, result: StatsResult) -> str:
    """ "Victims", or the victims the measure counts when it counts only some."""
    if result.measure is Measure.ALL_VICTIMS:
        return t.gettext(VICTIMS)
    return labels.of(Measure, result.measure)


def csv_wording(t: Translator, labels: Labels, result: StatsResult) -> CsvWording:
    names = [name.value for name in result.group_by]
    values: Mapping[str, Mapping[str | int | None, str]] = {
        name: {
            group.key[name]: key_label(labels, name, group.key[name])
            for group in (result.margins or {}).get(name, result.groups)
        }
        for name in names
    }
    return CsvWording(
        dimensions={name: labels.of(DimensionName, name) for name in names},
        values=values,
        incidents=t.gettext(INCIDENTS),
        victims=victims_heading(t, labels, result),
        all_values=t.gettext(ALL_VALUES),
        total=t.gettext(TOTAL),
        language=t.language,
    )

"""Answering statistics from the kept counts (`stat_counts`) instead of the incidents.

The kept counts hold incidents by organisation, country, region, month, date precision, source
and verification status (and, in a table a hundred times smaller, by year without region or
precision), and by one value of a facet (form of violence, perpetrator category, victim
category). A query is answered from them only when that loses nothing: its filters are on
those fields (dates on whole months), it groups by those fields and at most one facet, and it
counts every victim (the kept counts know nothing of referrals). Any other query counts the
incidents themselves, with the same result, more slowly.

A quarter is three months, and the monthly rows say whether each incident's month is known
(`date_precision`), so the quarter of occurrence (dimension and filter) is answered from them.
The day of verification and the day reported are not kept: `verified_in_quarter` and
`verification_timing` are counted from the incidents.
"""

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.sql.selectable import Subquery

from app.counting.periods import in_quarters, month_known
from app.counting.rules import on_basis
from app.models import StatCount, YearlyStatCount
from app.models.rollup import NO_VALUE, Facet
from app.stats.dimensions import DimensionName
from app.stats.schemas import Measure, StatsQuery

# The dimensions each row of the kept counts has one value of, and those that are facets.
INCIDENT_FIELDS = frozenset(
    {
        DimensionName.SOURCE,
        DimensionName.VERIFICATION_STATUS,
        DimensionName.ADMIN1,
        DimensionName.YEAR,
        DimensionName.MONTH,
        DimensionName.QUARTER,
        DimensionName.COUNTRY,
    }
)
FACETS = {
    DimensionName.VIOLATION: Facet.VIOLATION,
    DimensionName.PERPETRATOR_CATEGORY: Facet.PERPETRATOR_CATEGORY,
    DimensionName.VICTIM_CATEGORY: Facet.VICTIM_CATEGORY,
}
# Filters on something the kept counts do not hold.
UNKEPT_FILTERS = ("violation", "perpetrator_category", "armed_party_id", "verified_in_quarter")


def kept_counts_answer(query: StatsQuery) -> bool:
    facets = [name for name in query.group_by if name in FACETS]
    others = [name for name in query.group_by if name not in FACETS]
    return (
        query.measure is Measure.ALL_VICTIMS
        and len(facets) <= 1
        and all(name in INCIDENT_FIELDS for name in others)
        and not any(getattr(query, name) for name in UNKEPT_FILTERS)
        and (query.occurred_from is None or query.occurred_from.day == 1)
        and (query.occurred_to is None or _last_day_of_month(query.occurred_to))
    )


def facet_of(names: list[DimensionName]) -> Facet:
    """The facet whose rows count a table of these dimensions."""
    return next((FACETS[name] for name in names if name in FACETS), Facet.INCIDENT)


def _last_day_of_month(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def kept_rows(query: StatsQuery, organisation_id: uuid.UUID, facet: Facet) -> Subquery:
    """The kept counts of one facet, as the caller may see them, under the query's filters.

    Other organisations' rows count only incidents and victims shared with consent; a row that
    counts nothing for the caller is left out, so a region or value known only from data they may
    not see does not appear even as a zero. The yearly table serves every query that needs
    neither regions nor months.
    """
    table = StatCount if _needs_months_or_regions(query) else YearlyStatCount
    own = table.organisation_id == organisation_id
    weight = case((own, table.incidents), else_=table.shareable_incidents)
    monthly = (
        [StatCount.month.label("occurred_on"), StatCount.date_precision]
        if table is StatCount
        else [YearlyStatCount.year_start.label("occurred_on")]
    )
    rows = select(
        *monthly,
        table.country,
        table.source,
        table.verification_status,
        *([func.nullif(StatCount.admin1, NO_VALUE).label("admin1")] if table is StatCount else []),
        func.nullif(table.value, NO_VALUE).label("value"),
        case((own, table.victims), else_=table.shared_victims).label("victims"),
        case((own, 0), else_=1).label("foreign"),
        weight.label("weight"),
        case((own, 0), else_=table.shareable_incident_keys).label("incident_keys"),
        case((own, 0), else_=table.shared_victim_keys).label("victim_keys"),
    ).where(table.facet == facet, weight > 0, *_conditions(query, table))
    return rows.subquery(f"kept_{facet.value}")


def _needs_months_or_regions(query: StatsQuery) -> bool:
    by_month_or_region = {
        DimensionName.MONTH,
        DimensionName.QUARTER,
        DimensionName.ADMIN1,
    } & set(query.group_by)
    whole_years = (
        query.occurred_from is None or query.occurred_from.strftime("%m%d") == "0101"
    ) and (query.occurred_to is None or query.occurred_to.strftime("%m%d") == "1231")
    return bool(by_month_or_region or query.admin1 or query.quarter or not whole_years)


def _conditions(
    query: StatsQuery, table: type[StatCount] | type[YearlyStatCount]
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [on_basis(table.verification_status, query.basis)]
    period = StatCount.month if table is StatCount else YearlyStatCount.year_start
    if query.occurred_from:
        conditions.append(period >= query.occurred_from)
    if query.occurred_to:
        conditions.append(period <= query.occurred_to)
    if query.quarter:
        # Only monthly rows get here (see _needs_months_or_regions): a month is in a quarter
        # exactly when its first day is.
        conditions.append(
            and_(month_known(StatCount.date_precision), in_quarters(StatCount.month, query.quarter))
        )
    lists: list[tuple[Any, list[Any]]] = [
        (table.country, query.country),
        (table.source, query.source),
        (table.verification_status, query.verification_status),
    ]
    if query.admin1:
        lists.append((StatCount.admin1, query.admin1))
    conditions += [column.in_(values) for column, values in lists if values]
    return conditions

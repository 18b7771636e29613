"""Answering statistics from the kept counts (`stat_counts`) instead of the incidents.

The kept counts hold incidents by organisation, country, region, month, date precision, source
and verification status, and by one value of a facet (form of violence, perpetrator category,
victim category). A query is answered from them only when that loses nothing: its filters are on
those fields (dates on whole months), and it groups by those fields and at most one facet. Any
other query counts the incidents themselves, with the same result, more slowly.
"""

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.sql.selectable import Subquery

from app.models import StatCount
from app.models.enums import VerificationStatus
from app.models.rollup import NO_VALUE, Facet
from app.stats.dimensions import DimensionName
from app.stats.schemas import Basis, StatsQuery

# The dimensions each row of the kept counts has one value of, and those that are facets.
INCIDENT_FIELDS = frozenset(
    {
        DimensionName.SOURCE,
        DimensionName.VERIFICATION_STATUS,
        DimensionName.ADMIN1,
        DimensionName.YEAR,
        DimensionName.MONTH,
    }
)
FACETS = {
    DimensionName.VIOLATION: Facet.VIOLATION,
    DimensionName.PERPETRATOR_CATEGORY: Facet.PERPETRATOR_CATEGORY,
    DimensionName.VICTIM_CATEGORY: Facet.VICTIM_CATEGORY,
}
# Filters on something the kept counts do not hold.
UNKEPT_FILTERS = ("violation", "perpetrator_category", "armed_party_id")


def kept_counts_answer(query: StatsQuery) -> bool:
    facets = [name for name in query.group_by if name in FACETS]
    others = [name for name in query.group_by if name not in FACETS]
    return (
        len(facets) <= 1
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
    not see does not appear even as a zero.
    """
    own = StatCount.organisation_id == organisation_id
    weight = case((own, StatCount.incidents), else_=StatCount.shareable_incidents)
    rows = select(
        StatCount.month.label("occurred_on"),
        StatCount.date_precision,
        StatCount.source,
        StatCount.verification_status,
        func.nullif(StatCount.admin1, NO_VALUE).label("admin1"),
        func.nullif(StatCount.value, NO_VALUE).label("value"),
        case((own, StatCount.victims), else_=StatCount.shared_victims).label("victims"),
        case((own, 0), else_=1).label("foreign"),
        weight.label("weight"),
    ).where(StatCount.facet == facet, weight > 0, *_conditions(query))
    return rows.subquery(f"kept_{facet.value}")


def _conditions(query: StatsQuery) -> list[ColumnElement[bool]]:
    status = StatCount.verification_status
    conditions: list[ColumnElement[bool]] = [
        status == VerificationStatus.VERIFIED
        if query.basis == Basis.VERIFIED_ONLY
        else status != VerificationStatus.DISCARDED
    ]
    if query.occurred_from:
        conditions.append(StatCount.month >= query.occurred_from)
    if query.occurred_to:
        conditions.append(StatCount.month <= query.occurred_to)
    lists: list[tuple[Any, list[Any]]] = [
        (StatCount.country, query.country),
        (StatCount.admin1, query.admin1),
        (StatCount.source, query.source),
        (StatCount.verification_status, query.verification_status),
    ]
    conditions += [column.in_(values) for column, values in lists if values]
    return conditions

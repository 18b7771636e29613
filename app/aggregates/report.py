"""Partners' tables beside the incident records, never summed with them.

`GET /api/v1/stats/side-by-side` answers with one column per partner's table matching the
filters, and one column of records counted as `/stats` counts them. Every column and every
figure says where it comes from (`origin`: `partner_table` or `records`); the response never
adds them (`added_together` is false), and where a table covers a period and area in which the
caller's organisation has records of its own, it says that the two may count the same cases.

Protection: a partner's table is already aggregate and anonymous, and its own organisation reads
it exact. For other organisations its small counts still follow the statistics' rule: a count
from 1 to k-1 is shown as `<k`, and further counts are withheld until none of the hidden ones
can be worked out from the total and the others (app/aggregates/protection.py). Counts of k and
more, and zeros, are exact: the partner published them as such, and no record key exists to
perturb them by.
"""

from datetime import date
from urllib.parse import urlencode

from pydantic import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.aggregates.mapping import ALL_VALUES, EXCLUSIVE, UNMAPPED, VOCABULARIES, category_of
from app.aggregates.protection import PartnerFigure, PartnerGroupCount, protect
from app.aggregates.schemas import (
    OverlapNotice,
    PartnerColumn,
    PartnerGroup,
    RecordsColumn,
    RecordsGroup,
    SideBySideQuery,
    SideBySideResult,
)
from app.aggregates.service import stored_cells
from app.aggregates.table import TableCell
from app.core.auth import Principal
from app.core.config import API_PREFIX
from app.counting.rules import counted, on_basis
from app.incidents.filters import IncidentFilters
from app.models import Incident
from app.models.aggregate import AggregateDimension, AggregateSubmission
from app.models.enums import DatePrecision
from app.stats.dimensions import DimensionName
from app.stats.schemas import Basis, StatsQuery
from app.stats.service import compute_stats

# The statistics' dimension that counts records the way a partner's table is broken down.
RECORDS_DIMENSION = {
    AggregateDimension.PERPETRATOR_CATEGORY: DimensionName.PERPETRATOR_CATEGORY,
    AggregateDimension.VICTIM_CATEGORY: DimensionName.VICTIM_CATEGORY,
    AggregateDimension.VIOLATION: DimensionName.VIOLATION,
    AggregateDimension.ADMIN1: DimensionName.ADMIN1,
    AggregateDimension.GBV_TYPE: DimensionName.GBV_TYPE,
}
NOT_ADDED = (
    "Partners' aggregate tables and records are shown side by side and never added: a case "
    "reported to a partner may also be in the records, and a table cannot say which."
)
WITHHELD_BREAKDOWN = (
    "This table's breakdown by {dimension} is not shown: its small counts could be worked out "
    "from its total."
)
OVERLAP = (
    "This table covers a period and area where your organisation has records of its own: the "
    "two may count the same cases, so they are not added."
)


def side_by_side(
    session: Session, query: SideBySideQuery, principal: Principal, k: int
) -> SideBySideResult:
    submissions = _matching(session, query)
    columns = [_partner_column(s, query.group_by, principal, k) for s in submissions]
    records = _records_column(session, query, principal, k)
    overlaps = [
        _overlap(s, principal) for s in submissions if _own_records_in(session, s, principal)
    ]
    return SideBySideResult(
        group_by=query.group_by,
        filters=query.model_dump(mode="json", exclude_defaults=True),
        partner_tables=columns,
        records=records,
        summary=" | ".join([*(c.label for c in columns), records.label]),
        overlaps=overlaps,
        notes=[NOT_ADDED, *([OVERLAP] if overlaps else [])],
    )


PARTNER_TABLES_NOTE = (
    "{count} partner's aggregate table(s) cover this period and area; they are not counted in "
    "these figures, which are records only. Set side by side with the records: {url}"
)


def partner_tables_note(session: Session, filters: IncidentFilters) -> str | None:
    """For a table of records, a note naming the partners' tables that cover the same period,
    place and source, so that a figure from records alone is not read as the whole picture."""
    wanted = {
        "period_from": filters.occurred_from,
        "period_to": filters.occurred_to,
        "country": filters.country,
        "admin1": filters.admin1,
        "source": filters.source,
    }
    try:
        query = SideBySideQuery.model_validate({k: v for k, v in wanted.items() if v})
    except ValidationError:
        return None  # a filter no partner's table could be chosen by: none applies
    count = len(_matching(session, query))
    if not count:
        return None
    parameters = urlencode(query.model_dump(mode="json", exclude_defaults=True), doseq=True)
    url = f"{API_PREFIX}/stats/side-by-side" + (f"?{parameters}" if parameters else "")
    return PARTNER_TABLES_NOTE.format(count=count, url=url)


def _matching(session: Session, query: SideBySideQuery) -> list[AggregateSubmission]:
    s = AggregateSubmission
    statement = select(s).where(s.archived_at.is_(None))
    if query.period_from:
        statement = statement.where(s.period_from >= query.period_from)
    if query.period_to:
        statement = statement.where(s.period_to <= query.period_to)
    for column, values in (
        (s.country, query.country),
        (s.admin1, query.admin1),
        (s.source_kind, query.source),
    ):
        if values:
            statement = statement.where(column.in_(values))
    if query.measure:
        statement = statement.where(s.measure == query.measure)
    order = (s.period_from, s.partner_name, s.created_at)
    return list(session.scalars(statement.order_by(*order).limit(200)))


def _partner_column(
    submission: AggregateSubmission,
    group_by: AggregateDimension | None,
    principal: Principal,
    k: int,
) -> PartnerColumn:
    own = submission.organisation_id == principal.organisation_id
    dimensions = submission.dimensions
    inner = [cell for cell in stored_cells(submission) if ALL_VALUES not in cell.labels]
    notes = []
    exclusive = all(EXCLUSIVE[d] for d in dimensions)
    stated = submission.stated_total
    total_count = (
        stated if stated is not None else (sum(c.count for c in inner) if exclusive else None)
    )
    total = PartnerFigure(total_count) if total_count is not None else None
    groups: list[PartnerGroupCount] | None = None
    if group_by is not None:
        if group_by in dimensions:
            groups = _groups(submission, group_by, inner)
            if groups is None:
                notes.append(f"This table gives no figure by {group_by.value} alone.")
        else:
            notes.append(f"This table is not broken down by {group_by.value}.")
    if not own and not protect(total, groups, group_by is not None and EXCLUSIVE[group_by], k):
        groups = None
        notes.append(WITHHELD_BREAKDOWN.format(dimension=group_by.value))
    measure = submission.measure.value
    shown_total = total.shown if total else None
    return PartnerColumn(
        label=f"{shown_total if total else 'no total of'} {measure} reported through "
        f"{submission.partner_name} ({submission.source_kind.value}, aggregate table)",
        submission_id=submission.id if own else None,
        own_organisation=own,
        partner_name=submission.partner_name,
        source_kind=submission.source_kind,
        period_from=submission.period_from,
        period_to=submission.period_to,
        country=submission.country,
        admin1=submission.admin1,
        measure=submission.measure,
        dimensions=dimensions,
        total=shown_total,
        total_stated=stated is not None,
        groups=[
            PartnerGroup(category=g.category, partner_labels=g.labels, count=g.figure.shown)
            for g in groups
        ]
        if groups is not None
        else None,
        exact=own,
        notes=notes,
    )


def _groups(
    submission: AggregateSubmission, dimension: AggregateDimension, inner: list[TableCell]
) -> list[PartnerGroupCount] | None:
    """The table by one of its dimensions: summed over the other where that is exclusive, else
    read from the margins the partner gave; None if neither can be had."""
    dimensions = submission.dimensions
    at = dimensions.index(dimension)
    cells = inner
    if len(dimensions) == 2 and not EXCLUSIVE[dimensions[1 - at]]:
        cells = [
            TableCell((cell.labels[at],), cell.count)
            for cell in stored_cells(submission)
            if cell.labels[1 - at] == ALL_VALUES and cell.labels[at] != ALL_VALUES
        ]
        at = 0
        if not cells:
            return None
    groups: dict[tuple[str | None, str | None], PartnerGroupCount] = {}
    for code in VOCABULARIES[dimension]:
        groups[(code, None)] = PartnerGroupCount(code)
    for cell in cells:
        label = cell.labels[at]
        category = category_of(dimension, label)
        key = (category, label if category == UNMAPPED else None)
        group = groups.setdefault(key, PartnerGroupCount(category))
        if label is not None and label not in group.labels:
            group.labels.append(label)
        group.figure = PartnerFigure(group.figure.count + cell.count)
    groups.setdefault(
        (None, None), PartnerGroupCount(None)
    )  # the unattributed remainder, even at 0
    return sorted(groups.values(), key=lambda g: (g.category is None, g.category == UNMAPPED))


def _records_column(
    session: Session, query: SideBySideQuery, principal: Principal, k: int
) -> RecordsColumn:
    dimension = RECORDS_DIMENSION.get(query.group_by) if query.group_by else None
    stats_query = StatsQuery.model_validate(
        {
            "occurred_from": query.period_from,
            "occurred_to": query.period_to,
            "country": query.country,
            "admin1": query.admin1,
            "source": query.source,
            "basis": query.basis,
            # Any dimension gives the total; the groups are read only for the one asked.
            "group_by": [dimension or DimensionName.SOURCE],
        }
    )
    result = compute_stats(session, stats_query, principal, k)
    notes = []
    groups = None
    if dimension is not None:
        groups = [
            RecordsGroup(
                category=group.key[dimension.value],
                incidents=group.incidents,
                victims=group.victims,
            )
            for group in result.groups
        ]
        notes += result.notes[1:]
    elif query.group_by is not None:
        notes.append(f"Records are not counted by {query.group_by.value}: only their total.")
    verb = "verified" if query.basis is Basis.VERIFIED_ONLY else "reported"
    return RecordsColumn(
        label=f"{result.total.incidents} incidents {verb} (records)",
        basis=query.basis,
        total_incidents=result.total.incidents,
        total_victims=result.total.victims,
        groups=groups,
        protected=result.protection.applied,
        notes=[result.notes[0], *notes],
    )


def _own_records_in(
    session: Session, submission: AggregateSubmission, principal: Principal
) -> bool:
    """Whether the caller's organisation has records that may fall in the table's period and
    area: an incident known only to its month or year counts if that month or year meets it."""
    start = submission.period_from
    may_meet = or_(
        Incident.occurred_on >= start,
        and_(
            Incident.date_precision == DatePrecision.MONTH,
            Incident.occurred_on >= start.replace(day=1),
        ),
        and_(
            Incident.date_precision == DatePrecision.YEAR,
            Incident.occurred_on >= date(start.year, 1, 1),
        ),
    )
    statement = select(Incident.id).where(
        Incident.organisation_id == principal.organisation_id,
        counted(),
        on_basis(Incident.verification_status, Basis.ALL_REPORTED),
        Incident.country == submission.country,
        Incident.occurred_on <= submission.period_to,
        may_meet,
    )
    if submission.admin1 is not None:
        statement = statement.where(Incident.admin1 == submission.admin1)
    return session.scalar(statement.limit(1)) is not None


def _overlap(submission: AggregateSubmission, principal: Principal) -> OverlapNotice:
    own = submission.organisation_id == principal.organisation_id
    return OverlapNotice(
        submission_id=submission.id if own else None,
        partner_name=submission.partner_name,
        period_from=submission.period_from,
        period_to=submission.period_to,
        country=submission.country,
        admin1=submission.admin1,
        notice=OVERLAP,
    )

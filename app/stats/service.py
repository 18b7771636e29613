"""Aggregate counts of incidents and victims, grouped by one or two dimensions.

Every count is of distinct incidents and distinct victims: joins that multiply rows (an incident
with three victims and two perpetrator categories) never inflate a figure.
"""

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from app.core.auth import Principal
from app.incidents.filters import IncidentFilters, apply_incident_filters
from app.models import Incident, Victim
from app.stats.dimensions import DIMENSIONS, DimensionName, format_value, group_column
from app.stats.schemas import Counts, Coverage, DimensionInfo, Group, StatsQuery, StatsResult


def compute_stats(session: Session, query: StatsQuery, principal: Principal) -> StatsResult:
    incidents = _filtered_incidents(query)
    total = _total(session, incidents)
    groups = _groups(session, incidents, query.group_by)
    two_dimensions = len(query.group_by) > 1
    margins = {
        name: _groups(session, incidents, [name]) if two_dimensions else groups
        for name in query.group_by
    }
    dimensions = [_dimension_info(name, margins[name]) for name in query.group_by]
    return StatsResult(
        group_by=query.group_by,
        filters=query.as_query_params(exclude={"group_by"}),
        total=total,
        groups=groups,
        dimensions=dimensions,
        margins={name.value: margin for name, margin in margins.items()}
        if two_dimensions
        else None,
        notes=_notes(total, dimensions),
    )


def _filtered_incidents(filters: IncidentFilters) -> Subquery:
    columns = select(
        Incident.id,
        Incident.occurred_on,
        Incident.date_precision,
        Incident.source,
        Incident.verification_status,
        Incident.admin1,
    )
    return apply_incident_filters(columns, filters).subquery("incidents")


def _counting(incidents: Subquery) -> tuple[Select[tuple[int, int]], Subquery]:
    victims = Victim.__table__.alias("victims_counted")
    counts = select(
        func.count(incidents.c.id.distinct()), func.count(victims.c.id.distinct())
    ).select_from(incidents.outerjoin(victims, victims.c.incident_id == incidents.c.id))
    return counts, victims  # type: ignore[return-value]


def _total(session: Session, incidents: Subquery) -> Counts:
    counts, _ = _counting(incidents)
    incident_count, victim_count = session.execute(counts).one()
    return Counts(incidents=incident_count, victims=victim_count)


def _groups(session: Session, incidents: Subquery, names: list[DimensionName]) -> list[Group]:
    counts, victims = _counting(incidents)
    columns = []
    for name in names:
        column, values = group_column(name, incidents, victims)
        if values is not None:
            counts = counts.outerjoin(values, values.c.incident_id == incidents.c.id)
        columns.append(column.label(name.value))
    rows = session.execute(counts.add_columns(*columns).group_by(*columns)).all()
    groups = [
        Group(
            key={
                name.value: format_value(name, value)
                for name, value in zip(names, row[2:], strict=True)
            },
            incidents=row[0],
            victims=row[1],
        )
        for row in rows
    ]
    if len(names) == 1:
        groups = _with_every_value(names[0], groups)
    return sorted(groups, key=lambda group: _sort_key(names, group))


def _with_every_value(name: DimensionName, groups: list[Group]) -> list[Group]:
    """A one-dimension table lists each value of its vocabulary and the no-value bucket, even 0."""
    seen = {group.key[name.value] for group in groups}
    missing = [value for value in (*DIMENSIONS[name].vocabulary, None) if value not in seen]
    return groups + [Group(key={name.value: value}, incidents=0, victims=0) for value in missing]


def _sort_key(names: list[DimensionName], group: Group) -> tuple[tuple[int, int, str], ...]:
    key = []
    for name in names:
        value = group.key[name.value]
        vocabulary = DIMENSIONS[name].vocabulary
        if value is None:
            key.append((1, 0, ""))  # the no-value bucket comes last
        elif value in vocabulary:
            key.append((0, vocabulary.index(str(value)), ""))
        else:
            key.append((0, 0, f"{value:>12}" if isinstance(value, int) else str(value).casefold()))
    return tuple(key)


def _dimension_info(name: DimensionName, margin: list[Group]) -> DimensionInfo:
    dimension = DIMENSIONS[name]
    without = next(group for group in margin if group.key[name.value] is None)
    valued = [group for group in margin if group.key[name.value] is not None]
    return DimensionInfo(
        name=name,
        description=dimension.description,
        no_value=dimension.no_value,
        incidents_in_several_groups=dimension.incidents_in_several_groups,
        victims_in_several_groups=dimension.victims_in_several_groups,
        coverage=Coverage(
            incidents_without_value=without.incidents,
            victims_without_value=without.victims,
            incidents_sum_over_groups=sum(group.incidents for group in valued),
            victims_sum_over_groups=sum(group.victims for group in valued),
        ),
    )


def _notes(total: Counts, dimensions: list[DimensionInfo]) -> list[str]:
    notes = [
        f"{total.incidents} incidents and {total.victims} victims in total, each counted once. "
        "Incidents are not victims: an incident may have several victims, or none recorded."
    ]
    for info in dimensions:
        with_value = total.incidents - info.coverage.incidents_without_value
        line = (
            f"By {info.name.value}: {with_value} incidents have a value and "
            f"{info.coverage.incidents_without_value} have none ({info.no_value})."
        )
        if info.incidents_in_several_groups:
            line += (
                f" Groups are not exclusive: an incident counts in each of its groups, so the "
                f"groups add up to {info.coverage.incidents_sum_over_groups} incidents."
            )
        notes.append(line)
    return notes

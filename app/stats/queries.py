"""The SQL behind statistics: incidents and victims per group, and how many of each come from
organisations other than the caller's.

Each incident row carries its victim counts (all victims, and those who consented to statistics
sharing), so counting needs no join with the victims and no DISTINCT: one pass over the matching
incidents, plus the (incident, value) pairs of set dimensions such as perpetrator categories.
Only tables by a victim's values (their category, their referrals' kinds or statuses) or counting
only some victims (those referred, or who received a service) join the victims: once, grouped
per incident and combination of those values (`_victim_groups`).

Data of other organisations is counted only where the survivor consented to statistics sharing:
a victim without that consent is left out, and so is an incident all of whose recorded victims
are. Incidents with no victim recorded (nobody to ask) are counted. The caller's own
organisation's data is counted in full. These rules, and which incidents are counted at all, are
those of app/counting/rules.py, which the kept counts follow too.

Alongside the counts of other organisations' data go the sums of the counted records' keys, from
which each figure's cell key is derived (app/stats/cellkey.py).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from app.counting import rules
from app.incidents.filters import IncidentFilters, apply_incident_filters
from app.models import Incident, Victim, VictimConsent
from app.models.referral import Referral, ReferralStatus
from app.models.rollup import Facet
from app.referrals.counting import counted_referrals
from app.stats.cellkey import cell_key
from app.stats.dimensions import (
    DIMENSIONS,
    INCIDENT_COLUMNS,
    DimensionName,
    format_value,
    group_column,
    victim_value,
)
from app.stats.kept import FACETS, facet_of, kept_counts_answer, kept_rows
from app.stats.schemas import Measure, StatsQuery
from app.stats.suppression import Figure


@dataclass(eq=False)
class Cell:
    key: dict[str, str | int | None]
    incidents: Figure
    victims: Figure


@dataclass(frozen=True)
class Counted:
    """The rows a table is counted from: one per matching incident, or the kept counts.

    Both have the same columns (occurred_on, date_precision, country, source,
    verification_status, admin1, victims, foreign, incident_keys, victim_keys) and a `weight`,
    the number of incidents a row stands for, so the same SQL counts either. Kept rows also
    carry the `value` of their facet. Incident rows also carry `reported_on` and `verified_on`,
    which the kept counts do not hold: dimensions and filters reading them are never answered
    from the kept counts (app/stats/kept.py). The keys are the sums of the record keys of other
    organisations' counted incidents and victims (0 for the caller's own).
    """

    rows_for: Callable[[Facet], Subquery]
    kept: bool
    organisation_id: uuid.UUID  # the caller's
    measure: Measure = Measure.ALL_VICTIMS  # the kept counts count every victim


def counted_rows(query: StatsQuery, organisation_id: uuid.UUID, use_kept: bool = True) -> Counted:
    """The kept counts when they can answer `query` exactly, else the incidents themselves."""
    if use_kept and kept_counts_answer(query):
        return Counted(
            lambda facet: kept_rows(query, organisation_id, facet), True, organisation_id
        )
    grouped = [name for name in query.group_by if name in INCIDENT_COLUMNS]
    incidents = filtered_incidents(query, organisation_id, query.basis, grouped)
    return Counted(lambda _facet: incidents, False, organisation_id, query.measure)


def filtered_incidents(
    filters: IncidentFilters,
    organisation_id: uuid.UUID,
    basis: str,
    grouped: list[DimensionName] | None = None,
) -> Subquery:
    """One row per counted incident; `grouped` names the incident columns a table groups by
    beyond those every table has (only those are read)."""
    own = Incident.organisation_id == organisation_id
    columns = select(
        Incident.id,
        Incident.occurred_on,
        Incident.date_precision,
        Incident.country,
        Incident.source,
        Incident.verification_status,
        Incident.admin1,
        Incident.reported_on,
        Incident.verified_on,
        case((own, Incident.victim_count), else_=Incident.shared_victim_count).label("victims"),
        case((own, 0), else_=1).label("foreign"),
        literal(1).label("weight"),
        case((own, 0), else_=Incident.record_key).label("incident_keys"),
        case((own, 0), else_=Incident.shared_victim_keys).label("victim_keys"),
        *(Incident.__table__.c[name.value] for name in grouped or ()),
    )
    seen = or_(own, rules.shareable(Incident.victim_count, Incident.shared_victim_count))
    query = apply_incident_filters(columns, filters, include_archived=True).where(
        rules.counted(), seen, rules.on_basis(Incident.verification_status, basis)
    )
    return query.subquery("incidents")


def _receives(measure: Measure, referrals_counted: ColumnElement[bool]) -> ColumnElement[bool]:
    """The victims a measure counts: those with a referral (whose service was provided)."""
    referral = select(Referral.id).where(Referral.victim_id == Victim.id, referrals_counted)
    if measure is Measure.VICTIMS_SERVED:
        referral = referral.where(Referral.status == ReferralStatus.SERVICE_PROVIDED)
    return referral.exists()


def _victim_groups(
    names: list[DimensionName], measure: Measure, organisation_id: uuid.UUID
) -> Subquery:
    """Per incident and combination of values of the per-victim dimensions `names`: the victims
    the measure counts, all of them and those who consented to statistics (with the sum of
    their record keys). A victim with no value of a set dimension (never referred) is in the
    group of no value (null)."""
    shared_key = case((VictimConsent.victim_id.is_not(None), Victim.record_key), else_=0)
    statement = select(Victim.incident_id).outerjoin(VictimConsent, rules.statistics_consent())
    values = []
    referrals_counted = counted_referrals(organisation_id)
    for name in names:
        served_only = measure is Measure.VICTIMS_SERVED
        column, pairs = victim_value(name, served_only, referrals_counted)
        if pairs is not None:
            statement = statement.outerjoin(pairs, pairs.c.victim_id == Victim.id)
        values.append(column.label(name.value))
    if measure is not Measure.ALL_VICTIMS:
        statement = statement.where(_receives(measure, referrals_counted))
    return (
        statement.add_columns(
            *values,
            func.count().label("all_victims"),
            func.count(VictimConsent.victim_id).label("shared_victims"),
            func.sum(shared_key).label("shared_keys"),
        )
        .group_by(Victim.incident_id, *values)
        .subquery("victim_groups")
    )


@dataclass(frozen=True)
class Victims:
    """What a table counts as a row's victims: their number, and the sum of the keys of other
    organisations' victims among them."""

    count: ColumnElement[Any]
    keys: ColumnElement[Any]


MEASURE_COUNT = 6  # the columns `_measures` gives before a table's group columns


def _measures(rows: Subquery, victims: Victims) -> list[ColumnElement[Any]]:
    weight, foreign = rows.c.weight, rows.c.foreign
    return [
        func.coalesce(func.sum(weight), 0),
        func.coalesce(func.sum(victims.count), 0),
        func.coalesce(func.sum(foreign * weight), 0),
        func.coalesce(func.sum(foreign * victims.count), 0),
        func.coalesce(func.sum(rows.c.incident_keys), 0),
        func.coalesce(func.sum(victims.keys), 0),
    ]


def _row_victims(rows: Subquery) -> Victims:
    return Victims(rows.c.victims, rows.c.victim_keys)


def total_cell(session: Session, counted: Counted) -> Cell:
    statement, _columns = _counting(counted, [])
    return _cell({}, session.execute(statement).one())


def group_cells(session: Session, counted: Counted, names: list[DimensionName]) -> list[Cell]:
    statement, columns = _counting(counted, names)
    statement = statement.group_by(*columns)
    cells = [
        _cell(
            {
                name.value: format_value(name, value)
                for name, value in zip(names, row[MEASURE_COUNT:], strict=True)
            },
            row,
        )
        for row in session.execute(statement).all()
    ]
    if len(names) == 1:
        cells += missing_values(names[0], cells)
    return cells


def _counting(
    counted: Counted, names: list[DimensionName]
) -> tuple[Select[Any], list[ColumnElement[Any]]]:
    """The statement counting the table of `names` (the total for none), and its group columns."""
    rows = counted.rows_for(facet_of(names))
    query, victims = select(rows), _row_victims(rows)
    per_victim = [
        name
        for name in names
        if DIMENSIONS[name].per_victim and not (counted.kept and name in FACETS)
    ]
    by_victim: dict[DimensionName, ColumnElement[Any]] = {}
    if per_victim or counted.measure is not Measure.ALL_VICTIMS:
        query, victims, by_victim = _by_victims(query, rows, per_victim, counted)
    columns = []
    for name in names:
        if counted.kept and name in FACETS:
            column = rows.c.value  # the kept rows of this facet carry its value
        elif name in by_victim:
            column = by_victim[name]
        else:
            column, values = group_column(name, rows)
            if values is not None:
                query = query.outerjoin(values, values.c.incident_id == rows.c.id)
        columns.append(column.label(name.value))
    return query.with_only_columns(*_measures(rows, victims), *columns), columns


def _by_victims(
    query: Select[Any], incidents: Subquery, names: list[DimensionName], counted: Counted
) -> tuple[Select[Any], Victims, dict[DimensionName, ColumnElement[Any]]]:
    """Join the incidents' victims, grouped by their values of the per-victim dimensions `names`
    and restricted to those the measure counts: an incident counts once per group among its
    counted victims, and the victims of each group are counted as the caller may see them (every
    victim of the caller's own incidents; of another organisation's, only those who consented to
    statistics, so a group holding only victims who did not is not joined at all)."""
    groups = _victim_groups(names, counted.measure, counted.organisation_id)
    own = incidents.c.foreign == 0
    seen = or_(own, rules.shareable(groups.c.all_victims, groups.c.shared_victims))
    on = and_(groups.c.incident_id == incidents.c.id, seen)
    # Counting only some victims counts only the incidents with one of them: an inner join.
    # Otherwise an incident with no victim recorded stays, in the no-value group.
    joined = (
        query.outerjoin(groups, on)
        if counted.measure is Measure.ALL_VICTIMS
        else query.join(groups, on)
    )
    victims = case(
        (groups.c.incident_id.is_(None), 0),
        (own, groups.c.all_victims),
        else_=groups.c.shared_victims,
    )
    keys = case((groups.c.incident_id.is_(None), 0), (own, 0), else_=groups.c.shared_keys)
    return joined, Victims(victims, keys), {name: groups.c[name.value] for name in names}


def _cell(key: dict[str, str | int | None], row: Any) -> Cell:
    incidents, victims, foreign_incidents, foreign_victims, incident_keys, victim_keys = (
        int(value) for value in row[:MEASURE_COUNT]
    )
    return Cell(
        key,
        Figure(incidents, foreign_incidents, cell_key(incident_keys)),
        Figure(victims, foreign_victims, cell_key(victim_keys)),
    )


def missing_values(name: DimensionName, cells: list[Cell]) -> list[Cell]:
    """A one-dimension table lists each value of its vocabulary and the no-value bucket, even 0."""
    seen = {cell.key[name.value] for cell in cells}
    return [
        Cell({name.value: value}, Figure(0, 0, 0), Figure(0, 0, 0))
        for value in (*DIMENSIONS[name].vocabulary, None)
        if value not in seen
    ]

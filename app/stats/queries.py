"""The SQL behind statistics: incidents and victims per group, and how many of each come from
organisations other than the caller's.

Each incident row carries its victim counts (all victims, and those who consented to statistics
sharing), so counting needs no join with the victims and no DISTINCT: one pass over the matching
incidents, plus the (incident, value) pairs of set dimensions such as perpetrator categories.

Data of other organisations is counted only where the survivor consented to statistics sharing:
a victim without that consent is left out, and so is an incident all of whose recorded victims
are. Incidents with no victim recorded (nobody to ask) are counted. The caller's own
organisation's data is counted in full.

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

from app.incidents.filters import IncidentFilters, apply_incident_filters
from app.models import Incident, Victim, VictimConsent
from app.models.enums import ConsentKind, VerificationStatus
from app.models.rollup import Facet
from app.stats.cellkey import cell_key
from app.stats.dimensions import (
    DIMENSIONS,
    INCIDENT_COLUMNS,
    DimensionName,
    Level,
    format_value,
    group_column,
    victim_value,
)
from app.stats.kept import FACETS, facet_of, kept_counts_answer, kept_rows
from app.stats.schemas import Basis, StatsQuery
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
    carry the `value` of their facet. The keys are the sums of the record keys of other
    organisations' counted incidents and victims (0 for the caller's own).
    """

    rows_for: Callable[[Facet], Subquery]
    kept: bool


def counted_rows(query: StatsQuery, organisation_id: uuid.UUID, use_kept: bool = True) -> Counted:
    """The kept counts when they can answer `query` exactly, else the incidents themselves."""
    if use_kept and kept_counts_answer(query):
        return Counted(lambda facet: kept_rows(query, organisation_id, facet), kept=True)
    grouped = [name for name in query.group_by if name in INCIDENT_COLUMNS]
    incidents = filtered_incidents(query, organisation_id, query.basis, grouped)
    return Counted(lambda _facet: incidents, kept=False)


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
        case((own, Incident.victim_count), else_=Incident.shared_victim_count).label("victims"),
        case((own, 0), else_=1).label("foreign"),
        literal(1).label("weight"),
        case((own, 0), else_=Incident.record_key).label("incident_keys"),
        case((own, 0), else_=Incident.shared_victim_keys).label("victim_keys"),
        *(Incident.__table__.c[name.value] for name in grouped or ()),
    )
    shareable = or_(own, Incident.victim_count == 0, Incident.shared_victim_count > 0)
    not_duplicate = Incident.duplicate_of_id.is_(None)  # reported twice, counted once
    query = apply_incident_filters(columns, filters).where(
        shareable, _basis(Incident.verification_status, basis), not_duplicate
    )
    return query.subquery("incidents")


def _basis(status: Any, basis: str) -> ColumnElement[bool]:
    if basis == Basis.VERIFIED_ONLY:
        return status == VerificationStatus.VERIFIED
    return status != VerificationStatus.DISCARDED


def _statistics_consent() -> ColumnElement[bool]:
    return and_(
        VictimConsent.victim_id == Victim.id,
        VictimConsent.kind == ConsentKind.STATISTICS,
        VictimConsent.granted.is_(True),
    )


def _victims_by(names: list[DimensionName]) -> Subquery:
    """Per incident and combination of the victim-level dimensions' values: all victims, and
    those who consented to statistics (with the sum of their record keys)."""
    shared_key = case((VictimConsent.victim_id.is_not(None), Victim.record_key), else_=0)
    values = [victim_value(name).label(f"value_{name.value}") for name in names]
    return (
        select(
            Victim.incident_id,
            *values,
            func.count().label("all_victims"),
            func.count(VictimConsent.victim_id).label("shared_victims"),
            func.sum(shared_key).label("shared_keys"),
        )
        .outerjoin(VictimConsent, _statistics_consent())
        .group_by(Victim.incident_id, *values)
        .subquery("victim_values")
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
    rows = counted.rows_for(Facet.INCIDENT)
    return _cell({}, session.execute(select(*_measures(rows, _row_victims(rows)))).one())


def group_cells(session: Session, counted: Counted, names: list[DimensionName]) -> list[Cell]:
    rows = counted.rows_for(facet_of(names))
    query, victims, columns = select(rows), _row_victims(rows), []
    per_victim = [
        name
        for name in names
        if DIMENSIONS[name].level is Level.VICTIM and not (counted.kept and name in FACETS)
    ]
    victim_columns: dict[DimensionName, ColumnElement[Any]] = {}
    if per_victim:
        query, victims, victim_columns = _by_victim_values(query, rows, per_victim)
    for name in names:
        if counted.kept and name in FACETS:
            column = rows.c.value  # the kept rows of this facet carry its value
        elif name in victim_columns:
            column = victim_columns[name]
        else:
            column, values = group_column(name, rows)
            if values is not None:
                query = query.outerjoin(values, values.c.incident_id == rows.c.id)
        columns.append(column.label(name.value))
    statement = query.with_only_columns(*_measures(rows, victims), *columns).group_by(*columns)
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


def _by_victim_values(
    query: Select[Any], incidents: Subquery, names: list[DimensionName]
) -> tuple[Select[Any], Victims, dict[DimensionName, ColumnElement[Any]]]:
    """Join the victims' values of these victim-level dimensions (their category, age band...):
    an incident counts once per value among its counted victims, and the victims of each value
    are counted as the caller may see them (other organisations' only with statistics consent,
    with their record keys). With two such dimensions, each victim counts in the group of their
    pair of values."""
    categories = _victims_by(names)
    own = incidents.c.foreign == 0
    joined = query.outerjoin(
        categories,
        and_(
            categories.c.incident_id == incidents.c.id,
            or_(own, categories.c.shared_victims > 0),
        ),
    )
    victims = case(
        (categories.c.incident_id.is_(None), 0),
        (own, categories.c.all_victims),
        else_=categories.c.shared_victims,
    )
    keys = case((categories.c.incident_id.is_(None), 0), (own, 0), else_=categories.c.shared_keys)
    columns = {name: categories.c[f"value_{name.value}"] for name in names}
    return joined, Victims(victims, keys), columns


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

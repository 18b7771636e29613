"""The SQL behind statistics: incidents and victims per group, and how many of each come from
organisations other than the caller's.

Each incident row carries its victim counts (all victims, and those who consented to statistics
sharing), so counting needs no join with the victims and no DISTINCT: one pass over the matching
incidents, plus the (incident, value) pairs of set dimensions such as perpetrator categories.

Data of other organisations is counted only where the survivor consented to statistics sharing:
a victim without that consent is left out, and so is an incident all of whose recorded victims
are. Incidents with no victim recorded (nobody to ask) are counted. The caller's own
organisation's data is counted in full.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from app.incidents.filters import IncidentFilters, apply_incident_filters
from app.models import Incident, Victim, VictimConsent
from app.models.enums import ConsentKind, VerificationStatus
from app.stats.dimensions import DIMENSIONS, DimensionName, format_value, group_column
from app.stats.suppression import Figure


@dataclass(eq=False)
class Cell:
    key: dict[str, str | int | None]
    incidents: Figure
    victims: Figure


def filtered_incidents(
    filters: IncidentFilters, organisation_id: uuid.UUID, basis: str
) -> Subquery:
    own = Incident.organisation_id == organisation_id
    columns = select(
        Incident.id,
        Incident.occurred_on,
        Incident.date_precision,
        Incident.source,
        Incident.verification_status,
        Incident.admin1,
        case((own, Incident.victim_count), else_=Incident.shared_victim_count).label("victims"),
        case((own, 0), else_=1).label("foreign"),
    )
    shareable = or_(own, Incident.victim_count == 0, Incident.shared_victim_count > 0)
    counted = (
        Incident.verification_status == VerificationStatus.VERIFIED
        if basis == "verified_only"
        else Incident.verification_status != VerificationStatus.DISCARDED
    )
    not_duplicate = Incident.duplicate_of_id.is_(None)  # reported twice, counted once
    query = apply_incident_filters(columns, filters).where(shareable, counted, not_duplicate)
    return query.subquery("incidents")


def _victims_by_category() -> Subquery:
    """Per incident and victim category: all victims, and those who consented to statistics."""
    consent = and_(
        VictimConsent.victim_id == Victim.id,
        VictimConsent.kind == ConsentKind.STATISTICS,
        VictimConsent.granted.is_(True),
    )
    return (
        select(
            Victim.incident_id,
            Victim.category.label("value"),
            func.count().label("all_victims"),
            func.count(VictimConsent.victim_id).label("shared_victims"),
        )
        .outerjoin(VictimConsent, consent)
        .group_by(Victim.incident_id, Victim.category)
        .subquery("victim_categories")
    )


def _measures(incidents: Subquery, victims: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    foreign = incidents.c.foreign
    return [
        func.count(),
        func.coalesce(func.sum(victims), 0),
        func.coalesce(func.sum(foreign), 0),
        func.coalesce(func.sum(foreign * victims), 0),
    ]


def total_cell(session: Session, incidents: Subquery) -> Cell:
    row = session.execute(select(*_measures(incidents, incidents.c.victims))).one()
    return _cell({}, row)


def group_cells(session: Session, incidents: Subquery, names: list[DimensionName]) -> list[Cell]:
    query, victims, columns = select(incidents), incidents.c.victims, []
    for name in names:
        if name is DimensionName.VICTIM_CATEGORY:
            query, victims, column = _by_victim_category(query, incidents)
        else:
            column, values = group_column(name, incidents)
            if values is not None:
                query = query.outerjoin(values, values.c.incident_id == incidents.c.id)
        columns.append(column.label(name.value))
    statement = query.with_only_columns(*_measures(incidents, victims), *columns).group_by(*columns)
    rows = session.execute(statement).all()
    cells = [
        _cell(
            {
                name.value: format_value(name, value)
                for name, value in zip(names, row[4:], strict=True)
            },
            row,
        )
        for row in rows
    ]
    if len(names) == 1:
        cells += missing_values(names[0], cells)
    return cells


def _by_victim_category(
    query: Select[Any], incidents: Subquery
) -> tuple[Select[Any], ColumnElement[Any], ColumnElement[Any]]:
    """Join the victims' categories: an incident counts once per category among its counted
    victims, and the victims of each category are counted as the caller may see them."""
    categories = _victims_by_category()
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
    return joined, victims, categories.c.value


def _cell(key: dict[str, str | int | None], row: Any) -> Cell:
    incidents, victims, foreign_incidents, foreign_victims = (int(value) for value in row[:4])
    return Cell(key, Figure(incidents, foreign_incidents), Figure(victims, foreign_victims))


def missing_values(name: DimensionName, cells: list[Cell]) -> list[Cell]:
    """A one-dimension table lists each value of its vocabulary and the no-value bucket, even 0."""
    seen = {cell.key[name.value] for cell in cells}
    return [
        Cell({name.value: value}, Figure(0, 0), Figure(0, 0))
        for value in (*DIMENSIONS[name].vocabulary, None)
        if value not in seen
    ]

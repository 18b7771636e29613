"""The SQL behind statistics: distinct incidents and victims per group, and how many of each
come from organisations other than the caller's.

Data of other organisations is counted only where the survivor consented to statistics sharing:
a victim without that consent is left out, and so is an incident all of whose recorded victims
are. Incidents with no victim recorded (nobody to ask) are counted. The caller's own
organisation's data is counted in full.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
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
    columns = select(
        Incident.id,
        Incident.organisation_id,
        Incident.occurred_on,
        Incident.date_precision,
        Incident.source,
        Incident.verification_status,
        Incident.admin1,
    )
    shareable = or_(
        Incident.organisation_id == organisation_id,
        ~exists(select(Victim.id).where(Victim.incident_id == Incident.id)),
        exists(
            select(Victim.id).where(
                Victim.incident_id == Incident.id, _consented_to_statistics(Victim.id)
            )
        ),
    )
    counted = (
        Incident.verification_status == VerificationStatus.VERIFIED
        if basis == "verified_only"
        else Incident.verification_status != VerificationStatus.DISCARDED
    )
    not_duplicate = Incident.duplicate_of_id.is_(None)  # reported twice, counted once
    query = apply_incident_filters(columns, filters).where(shareable, counted, not_duplicate)
    return query.subquery("incidents")


def _consented_to_statistics(victim_id: Any) -> ColumnElement[bool]:
    return exists(
        select(VictimConsent.victim_id).where(
            VictimConsent.victim_id == victim_id,
            VictimConsent.kind == ConsentKind.STATISTICS,
            VictimConsent.granted.is_(True),
        )
    )


def _counting(incidents: Subquery, organisation_id: uuid.UUID) -> tuple[Select[Any], Any]:
    victims = Victim.__table__.alias("victims_counted")
    own = incidents.c.organisation_id == organisation_id
    counted_victims = and_(
        victims.c.incident_id == incidents.c.id,
        or_(own, _consented_to_statistics(victims.c.id)),
    )
    counts = select(
        func.count(incidents.c.id.distinct()),
        func.count(victims.c.id.distinct()),
        func.count(case((~own, incidents.c.id)).distinct()),
        func.count(case((~own, victims.c.id)).distinct()),
    ).select_from(incidents.outerjoin(victims, counted_victims))
    return counts, victims


def total_cell(session: Session, incidents: Subquery, organisation_id: uuid.UUID) -> Cell:
    counts, _ = _counting(incidents, organisation_id)
    return _cell({}, session.execute(counts).one())


def group_cells(
    session: Session,
    incidents: Subquery,
    organisation_id: uuid.UUID,
    names: list[DimensionName],
) -> list[Cell]:
    counts, victims = _counting(incidents, organisation_id)
    columns = []
    for name in names:
        column, values = group_column(name, incidents, victims)
        if values is not None:
            counts = counts.outerjoin(values, values.c.incident_id == incidents.c.id)
        columns.append(column.label(name.value))
    rows = session.execute(counts.add_columns(*columns).group_by(*columns)).all()
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
        cells += _missing_values(names[0], cells)
    return cells


def _cell(key: dict[str, str | int | None], row: Any) -> Cell:
    incidents, victims, foreign_incidents, foreign_victims = row[:4]
    return Cell(key, Figure(incidents, foreign_incidents), Figure(victims, foreign_victims))


def _missing_values(name: DimensionName, cells: list[Cell]) -> list[Cell]:
    """A one-dimension table lists each value of its vocabulary and the no-value bucket, even 0."""
    seen = {cell.key[name.value] for cell in cells}
    return [
        Cell({name.value: value}, Figure(0, 0), Figure(0, 0))
        for value in (*DIMENSIONS[name].vocabulary, None)
        if value not in seen
    ]

"""A page of the incident list read as plain rows: five queries, no ORM objects.

A list page shows fifty incidents with their victims, consent and perpetrators; building ORM
objects for them (some 300 per page) cost more than the queries. This reads the same columns
with Core into plain dicts shaped as `IncidentRead`, which the API writes out as they are and the
pages validate into models. Tests check that the list gives what the detail gives.
"""

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session

from app.core.pagination import encode_cursor
from app.incidents.crosswalk import type_warnings
from app.incidents.filters import IncidentFilters, apply_incident_filters
from app.incidents.intake_fields import PerpetratorIntake, VictimIntake
from app.incidents.schemas import IncidentRead
from app.models import (
    ArmedParty,
    Incident,
    IncidentNarrative,
    IncidentViolation,
    Perpetrator,
    Victim,
    VictimConsent,
    VictimIdentity,
)

VICTIM_FIELDS = (
    "id",
    "sex",
    "age",
    "age_group",
    "category",
    "displacement_status",
    "disability",
    *VictimIntake.model_fields,
    "has_identity",
)
PERPETRATOR_FIELDS = tuple(PerpetratorIntake.model_fields)
INCIDENT_FIELDS = tuple(
    name
    for name in IncidentRead.model_fields
    if name not in {"violations", "victims", "perpetrators", "has_summary", "summary", "warnings"}
)


def list_page(
    session: Session,
    readable: Select[Any],
    filters: IncidentFilters,
    *,
    limit: int,
    position: tuple[Any, uuid.UUID] | None,
    include_archived: bool,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of `readable` incidents after `position`, newest first, and the next cursor.

    Each incident is a dict with exactly `IncidentRead`'s fields, its values as read.
    """
    query = apply_incident_filters(readable, filters, include_archived=include_archived)
    if position is not None:
        # A row comparison, so the index on (organisation, date, id) starts right at the cursor.
        query = query.where(tuple_(Incident.occurred_on, Incident.id) < position)
    query = query.order_by(Incident.occurred_on.desc(), Incident.id.desc()).limit(limit + 1)
    rows = session.execute(query.with_only_columns(*Incident.__table__.c)).mappings().all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1]["occurred_on"].isoformat(), rows[-1]["id"])
    ids = [row["id"] for row in rows]
    children = _children(session, ids)
    return [_incident(row, children) for row in rows], next_cursor


def _incident(row: Any, children: dict[str, Any]) -> dict[str, Any]:
    incident_id = row["id"]
    return {
        **{name: row[name] for name in INCIDENT_FIELDS},
        "violations": children["violations"][incident_id],
        "victims": children["victims"][incident_id],
        "perpetrators": children["perpetrators"][incident_id],
        "has_summary": incident_id in children["summaries"],
        "summary": None,
        "warnings": [
            warning.model_dump()
            for warning in type_warnings(row["gbv_type"], children["violations"][incident_id])
        ],
    }


def _children(session: Session, ids: list[uuid.UUID]) -> dict[str, Any]:
    if not ids:
        return {"violations": {}, "victims": {}, "perpetrators": {}, "summaries": set()}
    violations: dict[uuid.UUID, list[str]] = defaultdict(list)
    for incident_id, violation in session.execute(
        select(IncidentViolation.incident_id, IncidentViolation.violation)
        .where(IncidentViolation.incident_id.in_(ids))
        .order_by(IncidentViolation.incident_id, IncidentViolation.violation)
    ):
        violations[incident_id].append(violation)
    summaries = set(
        session.scalars(
            select(IncidentNarrative.incident_id).where(IncidentNarrative.incident_id.in_(ids))
        )
    )
    return {
        "violations": violations,
        "victims": _victims(session, ids),
        "perpetrators": _perpetrators(session, ids),
        "summaries": summaries,
    }


def _victims(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Victims with their consent decisions: one row per decision (or one without any)."""
    rows = session.execute(
        select(
            Victim.id,
            Victim.incident_id,
            Victim.sex,
            Victim.age,
            Victim.age_group,
            Victim.category,
            Victim.displacement_status,
            Victim.disability,
            *(Victim.__table__.c[name] for name in VictimIntake.model_fields),
            VictimIdentity.victim_id.is_not(None).label("has_identity"),
            VictimConsent.kind,
            VictimConsent.granted,
            VictimConsent.recorded_at,
            VictimConsent.recorded_by_id,
        )
        .outerjoin(VictimIdentity, VictimIdentity.victim_id == Victim.id)
        .outerjoin(VictimConsent, VictimConsent.victim_id == Victim.id)
        .where(Victim.incident_id.in_(ids))
        .order_by(Victim.incident_id, Victim.position, Victim.id)
    ).all()
    by_incident: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    by_id: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        victim = by_id.get(row.id)
        if victim is None:
            victim = by_id[row.id] = {name: getattr(row, name) for name in VICTIM_FIELDS} | {
                "has_identity": bool(row.has_identity),  # SQLite gives 0 or 1
                "consent": {},
            }
            by_incident[row.incident_id].append(victim)
        if row.kind is not None:
            victim["consent"][str(row.kind)] = {
                "granted": row.granted,
                "recorded_at": row.recorded_at,
                "recorded_by_id": row.recorded_by_id,
            }
    return by_incident


def _perpetrators(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    rows = session.execute(
        select(
            Perpetrator.id,
            Perpetrator.incident_id,
            Perpetrator.category,
            ArmedParty.id.label("party_id"),
            ArmedParty.name,
            ArmedParty.acronym,
            *(Perpetrator.__table__.c[name] for name in PERPETRATOR_FIELDS),
        )
        .outerjoin(ArmedParty, ArmedParty.id == Perpetrator.armed_party_id)
        .where(Perpetrator.incident_id.in_(ids))
        .order_by(Perpetrator.incident_id, Perpetrator.position)
    )
    by_incident: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for perpetrator_id, incident_id, category, party_id, name, acronym, *intake in rows:
        party = None if party_id is None else {"id": party_id, "name": name, "acronym": acronym}
        by_incident[incident_id].append(
            {
                "id": perpetrator_id,
                "category": category,
                "armed_party": party,
                **dict(zip(PERPETRATOR_FIELDS, intake, strict=True)),
            }
        )
    return by_incident

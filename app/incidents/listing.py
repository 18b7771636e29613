"""A page of the incident list read as plain rows: five queries, no ORM objects.

A list page shows fifty incidents with their victims, consent and perpetrators; building ORM
objects for them (some 300 per page) cost more than the queries. This reads the same columns
with Core into plain dicts shaped as `IncidentRead`, which the pages validate into models (and
the API writes out on SQLite). On PostgreSQL the API's page is written by the database itself
(`listing_json`) in one statement, after `page_query` has found its ids. Tests check that the
list gives what the detail gives, on both.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date
from functools import lru_cache
from typing import Any, TypeVar

import orjson
from sqlalchemy import Select, select, tuple_
from sqlalchemy.dialects.postgresql import psycopg as postgresql_psycopg
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.core.db import among_ids, ids_array_text
from app.core.pagination import encode_cursor
from app.incidents import history
from app.incidents.crosswalk import type_warnings
from app.incidents.filters import IncidentFilters, apply_incident_filters
from app.incidents.intake_fields import PerpetratorIntake
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

# Every stored field of a victim but identity and consent (as a snapshot holds them), and
# whether identifying details are held.
VICTIM_FIELDS = (*history.VICTIM_FIELDS, "has_identity")
PERPETRATOR_FIELDS = tuple(PerpetratorIntake.model_fields)
PERPETRATOR_KEYS = ("id", "category", *PERPETRATOR_FIELDS)
INCIDENT_FIELDS = tuple(
    name
    for name in IncidentRead.model_fields
    if name not in {"violations", "victims", "perpetrators", "has_summary", "summary", "warnings"}
)
INCIDENT_COLUMNS = tuple(Incident.__table__.c[name] for name in INCIDENT_FIELDS)
T = TypeVar("T")


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
    query = page_query(readable, filters, limit, position, include_archived)
    rows = [
        dict(zip(INCIDENT_FIELDS, row, strict=True))
        # On the session's connection: plain Core rows, without the ORM's result machinery.
        for row in session.connection().execute(query.with_only_columns(*INCIDENT_COLUMNS)).all()
    ]
    rows, next_cursor = cut_page(rows, limit, lambda row: (row["occurred_on"], row["id"]))
    children = _children(session, [row["id"] for row in rows])
    for row in rows:
        _add_children(row, children)
    return rows, next_cursor


def page_query(
    readable: Select[Any],
    filters: IncidentFilters,
    limit: int,
    position: tuple[Any, Any] | None,
    include_archived: bool,
) -> Select[Any]:
    """The `readable` incidents matching `filters` after `position`, newest first: one more
    than a page, to tell whether there is a next one."""
    query = apply_incident_filters(readable, filters, include_archived=include_archived)
    if position is not None:
        # A row comparison, so the index on (organisation, date, id) starts right at the cursor.
        # A tuple of expressions, so the position may also be bind parameters (as given by the
        # statement the unfiltered list builds once), typed as the columns.
        after = tuple_(*position, types=[Incident.occurred_on.type, Incident.id.type])
        query = query.where(tuple_(Incident.occurred_on, Incident.id) < after)
    return query.order_by(Incident.occurred_on.desc(), Incident.id.desc()).limit(limit + 1)


def cut_page(
    rows: list[T], limit: int, position_of: Callable[[T], tuple[date, uuid.UUID]]
) -> tuple[list[T], str | None]:
    """The first `limit` of `rows` (read by `page_query`), and the cursor of the next page."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    occurred_on, incident_id = position_of(rows[-1])
    return rows, encode_cursor(occurred_on.isoformat(), incident_id)


def by_ids(
    session: Session, ids: list[uuid.UUID], readable: Select[Any] | None = None
) -> list[dict[str, Any]]:
    """The incidents with these ids (among `readable` ones, when given), shaped as a page's."""
    query = (readable if readable is not None else select(Incident)).where(Incident.id.in_(ids))
    rows = [
        dict(zip(INCIDENT_FIELDS, row, strict=True))
        for row in session.connection().execute(query.with_only_columns(*INCIDENT_COLUMNS)).all()
    ]
    children = _children(session, [row["id"] for row in rows])
    for row in rows:
        _add_children(row, children)
    return rows


def _add_children(row: dict[str, Any], children: dict[str, Any]) -> None:
    incident_id = row["id"]
    row["violations"] = children["violations"][incident_id]
    row["victims"] = children["victims"][incident_id]
    row["perpetrators"] = children["perpetrators"][incident_id]
    row["has_summary"] = incident_id in children["summaries"]
    row["summary"] = None
    add_warnings(row)


def add_warnings(row: dict[str, Any]) -> None:
    """The GBVIMS type warnings of an incident that has its `gbv_type` and `violations`."""
    warnings = _warnings(row["gbv_type"], tuple(row["violations"]))
    row["warnings"] = [dict(warning) for warning in warnings]


@lru_cache(maxsize=4096)
def warnings_text(gbv_type: str | None, violations: tuple[str, ...]) -> str:
    """`add_warnings`'s warnings as JSON text, for a page passed on as PostgreSQL wrote it."""
    return orjson.dumps(_warnings(gbv_type, violations)).decode()


@lru_cache(maxsize=4096)  # bounded: a hostile mix of forms cannot grow it without end
def _warnings(gbv_type: str | None, violations: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """`type_warnings` as dicts, worked out once per combination: a page has few distinct ones.
    (Enums and their str values hash and compare alike, so both backends share the entries.)"""
    return tuple(warning.model_dump() for warning in type_warnings(gbv_type, violations))


def _child_queries(dialect: str) -> dict[str, Select[Any]]:
    """The page's child queries, built once per backend (they run on every page)."""
    return {
        "violations": select(IncidentViolation.incident_id, IncidentViolation.violation)
        .where(among_ids(IncidentViolation.incident_id, dialect))
        .order_by(IncidentViolation.incident_id, IncidentViolation.violation),
        "summaries": select(IncidentNarrative.incident_id).where(
            among_ids(IncidentNarrative.incident_id, dialect)
        ),
        # Victims with their consent decisions: one row per decision (or one without any).
        "victims": select(
            Victim.incident_id,
            *(Victim.__table__.c[name] for name in VICTIM_FIELDS[:-1]),
            VictimIdentity.victim_id.is_not(None).label("has_identity"),
            VictimConsent.kind,
            VictimConsent.granted,
            VictimConsent.recorded_at,
            VictimConsent.recorded_by_id,
        )
        .outerjoin(VictimIdentity, VictimIdentity.victim_id == Victim.id)
        .outerjoin(VictimConsent, VictimConsent.victim_id == Victim.id)
        .where(among_ids(Victim.incident_id, dialect))
        .order_by(Victim.incident_id, Victim.position, Victim.id),
        "perpetrators": select(
            Perpetrator.incident_id,
            Perpetrator.id,
            Perpetrator.category,
            *(Perpetrator.__table__.c[name] for name in PERPETRATOR_FIELDS),
            ArmedParty.id.label("party_id"),
            ArmedParty.name,
            ArmedParty.acronym,
        )
        .outerjoin(ArmedParty, ArmedParty.id == Perpetrator.armed_party_id)
        .where(among_ids(Perpetrator.incident_id, dialect))
        .order_by(Perpetrator.incident_id, Perpetrator.position),
    }


CHILD_QUERIES = {dialect: _child_queries(dialect) for dialect in ("postgresql", "sqlite")}
# On PostgreSQL the child queries run as their SQL text, compiled here once, with the page's ids
# as one array literal ('{id,id,...}', which the statements' `%(ids)s::UUID[]` reads): the
# statements are the same, without SQLAlchemy's per-statement work (cache lookup, parameter and
# result processing) or psycopg's dumping of fifty UUIDs for each. The rows differ only in their
# types: enums come as their str values (written out alike), times in the connection's time
# zone (made UTC in `_victims`).
PG_CHILD_SQL = {
    name: str(query.compile(dialect=postgresql_psycopg.dialect()))
    for name, query in CHILD_QUERIES["postgresql"].items()
}


def _child_rows(connection: Connection, name: str, ids: list[uuid.UUID], ids_text: str) -> Any:
    if connection.dialect.name == "postgresql":
        return connection.exec_driver_sql(PG_CHILD_SQL[name], {"ids": ids_text}).all()
    return connection.execute(CHILD_QUERIES[connection.dialect.name][name], {"ids": ids}).all()


def _children(session: Session, ids: list[uuid.UUID]) -> dict[str, Any]:
    if not ids:
        return {"violations": {}, "victims": {}, "perpetrators": {}, "summaries": set()}
    connection = session.connection()
    ids_text = ids_array_text(ids)

    def rows(name: str) -> Any:
        return _child_rows(connection, name, ids, ids_text)

    violations: dict[uuid.UUID, list[str]] = defaultdict(list)
    for incident_id, violation in rows("violations"):
        violations[incident_id].append(violation)
    return {
        "violations": violations,
        "victims": _victims(rows("victims")),
        "perpetrators": _perpetrators(rows("perpetrators")),
        "summaries": {incident_id for (incident_id,) in rows("summaries")},
    }


VICTIM_WIDTH = len(VICTIM_FIELDS) - 1  # the columns before has_identity
PERPETRATOR_WIDTH = 2 + len(PERPETRATOR_FIELDS)  # id, category and the intake fields


def _victims(rows: Any) -> dict[uuid.UUID, list[dict[str, Any]]]:
    by_incident: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    by_id: dict[uuid.UUID, dict[str, Any]] = {}
    for incident_id, *values in rows:
        victim_id = values[0]
        victim = by_id.get(victim_id)
        if victim is None:
            victim = by_id[victim_id] = dict(
                zip(VICTIM_FIELDS[:VICTIM_WIDTH], values[:VICTIM_WIDTH], strict=True)
            )
            victim["has_identity"] = bool(values[VICTIM_WIDTH])  # SQLite gives 0 or 1
            victim["consent"] = {}
            by_incident[incident_id].append(victim)
        kind, granted, recorded_at, recorded_by_id = values[VICTIM_WIDTH + 1 :]
        if kind is not None:
            victim["consent"][str(kind)] = {
                "granted": granted,
                "recorded_at": recorded_at.astimezone(UTC),
                "recorded_by_id": recorded_by_id,
            }
    return by_incident


def _perpetrators(rows: Any) -> dict[uuid.UUID, list[dict[str, Any]]]:
    by_incident: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for incident_id, *values in rows:
        perpetrator = dict(zip(PERPETRATOR_KEYS, values[:PERPETRATOR_WIDTH], strict=True))
        party_id, name, acronym = values[PERPETRATOR_WIDTH:]
        perpetrator["armed_party"] = (
            None if party_id is None else {"id": party_id, "name": name, "acronym": acronym}
        )
        by_incident[incident_id].append(perpetrator)
    return by_incident

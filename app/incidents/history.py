"""Incident versions: a snapshot of the statistical fields before and after each change, and
the versions kept (`change.IncidentChange` keeps them)."""

from typing import Any

import orjson
from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.versioning import BasedOn
from app.counting.rollup import RECORD_KEYS
from app.incidents.intake_fields import IncidentIntake, PerpetratorIntake, VictimIntake
from app.models import Incident, IncidentVersion, JudicialCase

SNAPSHOT_FIELDS = (
    "occurred_on",
    "date_precision",
    "reported_on",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "pcode",
    "gbv_type",
    *IncidentIntake.model_fields,
    "reporting_delay",
    "source",
    "verification_status",
    "verified_on",
    "archived_at",
    "archive_reason",
    "duplicate_of_id",
    "duplicate_reason",
)


def snapshot(incident: Incident) -> dict[str, Any]:
    """The incident's non-identifying state, as JSON values."""
    state: dict[str, Any] = {name: getattr(incident, name) for name in SNAPSHOT_FIELDS}
    state["violations"] = sorted(incident.violations)
    state["victims"] = [
        {
            "id": victim.id,
            "sex": victim.sex,
            "age": victim.age,
            "age_group": victim.age_group,
            "category": victim.category,
            "displacement_status": victim.displacement_status,
            "disability": victim.disability,
            **{name: getattr(victim, name) for name in VictimIntake.model_fields},
            "consent": {kind: row.granted for kind, row in sorted(victim.consent.items())},
        }
        for victim in incident.victims
    ]
    state["perpetrators"] = [
        {
            "id": p.id,
            "category": p.category,
            "armed_party_id": p.armed_party_id,
            **{name: getattr(p, name) for name in PerpetratorIntake.model_fields},
        }
        for p in incident.perpetrators
    ]
    state["version"] = incident.version
    # For the statistics' kept counts only: never part of a version's changes (see `diff`).
    state[RECORD_KEYS] = {
        "incident": incident.record_key,
        "victims": {str(victim.id): victim.record_key for victim in incident.victims},
    }
    return jsonable(state)


def jsonable(state: dict[str, Any]) -> dict[str, Any]:
    """`state` as JSON values (dates, UUIDs and enums as strings), as pydantic's
    `to_jsonable_python` gives them: orjson's round trip, a third of its time, gives the same
    (timestamps in UTC written with `Z` as pydantic writes them); what orjson refuses (integers
    beyond 64 bits, sets) goes to pydantic. tests/incidents/test_snapshot_json.py holds the two
    equal."""
    try:
        return dict(orjson.loads(orjson.dumps(state, option=_JSON_OPTIONS)))
    except TypeError:
        return dict(to_jsonable_python(state))


_JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {"old": before.get(name), "new": value}
        for name, value in after.items()
        if before.get(name) != value and name not in ("version", RECORD_KEYS)
    }


def check_version(versioned: Incident | JudicialCase, based: BasedOn) -> None:
    """Refuse a change based on another version than the stored one (StaleVersionError)."""
    based.refuse_if_stale(versioned.version)


def versions(session: Session, incident: Incident) -> list[IncidentVersion]:
    query = (
        select(IncidentVersion)
        .where(IncidentVersion.incident_id == incident.id)
        .order_by(IncidentVersion.version)
    )
    return list(session.scalars(query))

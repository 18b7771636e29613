"""Incident versions: a snapshot of the statistical fields before and after each change, and
the versions kept (`change.IncidentChange` keeps them)."""

from collections.abc import Iterable, Mapping
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


VICTIM_FIELDS = (
    "id",
    "sex",
    "age",
    "age_group",
    "category",
    "displacement_status",
    "disability",
    *VictimIntake.model_fields,
)
PERPETRATOR_FIELDS = ("id", "category", "armed_party_id", *PerpetratorIntake.model_fields)


def snapshot(incident: Incident) -> dict[str, Any]:
    """The incident's non-identifying state, as JSON values."""
    return state_of(
        {name: getattr(incident, name) for name in SNAPSHOT_FIELDS},
        incident.violations,
        [
            (
                {name: getattr(victim, name) for name in VICTIM_FIELDS},
                {kind: row.granted for kind, row in victim.consent.items()},
                victim.record_key,
            )
            for victim in incident.victims
        ],
        [{name: getattr(p, name) for name in PERPETRATOR_FIELDS} for p in incident.perpetrators],
        incident.version,
        incident.record_key,
    )


def state_of(
    fields: Mapping[str, Any],
    violations: Iterable[Any],
    victims: Iterable[tuple[Mapping[str, Any], Mapping[Any, bool], int]],
    perpetrators: Iterable[Mapping[str, Any]],
    version: int,
    record_key: int,
) -> dict[str, Any]:
    """The snapshot of an incident given as plain values: its `SNAPSHOT_FIELDS`, its forms of
    violence, each victim's `VICTIM_FIELDS` with its consent decisions (kind: granted) and record
    key, each perpetrator's `PERPETRATOR_FIELDS`. A new incident's writer, which holds its rows
    as dicts, is spared building objects only for `snapshot` to read them."""
    state: dict[str, Any] = {name: fields[name] for name in SNAPSHOT_FIELDS}
    state["violations"] = sorted(violations)
    victim_keys = {}
    state["victims"] = []
    for values, consent, victim_key in victims:
        victim = {name: values[name] for name in VICTIM_FIELDS}
        victim["consent"] = dict(sorted(consent.items()))
        state["victims"].append(victim)
        # Keyed by the id as it is: made text with the rest by `jsonable` (orjson writes a UUID
        # key as `str` does), rather than by a Python `UUID.__str__` here.
        victim_keys[values["id"]] = victim_key
    state["perpetrators"] = [{name: p[name] for name in PERPETRATOR_FIELDS} for p in perpetrators]
    state["version"] = version
    # For the statistics' kept counts only: never part of a version's changes (see `diff`).
    state[RECORD_KEYS] = {"incident": record_key, "victims": victim_keys}
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


NOT_CHANGES = ("version", RECORD_KEYS)  # in a snapshot, never part of a version's changes


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {"old": before.get(name), "new": value}
        for name, value in after.items()
        if before.get(name) != value and name not in NOT_CHANGES
    }


def first_changes(state: dict[str, Any]) -> dict[str, Any]:
    """`diff({}, state)`, a new incident's first version, without looking up each field in an
    empty snapshot: every value set (a JSON value differs from None unless it is None)."""
    return {
        name: {"old": None, "new": value}
        for name, value in state.items()
        if value is not None and name not in NOT_CHANGES
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

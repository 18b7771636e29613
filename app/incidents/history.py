"""Incident versions: a snapshot of the statistical fields before and after each change."""

from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import Principal
from app.core.versioning import BasedOn
from app.incidents.intake_fields import IncidentIntake, PerpetratorIntake, VictimIntake
from app.models import Incident, IncidentVersion, JudicialCase
from app.models.base import utcnow
from app.stats import rollup
from app.stats.rollup import RECORD_KEYS

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
    return dict(to_jsonable_python(state))


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {"old": before.get(name), "new": value}
        for name, value in after.items()
        if before.get(name) != value and name not in ("version", RECORD_KEYS)
    }


def record_version(
    session: Session,
    incident: Incident,
    principal: Principal,
    action: str,
    changes: dict[str, Any],
) -> None:
    """Keep the version the incident has just reached. Call after the change was flushed."""
    session.add(
        IncidentVersion(
            incident_id=incident.id,
            version=incident.version,
            action=action,
            changed_by_id=principal.user_id,
            changed_by_username=principal.username,
            changes=changes,
        )
    )
    session.flush()


def finish_change(
    session: Session,
    incident: Incident,
    principal: Principal,
    action: str,
    before: dict[str, Any],
    fields: list[str],
    identifying: tuple[str, ...] = (),
    details: dict[str, Any] | None = None,
) -> None:
    """Bump the version (once per change), then write the audit event, the version's changes and
    the change to the statistics' kept counts.

    Touching the row makes SQLAlchemy's version check part of the UPDATE: a concurrent writer
    who based a change on the same version finds the row changed and is refused. `before` holds
    the version the change started from; if a flush on the way already bumped it, it stays.
    """
    if incident.version == before["version"]:
        incident.updated_at = utcnow()
        session.flush()
    record(
        session,
        f"incident.{action}",
        actor=principal,
        record_type="incident",
        record_id=incident.id,
        fields=fields,
        details=details,
    )
    after = snapshot(incident)
    rollup.record_change(session, incident.organisation_id, before, after)
    changes = diff(before, after)
    changes.update({name: {"changed": True} for name in identifying})
    record_version(session, incident, principal, action, changes)


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

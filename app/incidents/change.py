"""One change to a recorded incident: the way every write after its creation goes.

Update, consent, verification, archiving and duplicate links each open an `IncidentChange` before
touching anything (it snapshots the incident), apply their change to it, then `finish` with the
names of what changed. `finish` does, once and in this order:

1. version: bump the incident's version, which makes SQLAlchemy's version check part of the
   UPDATE, so a concurrent writer who based a change on the same version is refused;
2. audit: queue one event naming the fields (never their values) for the sealed chain;
3. kept counts: add (after - before) to the statistics' kept counts, in this transaction;
4. history: keep the version reached, with each statistical field's old and new value.

New incidents take the same steps set-based, in `new_incidents.NewIncidentWriter`.
"""

from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import Principal
from app.counting import rollup
from app.incidents.history import diff, snapshot
from app.models import Incident, IncidentVersion
from app.models.base import utcnow


class IncidentChange:
    def __init__(
        self, session: Session, incident: Incident, principal: Principal, action: str
    ) -> None:
        self.session, self.incident, self.principal, self.action = (
            session,
            incident,
            principal,
            action,
        )
        self.before = snapshot(incident)

    def finish(
        self,
        fields: list[str],
        *,
        identifying: tuple[str, ...] = (),
        details: dict[str, Any] | None = None,
    ) -> None:
        """End the change: version, audit, kept counts, history. `identifying` names what
        changed without its values ever entering the history (identity, summary)."""
        self._bump_version()
        self._audit(fields, details)
        after = snapshot(self.incident)
        rollup.record_change(self.session, self.incident.organisation_id, self.before, after)
        self._keep_version(after, identifying)

    def _bump_version(self) -> None:
        """Once per change: if a flush on the way already bumped it, it stays."""
        if self.incident.version == self.before["version"]:
            self.incident.updated_at = utcnow()
            self.session.flush()

    def _audit(self, fields: list[str], details: dict[str, Any] | None) -> None:
        record(
            self.session,
            f"incident.{self.action}",
            actor=self.principal,
            record_type="incident",
            record_id=self.incident.id,
            fields=fields,
            details=details,
        )

    def _keep_version(self, after: dict[str, Any], identifying: tuple[str, ...]) -> None:
        changes = diff(self.before, after)
        changes.update({name: {"changed": True} for name in identifying})
        self.session.add(
            IncidentVersion(
                incident_id=self.incident.id,
                version=self.incident.version,
                action=self.action,
                changed_by_id=self.principal.user_id,
                changed_by_username=self.principal.username,
                changes=changes,
            )
        )
        self.session.flush()

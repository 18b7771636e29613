"""One change to a recorded incident: the way every write after its creation goes.

Update, consent, verification, archiving and duplicate links each open an `IncidentChange`
before touching anything (it snapshots the incident), apply their change, then `finish` with the
names of what changed: version, audit, kept counts (after - before, in this transaction), history
(each statistical field's old and new value), in that order (`app/audit/change.py`).

New incidents take the same steps set-based, in `new_incidents.NewIncidentWriter`.
"""

from typing import Any

from sqlalchemy.orm import Session

from app.audit.change import RecordChange
from app.core.auth import Principal
from app.counting import rollup
from app.incidents.history import diff, snapshot
from app.models import Incident, IncidentVersion


class IncidentChange(RecordChange):
    record_type = "incident"

    def __init__(
        self, session: Session, incident: Incident, principal: Principal, action: str
    ) -> None:
        self.incident = incident
        self.identifying: tuple[str, ...] = ()
        super().__init__(session, incident, principal, action)

    def finish(
        self,
        fields: list[str],
        *,
        details: dict[str, Any] | None = None,
        identifying: tuple[str, ...] = (),
    ) -> None:
        """`identifying` names what changed without its values ever entering the history
        (identity, summary)."""
        self.identifying = identifying
        super().finish(fields, details=details)

    def snapshot(self) -> dict[str, Any]:
        return snapshot(self.incident)

    def keep_counts(self) -> None:
        self.after = snapshot(self.incident)
        rollup.record_change(self.session, self.incident.organisation_id, self.before, self.after)

    def keep_history(self) -> None:
        changes = diff(self.before, self.after)
        changes.update({name: {"changed": True} for name in self.identifying})
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

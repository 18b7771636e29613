"""One change to one versioned record, ending the same way whatever the record.

A write opens a change before touching the record (it keeps what the record was), applies
itself, then calls `finish`, which does once and in this order:

1. version: touch the record so its version moves on once, which makes SQLAlchemy's version
   check part of the UPDATE (a concurrent writer who based a change on the same version is
   refused);
2. audit: queue one event `<record type>.<action>` naming the fields, never their values;
3. kept counts: what the record adds to the statistics' kept counts (incidents only);
4. history: keep the version reached, as the record's history keeps it.

Incidents (`app/incidents/change.py`) and referrals (`app/referrals/service.py`) say what their
history and kept counts are; new records are written by their own services (new incidents,
any number at once, by `app/incidents/new_incidents.py`).
"""

from typing import Any, ClassVar

from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import Principal
from app.models.base import utcnow


class RecordChange:
    record_type: ClassVar[str]

    def __init__(self, session: Session, versioned: Any, principal: Principal, action: str) -> None:
        self.session, self.versioned = session, versioned
        self.principal, self.action = principal, action
        self.before = self.snapshot()

    def finish(self, fields: list[str], *, details: dict[str, Any] | None = None) -> None:
        self._bump_version()
        self._audit(fields, details)
        self.keep_counts()
        self.keep_history()

    def snapshot(self) -> dict[str, Any]:
        """What the record was, before the change."""
        return {"version": self.versioned.version}

    def keep_counts(self) -> None:
        """Only incidents feed the statistics' kept counts."""

    def keep_history(self) -> None:
        raise NotImplementedError

    def _bump_version(self) -> None:
        """Once per change: if a flush on the way already moved it, it stays."""
        if self.versioned.version == self.before["version"]:
            self.versioned.updated_at = utcnow()
            self.session.flush()

    def _audit(self, fields: list[str], details: dict[str, Any] | None) -> None:
        record(
            self.session,
            f"{self.record_type}.{self.action}",
            actor=self.principal,
            record_type=self.record_type,
            record_id=self.versioned.id,
            fields=fields,
            details=details,
        )

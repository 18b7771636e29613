"""Writing new incidents set-based: a statement per table, whether one incident or fifty thousand.

Every new incident comes in here: one from `POST /incidents` or the web form, a thousand from a
batch, a workbook's worth from an Incident Recorder import. Each is checked before (by
`service.check_incident`, the same rules for all); here its rows are made as plain values and
written with one multi-row statement per table (COPY on PostgreSQL for large sets), then the
steps every change ends with run once for the whole set, in this order:

1. version: each new incident is at version 1, and its first version row holds every field set;
2. audit: one event per incident (and per victim whose identity or consent was given), or for an
   import one event naming the file, queued for the transaction's sealed chain;
3. kept counts: the statistics' counts, added once per set (`rollup.NewCounts`);
4. references: each organisation's country-year counter moved on once per prefix, before the
   rows are written for a create or a batch (which then carry their references), after them for
   an import (which is numbered by one UPDATE at the end).

The kept counts are written last, so concurrent writers wait on them only from there to the
commit; an import's counters too, as it may write for minutes. A batch holds its counters while
it writes (half a second for 1,000 incidents), as a single create holds its one: numbering the
rows again afterwards cost PostgreSQL some 35 ms of a batch's 160 (bench/RESULTS.md).
"""

import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import ForbiddenError, Principal
from app.core.bulk_insert import copy_part, insert_rows
from app.core.copy_behind import CopyBehind
from app.core.crypto import FieldCipher
from app.core.domain_errors import FieldProblem
from app.core.ids import new_ids
from app.core.permissions import Permission
from app.counting import rollup
from app.counting.rules import shares_statistics
from app.incidents import children, history
from app.incidents.references import (
    advance_counters,
    number_provisional,
    reference_text,
)
from app.incidents.rules import column_values, incident_problems
from app.incidents.schemas import IncidentCreate, IncidentFields, VictimCreate
from app.models import (
    ArmedParty,
    Incident,
    IncidentNarrative,
    IncidentVersion,
    IncidentViolation,
    Perpetrator,
    VerificationEvent,
    Victim,
    VictimConsent,
    VictimIdentity,
)
from app.models.base import utcnow
from app.models.enums import ConsentKind, VerificationStatus
from app.models.rollup import new_record_keys

# What a new incident has not yet, as its snapshot holds it.
NEW_INCIDENT_UNSET = dict.fromkeys(
    ("verified_on", "archived_at", "archive_reason", "duplicate_of_id", "duplicate_reason")
)
INITIAL_STATUS_NOTE = "Status recorded when the incident was entered."
# A consent decision's kind by its field's name, looked up rather than `ConsentKind(name)` (an
# enum call, in Python) for every decision of every victim.
CONSENT_KINDS = {kind.value: kind for kind in ConsentKind}
TABLES = (
    Incident,
    IncidentViolation,
    Victim,
    VictimConsent,
    VictimIdentity,
    IncidentNarrative,
    Perpetrator,
    VerificationEvent,
    IncidentVersion,
)


@dataclass(frozen=True)
class NewIncident:
    """A new incident checked but not yet written: its fields, its rows, and any problems."""

    fields: IncidentFields
    victims: children.ChildPlan
    perpetrators: children.ChildPlan
    problems: list[FieldProblem]


def check_incident(
    session: Session,
    data: IncidentCreate,
    parties: Mapping[uuid.UUID, ArmedParty] | None = None,
) -> NewIncident:
    """Every problem with a new incident, found without writing anything. `parties`: the armed
    parties a batch names, read once for all its incidents (`children.plan_perpetrators`)."""
    # An `IncidentCreate` is an `IncidentFields`, validated by the very same fields when it was
    # made (by the API, the form, or an import's row): its fields are checked as they are, where
    # dumping and validating them again only gave the same values back.
    fields: IncidentFields = data
    victims = children.plan_victims([], data.victims)
    perpetrators = children.plan_perpetrators(session, [], data.perpetrators, parties)
    problems = incident_problems(fields) + victims.problems + perpetrators.problems
    return NewIncident(fields, victims, perpetrators, problems)


@dataclass(frozen=True)
class IncidentToWrite:
    """A new incident, checked and free of problems; `external_reference` names it in the system
    it was imported from."""

    data: IncidentCreate
    checked: NewIncident
    external_reference: str | None = None


@dataclass
class Written:
    id: uuid.UUID
    reference: str


@dataclass
class _Rows:
    tables: dict[Any, list[dict[str, Any]]] = field(
        default_factory=lambda: {model: [] for model in TABLES}
    )


class NewIncidentWriter:
    """Writes new incidents for one principal: `write` any number of times, then `finish` once.

    `write_at_once` writes a create's or a batch's incidents with their references, the counters
    moved on once before the rows; an import, written in parts, calls `write` for each and gets
    provisional references, replaced in `finish` (its counters are held only from there to the
    commit).
    `action` is the version's action ("create", "import"); `audit_each` is False for an import,
    which is audited as one event for the file by its caller.
    """

    def __init__(
        self,
        session: Session,
        principal: Principal,
        cipher: FieldCipher,
        *,
        action: str = "create",
        audit_each: bool = True,
    ) -> None:
        self.session, self.principal, self.cipher = session, principal, cipher
        self.action, self.audit_each = action, audit_each
        # An import's writer thread (set by `BulkWriter`): each part's rows are handed to it as
        # COPY parts rather than written here.
        self.behind: CopyBehind | None = None
        self.token = uuid.uuid4().hex[:10]  # provisional references: "~<token><cc><year>-<n>"
        self.groups: Counter[tuple[str, int]] = Counter()
        # The incidents of each country and year awaiting their reference, so that `finish`
        # renumbers them by primary key, not by a LIKE that would read the whole table.
        self.awaiting: defaultdict[tuple[str, int], list[uuid.UUID]] = defaultdict(list)
        self.counts = rollup.NewCounts(principal.organisation_id)
        self.now = utcnow()
        self.created = 0
        self.identities = 0
        # (country, year) -> the prefix and the last number given, once `_reserve_references` ran.
        self.reserved: dict[tuple[str, int], tuple[str, int]] = {}

    def write_at_once(self, items: list["IncidentToWrite"]) -> list[Written]:
        """Write a create's or a batch's incidents, with their references, and finish."""
        self._reserve_references(items)
        written = self.write(items)
        self.finish()
        return written

    def _reserve_references(self, items: list["IncidentToWrite"]) -> None:
        """Move each country and year's counter on by the number of `items` it numbers, so that
        each is written with its reference. The counters are held from here to the commit, as
        the incidents are written at once, rather than numbered again by an UPDATE of every row."""
        wanted = Counter(
            (item.checked.fields.country, item.checked.fields.reported_on.year) for item in items
        )
        numbered = advance_counters(self.session, self.principal.organisation_id, wanted)
        self.reserved = {
            key: (prefix, last - wanted[key]) for key, (prefix, last) in numbered.items()
        }

    def write(self, items: list[IncidentToWrite]) -> list[Written]:
        rows = _Rows()
        written = [self._rows(item, rows.tables) for item in items]
        if self.behind is not None:
            connection = self.session.connection()
            parts = [
                copy_part(connection, model.__table__, table_rows)
                for model, table_rows in rows.tables.items()
                if table_rows
            ]
            self.behind.send(parts)
        else:
            for model, table_rows in rows.tables.items():
                insert_rows(self.session, model.__table__, table_rows)
        self.created += len(items)
        return written

    def finish(self) -> None:
        """References (when provisional), then the kept counts, once for every incident written."""
        self._issue_references()
        self.counts.write(self.session)

    def _rows(self, item: IncidentToWrite, tables: dict[Any, list[dict[str, Any]]]) -> Written:
        fields, by = item.checked.fields, self.principal.user_id
        victim_plans, perpetrator_plans = item.checked.victims.rows, item.checked.perpetrators.rows
        # The incident's id, then each victim's, then each perpetrator's.
        incident_id, *ids = new_ids(1 + len(victim_plans) + len(perpetrator_plans))
        child_ids = iter(ids)
        # The incident's record key, then each victim's.
        keys = new_record_keys(1 + len(victim_plans))
        victims = [
            {
                **plan,
                "id": next(child_ids),
                "incident_id": incident_id,
                "position": position,
                "record_key": keys[1 + position],
            }
            for position, (_, plan) in enumerate(victim_plans)
        ]
        perpetrators = [
            {**plan, "id": next(child_ids), "incident_id": incident_id, "position": position}
            for position, (_, plan) in enumerate(perpetrator_plans)
        ]
        consents = [
            self._consent_rows(victim["id"], sent)
            for victim, sent in zip(victims, item.data.victims, strict=True)
        ]
        # Each victim's decisions (kind: granted), made once for the counting rule, the audit
        # event and the snapshot.
        decisions = [{row["kind"].value: row["granted"] for row in given} for given in consents]
        sharing = [v for v, decided in zip(victims, decisions, strict=True) if _shares(decided)]
        incident = {
            **column_values(fields),
            "id": incident_id,
            "reference": self._reference(fields.country, fields.reported_on.year, incident_id),
            "external_reference": item.external_reference,
            "organisation_id": self.principal.organisation_id,
            "created_by_id": by,
            "created_at": self.now,
            "updated_at": self.now,
            "record_key": keys[0],
            "version": 1,
            "victim_count": len(victims),
            "shared_victim_count": len(sharing),
            "shared_victim_keys": sum(v["record_key"] for v in sharing),
        }
        tables[Incident].append(incident)
        tables[IncidentViolation] += [
            {"incident_id": incident_id, "violation": v} for v in fields.violations
        ]
        tables[Victim] += victims
        tables[Perpetrator] += perpetrators
        for given in consents:
            tables[VictimConsent] += given
        if self.audit_each:
            self._audit_create(item.data, incident_id)
        identified = self._identities(victims, item.data.victims, tables)
        if self.audit_each:
            self._audit_consent(victims, decisions)
        if item.data.summary:
            tables[IncidentNarrative].append(self._narrative(incident_id, item.data.summary))
        if fields.verification_status is not VerificationStatus.REPORTED:
            tables[VerificationEvent].append(self._initial_status(incident_id, fields))
        state = history.state_of(
            {**NEW_INCIDENT_UNSET, **incident},
            fields.violations,
            [
                (victim, decided, victim["record_key"])
                for victim, decided in zip(victims, decisions, strict=True)
            ],
            perpetrators,
            version=1,
            record_key=incident["record_key"],
        )
        self.counts.add(state)
        tables[IncidentVersion].append(
            self._first_version(incident_id, state, item.data.summary, identified)
        )
        return Written(incident_id, incident["reference"])

    def _reference(self, country: str, year: int, incident_id: uuid.UUID) -> str:
        if self.reserved:
            prefix, last = self.reserved[(country, year)]
            self.reserved[(country, year)] = prefix, last + 1
            return reference_text(prefix, last + 1)
        self.groups[(country, year)] += 1
        self.awaiting[(country, year)].append(incident_id)
        return f"~{self.token}{country}{year}-{self.groups[(country, year)]}"

    def _consent_rows(self, victim_id: uuid.UUID, sent: VictimCreate) -> list[dict[str, Any]]:
        """The decisions given (a kind left out or sent as null was not asked)."""
        if sent.consent is None:
            return []
        return [
            {
                "victim_id": victim_id,
                "kind": CONSENT_KINDS[name],
                "granted": granted,
                "recorded_by_id": self.principal.user_id,
                "recorded_at": self.now,
            }
            for name in sorted(sent.consent.model_fields_set)
            if (granted := getattr(sent.consent, name)) is not None
        ]

    def _identities(
        self,
        victims: list[dict[str, Any]],
        sent: list[VictimCreate],
        tables: dict[Any, list[dict[str, Any]]],
    ) -> bool:
        """Encrypt the identifying details given with each victim; True if any were."""
        identified = False
        for victim, item in zip(victims, sent, strict=True):
            details = item.identity.model_dump(exclude_none=True) if item.identity else {}
            if not details:
                continue
            tables[VictimIdentity].append(
                {
                    "victim_id": victim["id"],
                    "ciphertext": self.cipher.encrypt_json(details),
                    "updated_at": self.now,
                    "updated_by_id": self.principal.user_id,
                }
            )
            if self.audit_each:
                self._audit("identity.update", "victim", victim["id"], sorted(details))
            self.identities += 1
            identified = True
        return identified

    def _narrative(self, incident_id: uuid.UUID, summary: str) -> dict[str, Any]:
        if self.audit_each:
            self._audit("identity.update", "incident", incident_id, ["summary"])
        return {
            "incident_id": incident_id,
            "ciphertext": self.cipher.encrypt_json({"summary": summary}),
            "updated_at": self.now,
        }

    def _initial_status(self, incident_id: uuid.UUID, fields: Any) -> dict[str, Any]:
        """An incident entered already past `reported` keeps that as a decision of its own."""
        if not self.principal.can(Permission.INCIDENT_VERIFY):
            raise ForbiddenError(Permission.INCIDENT_VERIFY)
        return {
            "id": uuid.uuid4(),
            "incident_id": incident_id,
            "from_status": None,
            "to_status": fields.verification_status,
            "standard": None,
            "sources": [],
            "note": INITIAL_STATUS_NOTE,
            "decided_at": self.now,
            "decided_by_id": self.principal.user_id,
        }

    def _first_version(
        self, incident_id: uuid.UUID, state: dict[str, Any], summary: str | None, identified: bool
    ) -> dict[str, Any]:
        changes = history.first_changes(state)
        if summary:
            changes["summary"] = {"changed": True}
        if identified:
            changes["victims.identity"] = {"changed": True}
        return {
            "incident_id": incident_id,
            "version": 1,
            "action": self.action,
            "changed_at": self.now,
            "changed_by_id": self.principal.user_id,
            "changed_by_username": self.principal.username,
            "changes": changes,
        }

    def _audit_create(self, data: IncidentCreate, incident_id: uuid.UUID) -> None:
        self._audit("incident.create", "incident", incident_id, sorted(data.model_fields_set))

    def _audit_consent(
        self, victims: list[dict[str, Any]], decisions: list[dict[str, bool]]
    ) -> None:
        for victim, decided in zip(victims, decisions, strict=True):
            if decided:
                self._audit("consent.update", "victim", victim["id"], sorted(decided), decided)

    def _audit(
        self,
        action: str,
        record_type: str,
        record_id: uuid.UUID,
        fields: list[str],
        details: dict[str, Any] | None = None,
    ) -> None:
        record(
            self.session,
            action,
            actor=self.principal,
            record_type=record_type,
            record_id=record_id,
            fields=fields,
            details=details,
        )

    def _issue_references(self) -> None:
        """Replace the provisional references, numbering each country and year's incidents in
        the order written."""
        if self.groups:
            number_provisional(
                self.session, self.principal.organisation_id, self.token, self.awaiting
            )


def _shares(decided: dict[str, bool]) -> bool:
    """The counting rule, over the decisions as a snapshot holds them."""
    return shares_statistics({"consent": decided})

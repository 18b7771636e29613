"""The annex records of a party (listings, commitments, sanctions) and the pattern rule: each
belongs to the organisation that recorded it, like an incident, and another organisation's
answers as one that does not exist (NotFoundError).

Why per organisation rather than shared like the party registry: these records are an
organisation's own working file for its annex discussion. The share of a commitment's activities
implemented is an assessment; which reports and sanctions regimes an organisation follows, and
its notes, are its own; and an organisation's audit trail shows only its own members' changes,
so a shared record changed by another organisation would change its dossier without its trail
saying so. The party itself stays shared: incidents of every organisation name the same party.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.armed_parties.service import get_armed_party
from app.audit.service import add_recorded, record
from app.core.auth import Principal
from app.core.domain_errors import FieldProblem, InvalidFieldsError, NotFoundError
from app.core.versioning import based_on
from app.models import ArmedParty, PartyCommitment, PartyListing, PartySanction, PatternRule
from app.models.base import utcnow
from app.models.party_dossier import PartyRecord
from app.party_dossiers.schemas import PatternRuleRead, PatternRuleSet

# Without a rule of its own, an organisation gets the one most often quoted: verified incidents
# in at least two of the last three years.
DEFAULT_RULE = (1, 2, 3)


@dataclass(frozen=True)
class RecordKind:
    """One kind of annex record, as the routes, the pages and the audit trail name it."""

    path: str  # in URLs: /armed-parties/{party_id}/listings
    record_type: str  # in the audit trail: party_listing.create
    label: str  # in error messages
    model: type[PartyRecord]
    required: frozenset[str]  # fields a PATCH may not empty
    newest_first: tuple[str, ...]  # columns the dossier orders them by, newest first


LISTINGS = RecordKind(
    "listings",
    "party_listing",
    "Listing",
    PartyListing,
    frozenset({"report_reference", "report_year", "section"}),
    ("report_year", "created_at"),
)
COMMITMENTS = RecordKind(
    "commitments",
    "party_commitment",
    "Commitment",
    PartyCommitment,
    frozenset({"kind", "made_on", "text_reference"}),
    ("made_on", "created_at"),
)
SANCTIONS = RecordKind(
    "sanctions",
    "party_sanction",
    "Sanction",
    PartySanction,
    frozenset({"regime", "listed_on", "reference"}),
    ("listed_on", "created_at"),
)
RECORD_KINDS = {kind.path: kind for kind in (LISTINGS, COMMITMENTS, SANCTIONS)}


def create_record(
    session: Session, kind: RecordKind, party: ArmedParty, data: BaseModel, actor: Principal
) -> PartyRecord:
    values = data.model_dump()
    _check_dates(kind, values)
    row = kind.model(**values, organisation_id=actor.organisation_id, armed_party_id=party.id)
    add_recorded(session, row, kind.record_type, actor=actor, fields=data.model_fields_set)
    return row


def get_record(
    session: Session, kind: RecordKind, party_id: uuid.UUID, record_id: uuid.UUID, reader: Principal
) -> PartyRecord:
    """The record, if it is of this party and of the reader's organisation (else NotFoundError)."""
    row = session.get(kind.model, record_id)
    if row is None or row.armed_party_id != party_id:
        raise NotFoundError(kind.label)
    if row.organisation_id != reader.organisation_id:
        raise NotFoundError(kind.label)
    return row


def update_record(
    session: Session, kind: RecordKind, row: PartyRecord, data: BaseModel, actor: Principal
) -> PartyRecord:
    sent = data.model_dump(exclude_unset=True, exclude={"version"})
    emptied = [name for name in sorted(sent) if sent[name] is None and name in kind.required]
    if emptied:
        raise InvalidFieldsError(
            [FieldProblem(("body", name), "must not be empty", "missing") for name in emptied]
        )
    _check_dates(kind, {**_values(row), **sent})
    changed = sorted(name for name, value in sent.items() if getattr(row, name) != value)
    if not changed:
        return row
    for name in changed:
        setattr(row, name, sent[name])
    row.updated_at = utcnow()
    session.flush()
    record(
        session,
        f"{kind.record_type}.update",
        actor=actor,
        record_type=kind.record_type,
        record_id=row.id,
        fields=changed,
        details={"version": row.version},
    )
    return row


def delete_record(session: Session, kind: RecordKind, row: PartyRecord, actor: Principal) -> None:
    record(
        session,
        f"{kind.record_type}.delete",
        actor=actor,
        record_type=kind.record_type,
        record_id=row.id,
        details={"version": row.version},
    )
    session.delete(row)
    session.flush()


def party_records(
    session: Session, kind: RecordKind, party_id: uuid.UUID, reader: Principal
) -> list[Any]:
    """The reader's organisation's records of this kind about the party, newest first."""
    model = kind.model
    order = [getattr(model, name).desc() for name in kind.newest_first]
    statement = select(model).where(
        model.armed_party_id == party_id, model.organisation_id == reader.organisation_id
    )
    return list(session.scalars(statement.order_by(*order)))


def _values(row: PartyRecord) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def _check_dates(kind: RecordKind, values: dict[str, Any]) -> None:
    """Dates in their order: a delisting after the listing, an assessment after the promise."""
    problem = None
    if kind is SANCTIONS:
        if values.get("delisted_on") and values["delisted_on"] < values["listed_on"]:
            problem = FieldProblem(("body", "delisted_on"), "must not be before listed_on")
    elif kind is COMMITMENTS:
        if values.get("assessed_on") and values["assessed_on"] < values["made_on"]:
            problem = FieldProblem(("body", "assessed_on"), "must not be before made_on")
    elif values.get("delisted_on") and values["delisted_on"] < date(values["report_year"], 1, 1):
        problem = FieldProblem(
            ("body", "delisted_on"), "must not be before the year the report covers (report_year)"
        )
    if problem is not None:
        raise InvalidFieldsError([problem])


# The pattern rule ------------------------------------------------------------------------------


def stored_rule(session: Session, organisation_id: uuid.UUID) -> PatternRule | None:
    return session.scalar(select(PatternRule).where(PatternRule.organisation_id == organisation_id))


def rule_read(rule: PatternRule | None) -> PatternRuleRead:
    minimum, required, window = (
        DEFAULT_RULE
        if rule is None
        else (rule.min_incidents_per_year, rule.years_required, rule.window_years)
    )
    return PatternRuleRead(
        min_incidents_per_year=minimum,
        years_required=required,
        window_years=window,
        is_default=rule is None,
        version=None if rule is None else rule.version,
        meaning=f"At least {minimum} verified incident(s) a year in at least {required} of "
        f"the last {window} year(s), the year asked about included.",
    )


def set_rule(
    session: Session,
    data: PatternRuleSet,
    actor: Principal,
    if_match: str | None,
) -> PatternRule:
    """Set the organisation's rule; changing one already set names the version it is based on."""
    values = data.model_dump(exclude={"version"})
    rule = stored_rule(session, actor.organisation_id)
    if rule is None:
        rule = PatternRule(organisation_id=actor.organisation_id, **values)
        add_recorded(session, rule, "pattern_rule", actor=actor, fields=sorted(values))
        return rule
    based_on(if_match, data.version, "record").refuse_if_stale(rule.version)
    changed = sorted(name for name, value in values.items() if getattr(rule, name) != value)
    if changed:
        for name in changed:
            setattr(rule, name, values[name])
        rule.updated_at = utcnow()
        session.flush()
        record(
            session,
            "pattern_rule.update",
            actor=actor,
            record_type="pattern_rule",
            record_id=rule.id,
            fields=changed,
            details={"version": rule.version},
        )
    return rule


def party_for_records(session: Session, party_id: uuid.UUID) -> ArmedParty:
    return get_armed_party(session, party_id)

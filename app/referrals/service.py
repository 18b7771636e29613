"""Referrals of a victim to a service: the consent gate, the status table, follow-ups with
encrypted notes, and who sees what.

The referring organisation owns a referral: it alone sees the survivor (the incident and victim
it hangs off) and the notes, and each read of the notes is audited. The organisation that runs
the service point referred to sees the referral de-identified (its code, the service asked for,
dates, status) and may move its status. Anyone else is told it does not exist.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from app.audit.change import RecordChange
from app.audit.service import record
from app.core.auth import Principal
from app.core.crypto import FieldCipher
from app.core.domain_errors import ConflictError, FieldProblem, InvalidFieldsError, NotFoundError
from app.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from app.core.permissions import Permission
from app.incidents.rules import latest_allowed_date, period_start
from app.incidents.service import ensure_not_archived
from app.models import Incident, Victim
from app.models.enums import ConsentKind
from app.models.referral import Referral, ReferralEvent, ServicePoint
from app.referrals import transitions
from app.referrals.schemas import ReferralCreate, ReferralUpdate

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


class ConsentMissingError(ConflictError):
    def __init__(self) -> None:
        super().__init__(
            "The survivor has not consented to referral (consent `referral`): record their "
            "consent before referring them",
            [FieldProblem(("consent", "referral"), "consent to referral is required", "consent")],
        )


@dataclass(frozen=True)
class Access:
    """A referral as the caller may see it: as its owner, or as the service point's side."""

    referral: Referral
    owner: bool


def new_code() -> str:
    return "RF-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def check_consent(victim: Victim) -> None:
    decision = victim.consent.get(ConsentKind.REFERRAL)
    if decision is None or not decision.granted:
        raise ConsentMissingError()


def _day_problems(
    name: str, day: date | None, not_before: date, before_what: str
) -> list[FieldProblem]:
    if day is None:
        return []
    if day > latest_allowed_date():
        return [FieldProblem(("body", name), "must not be in the future")]
    if day < not_before:
        return [FieldProblem(("body", name), f"must not be before {before_what}")]
    return []


def _point_problems(session: Session, data: ReferralCreate) -> list[FieldProblem]:
    if (data.service_point_id is None) == (data.outside_name is None):
        return [
            FieldProblem(
                ("body", "service_point_id"),
                "give either a service point of the directory or `outside_name`",
            )
        ]
    if data.service_point_id is None:
        return []
    point = session.get(ServicePoint, data.service_point_id)
    if point is None:
        return [FieldProblem(("body", "service_point_id"), "no such service point")]
    if not point.operating:
        return [FieldProblem(("body", "service_point_id"), "the service point is not operating")]
    if data.service_kind not in point.kinds:
        return [FieldProblem(("body", "service_kind"), "the service point does not offer it")]
    return []


def create_referral(
    session: Session,
    cipher: FieldCipher,
    incident: Incident,
    victim: Victim,
    data: ReferralCreate,
    principal: Principal,
) -> Referral:
    ensure_not_archived(incident)
    check_consent(victim)
    incident_start = period_start(incident.occurred_on, incident.date_precision)
    problems = _point_problems(session, data)
    problems += _day_problems("referred_on", data.referred_on, incident_start, "the incident")
    if data.next_follow_up_on is not None and data.next_follow_up_on < data.referred_on:
        problems.append(
            FieldProblem(("body", "next_follow_up_on"), "must not be before referred_on")
        )
    if problems:
        raise InvalidFieldsError(problems)
    referral = Referral(
        code=new_code(),
        victim_id=victim.id,
        incident_id=incident.id,
        organisation_id=principal.organisation_id,
        service_kind=data.service_kind,
        service_point_id=data.service_point_id,
        outside_name=data.outside_name,
        referred_on=data.referred_on,
        referred_by_id=principal.user_id,
        status=transitions.FIRST_STATUS,
        status_on=data.referred_on,
        next_follow_up_on=data.next_follow_up_on,
    )
    session.add(referral)
    session.flush()
    referral.events.append(
        ReferralEvent(
            version=referral.version,
            to_status=referral.status,
            status_on=referral.status_on,
            next_follow_up_on=data.next_follow_up_on,
            note_ciphertext=_encrypted(cipher, data.note),
            changed_by_id=principal.user_id,
        )
    )
    session.flush()
    fields = sorted(data.model_fields_set - {"note"}) + (["note"] if data.note else [])
    record(
        session,
        "referral.create",
        actor=principal,
        record_type="referral",
        record_id=referral.id,
        fields=fields,
        details={"victim_id": str(victim.id), "service_kind": data.service_kind.value},
    )
    return referral


def _encrypted(cipher: FieldCipher, note: str | None) -> bytes | None:
    return cipher.encrypt_json({"note": note}) if note else None


def get_access(session: Session, referral_id: uuid.UUID, principal: Principal) -> Access:
    """The referral for its owner or the service point's organisation; NotFoundError for
    anyone else."""
    received = select(ServicePoint.id).where(
        ServicePoint.organisation_id == principal.organisation_id
    )
    query = select(Referral).where(
        Referral.id == referral_id,
        or_(
            Referral.organisation_id == principal.organisation_id,
            Referral.service_point_id.in_(received),
        ),
    )
    referral = session.scalar(query)
    if referral is None:
        raise NotFoundError("Referral")
    return Access(referral, owner=referral.organisation_id == principal.organisation_id)


def get_received(session: Session, referral_id: uuid.UUID, principal: Principal) -> Access:
    """A referral made to one of the caller's organisation's service points, as that point's
    side sees it (whoever made it); NotFoundError for any other."""
    points = select(ServicePoint.id).where(
        ServicePoint.organisation_id == principal.organisation_id
    )
    query = select(Referral).where(
        Referral.id == referral_id, Referral.service_point_id.in_(points)
    )
    referral = session.scalar(query)
    if referral is None:
        raise NotFoundError("Referral")
    return Access(referral, owner=False)


def victim_referrals(session: Session, victim: Victim) -> list[Referral]:
    query = (
        select(Referral)
        .where(Referral.victim_id == victim.id)
        .order_by(Referral.referred_on.desc(), Referral.created_at.desc())
    )
    return list(session.scalars(query))


def received_referrals(
    session: Session, principal: Principal, limit: int, cursor: str | None = None
) -> tuple[list[Referral], str | None]:
    """A page of the referrals made to the caller's organisation's service points, newest
    first, and the cursor of the next page (None at the end)."""
    points = select(ServicePoint.id).where(
        ServicePoint.organisation_id == principal.organisation_id
    )
    query = select(Referral).where(Referral.service_point_id.in_(points))
    if cursor is not None:
        query = query.where(tuple_(Referral.referred_on, Referral.id) < _received_position(cursor))
    ordered = query.order_by(Referral.referred_on.desc(), Referral.id.desc()).limit(limit + 1)
    referrals = list(session.scalars(ordered))
    if len(referrals) <= limit:
        return referrals, None
    last = referrals[limit - 1]
    return referrals[:limit], encode_cursor(last.referred_on.isoformat(), last.id)


def _received_position(cursor: str) -> tuple[date, uuid.UUID]:
    referred_on, referral_id = decode_cursor(cursor, 2)
    try:
        return date.fromisoformat(referred_on), uuid.UUID(referral_id)
    except ValueError:
        raise invalid_cursor() from None


def _update_problems(
    referral: Referral, data: ReferralUpdate, by_service_point: bool
) -> list[FieldProblem]:
    sent = data.model_fields_set - {"version"}
    problems: list[FieldProblem] = []
    if not sent:
        return [FieldProblem(("body",), "send a status, a follow-up or a note")]
    if by_service_point:
        problems += [
            FieldProblem(("body", name), "only the referring organisation records this")
            for name in sorted(sent & {"followed_up_on", "next_follow_up_on", "note"})
        ]
    if data.status_on is not None and data.status is None:
        problems.append(FieldProblem(("body", "status"), "is required with status_on"))
    problems += _day_problems("status_on", data.status_on, referral.referred_on, "referred_on")
    problems += _day_problems(
        "followed_up_on", data.followed_up_on, referral.referred_on, "referred_on"
    )
    if data.next_follow_up_on is not None and data.next_follow_up_on < referral.referred_on:
        problems.append(
            FieldProblem(("body", "next_follow_up_on"), "must not be before referred_on")
        )
    return problems


def update_referral(
    session: Session, cipher: FieldCipher, access: Access, data: ReferralUpdate, who: Principal
) -> Referral:
    """Move the status along the table and/or record a follow-up, as one numbered version."""
    referral, by_service_point = access.referral, not access.owner
    problems = _update_problems(referral, data, by_service_point)
    if problems:
        raise InvalidFieldsError(problems)
    from_status = referral.status
    change = ReferralChange(session, referral, who, "update")
    if data.status is not None:
        transitions.check_move(referral.status, data.status, by_service_point)
        status_on = data.status_on or latest_allowed_date()
        if status_on < referral.status_on:
            raise InvalidFieldsError(
                [FieldProblem(("body", "status_on"), "must not be before the current status's")]
            )
        referral.status, referral.status_on = data.status, status_on
    if "next_follow_up_on" in data.model_fields_set:
        referral.next_follow_up_on = data.next_follow_up_on
    # A version of its own even for a follow-up alone.
    change.event = {
        "from_status": from_status if data.status else None,
        "to_status": data.status,
        "status_on": referral.status_on if data.status else None,
        "followed_up_on": data.followed_up_on,
        "next_follow_up_on": data.next_follow_up_on,
        "note_ciphertext": _encrypted(cipher, data.note),
        "by_service_point": by_service_point,
    }
    change.finish(
        sorted(data.model_fields_set - {"version"}),
        details={"from": from_status.value, "to": referral.status.value},
    )
    return referral


class ReferralChange(RecordChange):
    """A referral's status move or follow-up: its history is its numbered events."""

    record_type = "referral"
    event: dict[str, Any]

    def keep_history(self) -> None:
        self.versioned.events.append(
            ReferralEvent(
                version=self.versioned.version,
                changed_by_id=self.principal.user_id,
                **self.event,
            )
        )
        self.session.flush()


def read_notes(
    session: Session, cipher: FieldCipher, referral: Referral, principal: Principal
) -> dict[int, str]:
    """The notes of each version that has one, for the owner; the read is audited.

    Notes may hold what identifies the survivor, as the incident's summary may: like it, they
    are read only with the identity permission, which an organisation requiring a second factor
    withholds until one is enrolled. Without it the history comes without notes.
    """
    if not principal.can(Permission.IDENTITY_READ):
        return {}
    notes = {
        event.version: str(cipher.decrypt_json(event.note_ciphertext)["note"])
        for event in referral.events
        if event.note_ciphertext is not None
    }
    if notes:
        record(
            session,
            "referral.read",
            actor=principal,
            record_type="referral",
            record_id=referral.id,
            fields=["notes"],
        )
    return notes

"""Survivor identifying details, incident narratives and consent: written encrypted, read audited.

Nothing here flushes: the change is written with the rest of its transaction.

Nothing here logs, returns in an error, or puts into an audit event any identifying value; the
audit trail records which fields were written or read, by whom, never what they hold.
"""

import hashlib
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import Principal
from app.core.crypto import FieldCipher
from app.core.db import lock_for_change
from app.core.domain_errors import (
    ConflictError,
    PreconditionFailedError,
    PreconditionRequiredError,
)
from app.core.i18n import N_
from app.identity.schemas import ConsentIn, IdentityIn
from app.models import Incident, IncidentNarrative, Victim, VictimConsent, VictimIdentity
from app.models.base import utcnow
from app.models.enums import ConsentKind


class VictimDetails(Protocol):
    """What a victim sent with an incident says of identity and consent (a VictimCreate)."""

    @property
    def identity(self) -> IdentityIn | None: ...

    @property
    def consent(self) -> ConsentIn | None: ...

    @property
    def model_fields_set(self) -> set[str]: ...


def set_identity(
    session: Session,
    cipher: FieldCipher,
    victim: Victim,
    details: IdentityIn | None,
    principal: Principal,
) -> bool:
    """Replace the victim's identifying details (None or all-empty erases them)."""
    filled = sorted(details.model_dump(exclude_none=True)) if details else []
    if not filled:
        if victim.identity is None:
            return False
        victim.identity = None
        record(
            session, "identity.erase", actor=principal, record_type="victim", record_id=victim.id
        )
        return True
    ciphertext = cipher.encrypt_json(details.model_dump(exclude_none=True))  # type: ignore[union-attr]
    if victim.identity is None:
        victim.identity = VictimIdentity(ciphertext=ciphertext, updated_by_id=principal.user_id)
    else:
        victim.identity.ciphertext = ciphertext
        victim.identity.updated_by_id = principal.user_id
    record(
        session,
        "identity.update",
        actor=principal,
        record_type="victim",
        record_id=victim.id,
        fields=filled,
    )
    return True


class IdentityChangedError(ConflictError):
    """The details on file are no longer those the form was shown."""


class IdentityTagRequiredError(PreconditionRequiredError):
    """A replacement of details through the API that did not say which it replaces."""


class IdentityTagStaleError(PreconditionFailedError):
    """A replacement through the API based on details no longer on file."""


NO_DETAILS = "none"  # the ETag's text when no details are on file
IDENTITY_TAG_REQUIRED = (
    "Send If-Match with the ETag of the identifying details (GET .../identity), so that no "
    'save overwrites another adviser\'s unseen; "none" when there are none yet.'
)
IDENTITY_TAG_STALE = (
    "These identifying details were changed since the ETag sent: read them again and send "
    "your change with their new ETag."
)


def identity_stamp(victim: Victim) -> str:
    """What a form was shown of the victim's details on file: a digest of their ciphertext,
    new at each save (encryption is never the same twice), "" when there are none. It says
    nothing of the details themselves."""
    if victim.identity is None:
        return ""
    return hashlib.sha256(victim.identity.ciphertext).hexdigest()[:32]


def identity_etag(victim: Victim) -> str:
    """The API's ETag of the victim's details: their stamp, or `"none"` when there are none."""
    return f'"{identity_stamp(victim) or NO_DETAILS}"'


def refuse_unless_matched(session: Session, victim: Victim, if_match: str | None) -> None:
    """The API's guard on replacing details: If-Match must name those on file (`identity_etag`),
    so that a save based on details another adviser has since changed is refused (412), not
    written over theirs; without it, 428."""
    tag = _entity_tag(if_match or "")
    if tag is None:
        raise IdentityTagRequiredError(IDENTITY_TAG_REQUIRED)
    try:
        refuse_if_changed(session, victim, "" if tag == NO_DETAILS else tag)
    except IdentityChangedError:
        raise IdentityTagStaleError(IDENTITY_TAG_STALE) from None


def _entity_tag(if_match: str) -> str | None:
    """The tag If-Match names: `"tag"`, or `tag` bare; None when it names none (empty). A weak
    tag (`W/"tag"`) never matches, as RFC 9110 has it for If-Match: it names no tag here."""
    value = if_match.strip()
    if not value:
        return None
    if value.startswith("W/"):
        return "W/"  # never a stamp
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def refuse_if_changed(session: Session, victim: Victim, shown: str) -> None:
    """Refuse to replace details that changed since the form that sends the new ones was shown
    (`shown`, its `identity_stamp`): the victim's row is locked first, to the end of the
    transaction, so that of two saves based on the same details the second is refused, not
    written over the first (FOR NO KEY UPDATE: referrals and other rows naming the victim do
    not wait on it)."""
    lock_for_change(session, select(Victim.id).where(Victim.id == victim.id))
    session.refresh(victim, ["identity"])
    if identity_stamp(victim) != shown:
        raise IdentityChangedError(N_("These identifying details were changed meanwhile"))


def read_identity(
    session: Session, cipher: FieldCipher, victim: Victim, principal: Principal
) -> IdentityIn:
    details = (
        IdentityIn()
        if victim.identity is None
        else IdentityIn.model_validate(cipher.decrypt_json(victim.identity.ciphertext))
    )
    record(
        session,
        "identity.read",
        actor=principal,
        record_type="victim",
        record_id=victim.id,
        fields=sorted(details.model_dump(exclude_none=True)),
    )
    return details


def set_consent(
    session: Session, victim: Victim, consent: ConsentIn, principal: Principal
) -> list[str]:
    """Apply the decisions sent; the kinds whose decision changed."""
    current = victim.consent
    changed: dict[str, bool | None] = {}
    for name in sorted(consent.model_fields_set):
        kind, granted = ConsentKind(name), getattr(consent, name)
        row = current.get(kind)
        if granted is None and row is not None:
            victim.consent_rows.remove(row)
        elif granted is not None and row is None:
            victim.consent_rows.append(
                VictimConsent(kind=kind, granted=granted, recorded_by_id=principal.user_id)
            )
        elif granted is not None and row is not None and row.granted != granted:
            row.granted, row.recorded_by_id, row.recorded_at = granted, principal.user_id, utcnow()
        else:
            continue
        changed[kind.value] = granted
    if changed:
        record(
            session,
            "consent.update",
            actor=principal,
            record_type="victim",
            record_id=victim.id,
            fields=sorted(changed),
            details=changed,
        )
    return sorted(changed)


def apply_victim_details(
    session: Session,
    cipher: FieldCipher,
    victims: Sequence[Victim],
    items: Sequence[VictimDetails],
    principal: Principal,
) -> set[str]:
    """Identity and consent sent with each victim (same order); which of the two changed."""
    changed: set[str] = set()
    for victim, item in zip(victims, items, strict=True):
        if "identity" in item.model_fields_set and set_identity(
            session, cipher, victim, item.identity, principal
        ):
            changed.add("identity")
        if item.consent is not None and set_consent(session, victim, item.consent, principal):
            changed.add("consent")
    return changed


def set_narrative(
    session: Session,
    cipher: FieldCipher,
    incident: Incident,
    text: str | None,
    principal: Principal,
) -> bool:
    current = incident.narrative
    if current is not None and cipher.decrypt_json(current.ciphertext)["summary"] == text:
        return False
    if not text:
        if current is None:
            return False
        incident.narrative = None
    elif current is None:
        incident.narrative = IncidentNarrative(ciphertext=cipher.encrypt_json({"summary": text}))
    else:
        current.ciphertext = cipher.encrypt_json({"summary": text})
    record(
        session,
        "identity.update",
        actor=principal,
        record_type="incident",
        record_id=incident.id,
        fields=["summary"],
    )
    return True


def read_narrative(
    session: Session, cipher: FieldCipher, incident: Incident, principal: Principal
) -> str | None:
    if incident.narrative is None:
        return None
    record(
        session,
        "identity.read",
        actor=principal,
        record_type="incident",
        record_id=incident.id,
        fields=["summary"],
    )
    return str(cipher.decrypt_json(incident.narrative.ciphertext)["summary"])

"""The audit chain's links: keyed hashes, verification, and heads to keep outside the database.

Each event's `hash` is an HMAC-SHA256, under a key that lives outside the database (see
`app.core.crypto.load_audit_key`), of its content and the hash of the event before it. Someone
who can write to the database but does not hold the key cannot alter an event and rehash the
rest. Deleting the newest events leaves a shorter chain that is still valid: only a head kept
elsewhere (`crsv-registry audit head`, then `audit verify --against FILE`) shows that.

Chains written before the key existed were plain SHA-256. Those events stay as they were: the
first keyed event's HMAC covers the last plain hash, so changing any of them breaks that link.
A plain event after a keyed one, or a chain with no keyed event at all, is refused.
"""

import codecs
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent, AuditHead, Incident, User
from app.models.base import utcnow

GENESIS_HASH = "0" * 64
HEAD_ID = 1


def _canonical(content: dict[str, Any]) -> bytes:
    """The content as compact ASCII JSON with sorted keys: what every hash covers.

    These are the bytes `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=True)`
    gives, which every event already in a chain was hashed over. orjson writes the same bytes
    several times faster once its two differences are undone (characters beyond ASCII, and
    DEL, written as themselves where `json` escapes them). Content holding anything but
    strings, integers, booleans, None, lists and dicts keyed by strings goes to `json` itself
    (floats, which the two write differently: `1e-05` against `0.00001`; values `json` refuses
    and orjson would write), as does anything orjson refuses (integers beyond 64 bits).
    tests/audit/test_canonical_json.py holds the two equal."""
    if not _orjson_writes_alike(content):
        return _json_canonical(content)
    try:
        text = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return _json_canonical(content)
    if not text.isascii():
        text = text.decode().encode("ascii", _ESCAPE_AS_JSON)
    return text.replace(b"\x7f", b"\\u007f") if b"\x7f" in text else text


def _json_canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _orjson_writes_alike(value: Any) -> bool:
    """Only JSON's own values but floats: orjson's bytes can then be made `json`'s.

    Types compared exactly first (a set lookup) as most values are plain; str and int
    subclasses (enums) are looked at last."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            if type(item) not in _PLAIN and not _orjson_writes_alike(item):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:
            if type(item) not in _PLAIN and not _orjson_writes_alike(item):
                return False
        return True
    return isinstance(value, str | int)  # booleans, and str or int enums


_PLAIN = frozenset((str, int, bool, type(None)))


def _escape_as_json(error: UnicodeError) -> tuple[str, int]:
    """As `json` escapes what is beyond ASCII: `\\u` and four lowercase hex digits, a
    surrogate pair beyond the Basic Multilingual Plane."""
    assert isinstance(error, UnicodeEncodeError)
    escaped = []
    for character in error.object[error.start : error.end]:
        code = ord(character)
        if code > 0xFFFF:
            code -= 0x10000
            escaped.append(f"\\u{0xD800 | code >> 10:04x}\\u{0xDC00 | code & 0x3FF:04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), error.end


_ESCAPE_AS_JSON = "crsv-registry-json-ascii"
codecs.register_error(_ESCAPE_AS_JSON, _escape_as_json)


# What each event's hash covers, the hash of the event before it included.
CONTENT_NAMES = (
    "at",
    "actor_user_id",
    "actor_username",
    "actor_organisation_id",
    "action",
    "record_type",
    "record_id",
    "fields",
    "details",
    "prev_hash",
)


def _event_content(event: AuditEvent) -> dict[str, Any]:
    return _row_content({name: getattr(event, name) for name in CONTENT_NAMES})


def _row_content(row: Mapping[str, Any]) -> dict[str, Any]:
    """The content of the event a row of `audit_events` is (or becomes), as hashed."""
    user, organisation = row["actor_user_id"], row["actor_organisation_id"]
    return {
        "at": row["at"].isoformat(),
        "actor_user_id": None if user is None else _id_text(user),
        "actor_username": row["actor_username"],
        "actor_organisation_id": None if organisation is None else _id_text(organisation),
        "action": row["action"],
        "record_type": row["record_type"],
        "record_id": row["record_id"],
        "fields": list(row["fields"]),
        "details": row["details"],
        "prev_hash": row["prev_hash"],
    }


@lru_cache(maxsize=256)
def _id_text(value: object) -> str:
    """An actor's id as text: the same few ids for a whole transaction's events (a batch's
    thousands), and writing a UUID as text is most of the cost of an event's content."""
    return str(value)


def event_hash(key: bytes, event: AuditEvent) -> str:
    """The keyed link: HMAC-SHA256 of the event's content, previous hash included."""
    return _keyed_hash(key, _event_content(event))


def row_hash(key: bytes, row: Mapping[str, Any]) -> str:
    """`event_hash` of the event a row becomes, read from the row: sealing a batch's thousands
    of events builds no object for each only to read it back."""
    return _keyed_hash(key, _row_content(row))


def _keyed_hash(key: bytes, content: dict[str, Any]) -> str:
    return hmac.digest(key, b"event:" + _canonical(content), "sha256").hex()


def plain_event_hash(event: AuditEvent) -> str:
    """The link as written before the chain was keyed (SHA-256, no key)."""
    return hashlib.sha256(_canonical(_event_content(event))).hexdigest()


def is_keyed(key: bytes, event: AuditEvent) -> bool:
    return hmac.compare_digest(event_hash(key, event), event.hash)


@dataclass(frozen=True)
class SignedHead:
    """The end of the chain at one moment, signed with the audit key, to keep elsewhere."""

    event_id: int
    events: int  # how many events the chain held, that one included
    hash: str
    at: datetime
    hmac: str = ""

    def content(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "events": self.events,
            "hash": self.hash,
            "at": self.at.isoformat(),
        }

    def signed(self, key: bytes) -> "SignedHead":
        signature = hmac.new(key, b"head:" + _canonical(self.content()), hashlib.sha256)
        return SignedHead(self.event_id, self.events, self.hash, self.at, signature.hexdigest())

    def is_signed_by(self, key: bytes) -> bool:
        return hmac.compare_digest(self.signed(key).hmac, self.hmac)

    def to_json(self) -> str:
        return json.dumps({**self.content(), "hmac": self.hmac}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "SignedHead":
        """Raises ValueError if the text is not a head written by `to_json`."""
        try:
            data = json.loads(text)
            return cls(
                event_id=int(data["event_id"]),
                events=int(data["events"]),
                hash=str(data["hash"]),
                at=datetime.fromisoformat(data["at"]),
                hmac=str(data["hmac"]),
            )
        except (KeyError, TypeError, ValueError, OverflowError) as error:  # JSONDecodeError too
            raise ValueError(f"not a signed audit head: {error}") from None


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    broken_at: int | None = None  # id of the first event whose link fails
    reason: str | None = None
    head: SignedHead | None = None  # the last event, when the chain holds

    @property
    def intact(self) -> bool:
        return self.broken_at is None and self.reason is None


def _holds_audited_records(session: Session) -> bool:
    """Whether anything is stored whose creation wrote an event (an empty trail then lies)."""
    return any(session.scalar(select(model.id).limit(1)) is not None for model in (User, Incident))


def verify_chain(
    session: Session, key: bytes, against: SignedHead | None = None, batch_size: int = 5000
) -> ChainReport:
    """Walk the whole chain in order and report the first link that does not hold.

    With `against`, a head signed earlier: the event it names must still be there, with the
    same hash at the same position, so nothing up to it changed and the chain reaches it.
    """
    if against is not None and not against.is_signed_by(key):
        return ChainReport(0, None, "the head given was not signed with this audit key")
    expected_prev, checked, keyed = GENESIS_HASH, 0, False
    last: AuditEvent | None = None
    anchor_found = False
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch_size)
    for event in session.scalars(query):
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.id, "an earlier event was altered or deleted")
        if is_keyed(key, event):
            keyed = True
        elif keyed or plain_event_hash(event) != event.hash:
            return ChainReport(checked, event.id, "this event was altered")
        checked += 1
        if against is not None and event.id == against.event_id:
            if (event.hash, checked) != (against.hash, against.events):
                return ChainReport(checked, event.id, "this event differs from the head kept")
            anchor_found = True
        expected_prev, last = event.hash, event
    if last is not None and not keyed:
        return ChainReport(
            checked, last.id, "no event is sealed with the audit key (run `crsv-registry migrate`)"
        )
    head = session.get(AuditHead, HEAD_ID)
    head_hash, head_id = (head.last_hash, head.last_event_id) if head else (GENESIS_HASH, None)
    last_id = last.id if last else None
    if (head_hash, head_id) != (expected_prev, last_id):
        return ChainReport(checked, head_id, "the latest events were deleted")
    if against is not None and not anchor_found:
        return ChainReport(
            checked,
            against.event_id,
            f"the event of the head kept ({against.events} events) is gone: events were deleted",
        )
    if last is None and _holds_audited_records(session):
        return ChainReport(
            0,
            None,
            "the trail is empty, yet the database holds accounts or incidents whose "
            "creation it recorded: it was emptied",
        )
    signed = None
    if last is not None:
        signed = SignedHead(last.id, checked, last.hash, utcnow()).signed(key)
    return ChainReport(checked, head=signed)

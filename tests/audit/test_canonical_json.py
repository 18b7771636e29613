"""The bytes every audit hash covers are those `json.dumps` gave when the chain was written.

`chain._canonical` writes with orjson where it can; an event hashed before (with `json.dumps`,
sorted keys, compact, ASCII) must hash the same afterwards, or `audit verify` would report an
intact trail as altered. These hold the two byte for byte over every kind of value an event
stores, and over every character."""

import json
import random
import uuid
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Any

import pytest

from app.audit.chain import _canonical, _event_content
from app.audit.service import PendingEvent
from app.models.enums import ConsentKind


def _json(content: Any) -> bytes:
    """The canonical form as it was first defined."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


class Colour(IntEnum):
    RED = 1


class Shade(StrEnum):
    DARK = "dark"


def _event(**changes: Any) -> dict[str, Any]:
    pending = PendingEvent(
        action="consent.update",
        record_type="victim",
        record_id=str(uuid.uuid4()),
        fields=["referral", "statistics"],
        details={"referral": False, "statistics": True},
        actor_user_id=uuid.uuid4(),
        actor_username="adviser",
        actor_organisation_id=uuid.uuid4(),
        at=datetime(2026, 11, 26, 6, 15, 32, 123456, tzinfo=UTC),
    )
    row = {**vars(pending), "prev_hash": "0" * 64, **changes}
    return _event_content(type("Event", (), row)())  # type: ignore[arg-type]


EVENTS = [
    _event(),
    _event(details={}, fields=[]),
    _event(record_type=None, record_id=None, actor_user_id=None, actor_organisation_id=None),
    _event(actor_username="Aïssata Traoré", fields=["name", "survivor_code"]),
    _event(details={"file": "recueil_2026_Mopti_été.xlsx", "rows": 20000, "skipped": 0}),
    _event(details={"reason": "doublon signalé par l\u2019équipe — voir 🗂️ \u2028 fin"}),
    _event(details={"nested": {"z": [1, {"b": None, "a": True}], "a": {"y": "x"}}}),
    _event(details={"quote": 'a "b" \\ c / d', "controls": "\x00\x01\b\f\n\r\t\x1f\x7f"}),
    _event(details={"big": 2**63 - 1, "negative": -(2**63), "beyond": 2**64 + 1}),
    _event(details={"ratio": 0.5, "tiny": 1e-05, "huge": 1e16, "whole": 3.0}),
    _event(details={1: "a key that is not a string"}),
    _event(details={"enum": ConsentKind.STATISTICS, "int_enum": Colour.RED, "str": Shade.DARK}),
    _event(details={"tuple": ("a", 1), "empty": [], "nothing": {}}),
    _event(details={"previous_event_id": 41}),
]


@pytest.mark.parametrize("content", EVENTS, ids=range(len(EVENTS)))
def test_an_event_is_canonical_as_json_wrote_it(content: dict[str, Any]) -> None:
    assert _canonical(content) == _json(content)


def test_every_character_is_escaped_as_json_escaped_it() -> None:
    characters = [chr(code) for code in range(0x800) if not 0xD800 <= code < 0xE000]
    rng = random.Random(2026)
    characters += [chr(rng.randrange(0x800, 0xD800)) for _ in range(2000)]
    characters += [chr(rng.randrange(0xE000, 0x110000)) for _ in range(2000)]
    for character in characters:
        content = {"details": {"text": f"a{character}b", character: character}}
        assert _canonical(content) == _json(content), hex(ord(character))


def test_keys_sort_as_json_sorted_them() -> None:
    rng = random.Random(11)
    keys = ["".join(chr(rng.randrange(0x20, 0x2FF)) for _ in range(3)) for _ in range(300)]
    keys += ["a", "B", "é", "😀", "\uffff", "𐀀", "Z"]
    content = {"details": {key: index for index, key in enumerate(keys)}}
    assert _canonical(content) == _json(content)


def test_what_json_refuses_is_still_refused() -> None:
    for value in (uuid.uuid4(), datetime.now(UTC), {1, 2}):
        with pytest.raises(TypeError):
            _canonical({"details": {"value": value}})

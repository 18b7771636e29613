"""Red team: `audit verify --against FILE` crashes with a traceback on a head whose number is
not finite: `{"event_id": 1e400, ...}` raises OverflowError from `SignedHead.from_json`, which
catches KeyError, TypeError and JSONDecodeError only. The CLI prints a Python traceback instead
of "cannot read the head kept" (exit 1 either way, so a tampered trail is not passed)."""

import pytest

from app.audit.chain import SignedHead

HEAD = '{"event_id": %s, "events": 3, "hash": "%s", "at": "2026-11-25T00:00:00+00:00", "hmac": ""}'


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity"])
def test_a_head_with_a_number_that_is_not_finite_is_refused_as_unreadable(number: str) -> None:
    with pytest.raises(ValueError):
        SignedHead.from_json(HEAD % (number, "0" * 64))

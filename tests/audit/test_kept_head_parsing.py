"""A kept head whose numbers are not finite (`{"event_id": 1e400, ...}`) is refused as
unreadable: `SignedHead.from_json` raised OverflowError, and `audit verify --against FILE`
printed a traceback instead of "cannot read the head kept"."""

import pytest

from app.audit.chain import SignedHead

HEAD = '{"event_id": %s, "events": 3, "hash": "%s", "at": "2026-11-25T00:00:00+00:00", "hmac": ""}'


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity"])
def test_a_head_with_a_number_that_is_not_finite_is_refused_as_unreadable(number: str) -> None:
    with pytest.raises(ValueError):
        SignedHead.from_json(HEAD % (number, "0" * 64))

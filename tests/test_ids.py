"""`new_ids` makes what `uuid.uuid4()` makes: random UUIDs of version 4, RFC 4122's variant,
each equal to itself read back from its text, hashed and pickled as any UUID."""

import pickle
import uuid

from app.core.ids import new_ids


def test_new_ids_are_uuid4s() -> None:
    ids = new_ids(2000)
    assert len(set(ids)) == 2000
    for made in ids:
        assert isinstance(made, uuid.UUID)
        assert (made.version, made.variant) == (4, uuid.RFC_4122)
        again = uuid.UUID(str(made), version=4)  # version=4 would set the same bits
        assert again == made and hash(again) == hash(made) and again.hex == made.hex
        assert made.is_safe is uuid.SafeUUID.unknown
    assert pickle.loads(pickle.dumps(ids[0])) == ids[0]
    assert new_ids(0) == []


def test_every_random_bit_varies() -> None:
    """122 random bits: each of them is set in some of 2,000 ids and clear in others."""
    values = [made.int for made in new_ids(2000)]
    fixed = (0xF000 << 64) | (0xC000 << 48)
    for bit in range(128):
        if fixed >> bit & 1:
            continue
        assert 0 < sum(value >> bit & 1 for value in values) < 2000

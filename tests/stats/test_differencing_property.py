"""A property over a random dataset and random pairs of filters, as organisation B's report
writer: for every small cell of organisation A's data, pairs of queries that differ by exactly
that cell never agree on its exact value (seeded, so the same on every run and both databases).
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.conftest import assert_counts_kept, wipe
from tests.factories import MISSION, NGO, create_incident, log_in, make_user, stats
from tests.stats.record_keys import rekey

K = 5
REGIONS = {"Kidal": 9, "Gao": 1, "Mopti": 6, "Ségou": 2, "Tombouctou": 3, "Kayes": 7, "Kita": 1}
SOURCES = ["gbvims", "ngo", "media"]
VIOLATIONS = ["rape", "forced_marriage"]
PAIRS_PER_CELL = 5


@dataclass(frozen=True)
class Record:
    region: str
    month: int
    source: str
    violation: str


def _dataset(rng: random.Random) -> list[Record]:
    regions = [region for region, weight in REGIONS.items() for _ in range(weight)]
    return [
        Record(rng.choice(regions), rng.randint(1, 12), rng.choice(SOURCES), rng.choice(VIOLATIONS))
        for _ in range(3 * len(regions))
    ]


def _extra_filters(rng: random.Random) -> tuple[dict[str, Any], Any]:
    """Random filters besides the region, and the predicate they are on A's records."""
    sources = rng.sample(SOURCES, rng.randint(1, len(SOURCES)))
    first, last = sorted(rng.sample(range(1, 13), 2))
    violation = rng.choice([None, *VIOLATIONS])  # a violation filter counts the incidents
    query: dict[str, Any] = {
        "group_by": "source",
        "source": sources,
        "occurred_from": f"2019-{first:02d}-01",
        "occurred_to": f"2019-{last:02d}-28",  # not a month's end: counted from the incidents
    }
    if rng.random() < 0.5:
        query["occurred_to"] = f"2019-{last:02d}-{28 if last == 2 else 30:02d}"
    if violation:
        query["violation"] = [violation]

    def matches(record: Record) -> bool:
        return (
            record.source in sources
            and first <= record.month <= last
            and violation in (None, record.violation)
        )

    return query, matches


@pytest.fixture(scope="module")
def differences(app: FastAPI) -> Iterator[list[tuple[int, list[int]]]]:
    """For each small cell of A's data found: its true value and the differences B got."""
    rng = random.Random(1325)
    records = _dataset(rng)
    with TestClient(app) as adviser, TestClient(app) as writer:
        user = make_user(app, Role.PROTECTION_ADVISER, organisation=MISSION)
        adviser.headers["Authorization"] = f"Bearer {log_in(adviser, user)}"
        for record in records:
            create_incident(
                adviser,
                admin1=record.region,
                occurred_on=f"2019-{record.month:02d}-10",
                reported_on="2020-01-15",
                source=record.source,
                violations=[record.violation],
                victims=[{"sex": "female", "age": 30, "consent": {"statistics": True}}],
            )
        rekey(app, 7)
        b_writer = make_user(app, Role.REPORT_WRITER, organisation=NGO)
        writer.headers["Authorization"] = f"Bearer {log_in(writer, b_writer)}"
        found = []
        for _ in range(40):
            region = rng.choice(list(REGIONS))
            query, matches = _extra_filters(rng)
            truth = sum(matches(r) and r.region == region for r in records)
            if not 1 <= truth < K:
                continue
            others = [name for name in REGIONS if name != region]
            seen = []
            for _ in range(PAIRS_PER_CELL):
                rest = rng.sample(others, rng.randint(1, len(others)))
                larger = stats(writer, **query, admin1=[*rest, region])["total"]["incidents"]
                smaller = stats(writer, **query, admin1=rest)["total"]["incidents"]
                if isinstance(larger, int) and isinstance(smaller, int):
                    seen.append(larger - smaller)
            if len(seen) >= 2:
                found.append((truth, seen))
        assert_counts_kept(app)
        yield found
    wipe(app)


def test_pairs_of_filters_never_agree_on_a_small_cells_exact_value(
    differences: list[tuple[int, list[int]]],
) -> None:
    assert len(differences) >= 10  # enough small cells were attacked
    for truth, seen in differences:
        pinned = set(seen) == {truth}
        assert not pinned, (truth, seen)


def test_differences_equal_the_true_value_no_more_often_than_chance(
    differences: list[tuple[int, list[int]]],
) -> None:
    every = [(truth, difference) for truth, seen in differences for difference in seen]
    exact = sum(truth == difference for truth, difference in every)
    assert exact <= len(every) * 0.4, (exact, len(every))

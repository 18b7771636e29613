"""Averaging many differences, as organisation B's report writer: an open weakness of the
cell-key method, recorded here so that a fix shows (the test then passes, and strict xfail
fails until the marker is removed).

Each figure's part from other organisations is perturbed by its cell key, so one difference of
two figures gives a hidden count back only by chance (tests/stats/test_differencing*.py). But
the adjustments average to nothing over cell keys (app/stats/cellkey.py: every row sums to
zero), and every pair of queries that differs by the same hidden cell C, one holding C and a
set D, the other D alone, draws its adjustments from two new cell keys. The mean of the
differences over a few dozen such pairs, each with another D, is C's count plus noise whose
spread shrinks as the square root of the number of pairs: rounded, it is C's exact count, small
or not, hidden or not. Here D is the mission's incidents in another region over a period that
holds C's day, and the periods differ from pair to pair: 40 pairs (80 requests) give a cell
that every single query shows as "<5" back exactly. The README names this limit ("What this
does not do"); this test measures it.
"""

import random
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.conftest import assert_counts_kept, wipe
from tests.factories import MISSION, NGO, create_incident, log_in, make_user, stats
from tests.stats.record_keys import rekey

CONSENTING = [{"sex": "female", "age": 25, "consent": {"statistics": True}}]
HIDDEN = 2  # A's incidents in Gao: a cell every single query shows as "<5"
ELSEWHERE = 60  # A's incidents in Mopti over 2019
PAIRS = 40
SEEDS = range(3)
START = date(2019, 1, 1)
C_DAY = date(2019, 6, 10)


@pytest.fixture(scope="module")
def averages(app: FastAPI) -> Iterator[list[float]]:
    """For each draw of the record keys, the mean of B's differences that each hold C."""
    rng = random.Random(2024)
    with TestClient(app) as adviser, TestClient(app) as writer:
        user = make_user(app, Role.PROTECTION_ADVISER, organisation=MISSION)
        adviser.headers["Authorization"] = f"Bearer {log_in(adviser, user)}"
        for _ in range(ELSEWHERE):
            day = START + timedelta(days=rng.randrange(365))
            create_incident(
                adviser,
                admin1="Mopti",
                occurred_on=day.isoformat(),
                reported_on="2020-01-15",
                victims=CONSENTING,
            )
        for _ in range(HIDDEN):
            create_incident(
                adviser,
                admin1="Gao",
                occurred_on=C_DAY.isoformat(),
                reported_on="2020-01-15",
                victims=CONSENTING,
            )
        b_writer = make_user(app, Role.REPORT_WRITER, organisation=NGO)
        writer.headers["Authorization"] = f"Bearer {log_in(writer, b_writer)}"
        assert stats(writer, group_by="source", admin1=["Gao"])["total"]["incidents"] == "<5"
        means = []
        for seed in SEEDS:
            rekey(app, seed)
            differences = []
            for _ in range(PAIRS):
                period = {
                    "occurred_from": (START + timedelta(days=rng.randrange(160))).isoformat(),
                    "occurred_to": (START + timedelta(days=rng.randrange(162, 365))).isoformat(),
                }
                both = stats(writer, group_by="source", admin1=["Gao", "Mopti"], **period)
                mopti = stats(writer, group_by="source", admin1=["Mopti"], **period)
                larger, smaller = both["total"]["incidents"], mopti["total"]["incidents"]
                assert isinstance(larger, int) and isinstance(smaller, int)
                differences.append(larger - smaller)
            means.append(sum(differences) / len(differences))
        assert_counts_kept(app)
        yield means
    wipe(app)


@pytest.mark.xfail(
    strict=True,
    reason="open: averaging differences over many pairs of queries gives a hidden cell back",
)
def test_averaging_many_differences_does_not_give_a_hidden_cell_back(
    averages: list[float],
) -> None:
    recovered = [round(mean) == HIDDEN for mean in averages]
    assert not all(recovered), averages

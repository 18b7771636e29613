"""The kept counts: equal to a recount after every kind of change, and giving every statistics
table exactly what counting the incidents themselves gives."""

import itertools
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.core.auth import principal_for_token
from app.counting import rollup
from app.models import StatCount
from app.models.enums import Role
from app.stats.kept import kept_counts_answer
from app.stats.schemas import StatsQuery
from app.stats.service import compute_stats
from tests.conftest import wipe
from tests.factories import (
    API,
    MISSION,
    NGO,
    create_armed_party,
    create_incident,
    log_in,
    make_user,
    patch_incident,
    verify,
)

SEXES_AGES = [("female", 16), ("female", 30), ("male", 12), ("male", 40), ("unknown", None)]
CONSENTS = [{"statistics": True}, {"statistics": False}, None]
CATEGORIES = ["non_state_armed_group", "state_security_forces", "unidentified_armed_element"]
VIOLATIONS = ["rape", "sexual_slavery", "forced_marriage", "attempted_rape"]


def _random_incident(rng: random.Random, party_id: str) -> dict[str, Any]:
    victims = []
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        sex, age = rng.choice(SEXES_AGES)
        victim: dict[str, Any] = {"sex": sex, "age": age}
        if consent := rng.choice(CONSENTS):
            victim["consent"] = consent
        victims.append(victim)
    perpetrators = [{"category": rng.choice(CATEGORIES)} for _ in range(rng.choice([0, 1, 1, 2]))]
    if rng.random() < 0.2:
        perpetrators.append({"armed_party_id": party_id})
    year = rng.choice([2018, 2019, 2020])
    precision = rng.choice(["day", "day", "month", "year"])
    return {
        "occurred_on": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "date_precision": precision,
        "reported_on": f"{year + 1}-01-15",
        "country": rng.choice(["ML", "ML", "BF"]),
        "admin1": rng.choice(["Mopti", "Gao", None]),
        "violations": rng.sample(VIOLATIONS, rng.choice([1, 1, 2])),
        "source": rng.choice(["gbvims", "ngo", "media"]),
        "victims": victims,
        "perpetrators": perpetrators,
    }


@pytest.fixture(scope="module")
def population(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    """Two organisations' incidents of every shape, changed in every way the API allows.
    Module-scoped: tests here use only these clients (`client` would wipe the data)."""
    rng = random.Random(1820)
    clients = {}
    with TestClient(app) as mission, TestClient(app) as ngo:
        for name, api, organisation in (("mission", mission, MISSION), ("ngo", ngo, NGO)):
            api.headers["Authorization"] = "Bearer " + log_in(
                api, make_user(app, Role.PROTECTION_ADVISER, organisation=organisation)
            )
            clients[name] = api
        party = create_armed_party(mission, "Katiba Macina", "non_state_armed_group")
        for api in (mission, ngo):
            made = [create_incident(api, **_random_incident(rng, party["id"])) for _ in range(40)]
            _change_some(api, rng, made)
        yield clients
    wipe(app)


def _change_some(api: TestClient, rng: random.Random, made: list[dict[str, Any]]) -> None:
    for incident in made[:5]:
        assert verify(api, incident, "pending_verification").status_code == 200
        assert verify(api, incident, "verified", version=None).status_code == 200
    assert verify(api, made[5], "discarded").status_code == 200
    assert api.delete(f"{API}/incidents/{made[6]['id']}").status_code == 204  # archived
    link = f"{API}/incidents/{made[7]['id']}/duplicate-of/{made[8]['id']}"
    assert api.post(link, json={"reason": "same event"}).status_code == 200
    for incident in made[9:14]:
        changes = {"admin1": "Ségou", "violations": ["rape"], "victims": [], "perpetrators": []}
        assert patch_incident(api, incident, **changes).status_code == 200
    for incident in made[14:20]:
        for victim in incident["victims"]:
            path = f"{API}/incidents/{incident['id']}/victims/{victim['id']}/consent"
            body = {"statistics": rng.choice([True, False, None])}
            assert api.put(path, json=body).status_code == 200


def test_the_kept_counts_equal_a_recount_after_every_kind_of_change(
    app: FastAPI, population: dict[str, TestClient]
) -> None:
    with app.state.engine.connect() as connection:
        assert rollup.mismatches(connection) == []
        kept = connection.execute(StatCount.__table__.select()).all()
    assert len(kept) > 100


def test_a_kept_count_gone_wrong_is_found_and_a_rebuild_mends_it(
    app: FastAPI, population: dict[str, TestClient]
) -> None:
    with app.state.engine.begin() as connection:
        connection.execute(
            update(StatCount).where(StatCount.value == "rape").values(victims=StatCount.victims + 1)
        )
        assert rollup.mismatches(connection)
        rollup.rebuild(connection)
        assert rollup.mismatches(connection) == []


GROUPINGS = [
    ["source"],
    ["perpetrator_category"],
    ["violation"],
    ["victim_category"],
    ["admin1"],
    ["year"],
    ["month"],
    ["verification_status", "source"],
    ["victim_category", "year"],
    ["perpetrator_category", "admin1"],
    ["month", "violation"],
    ["quarter"],
    ["quarter", "victim_category"],
    ["violation", "quarter"],
]
FILTERS: list[dict[str, Any]] = [
    {},
    {"basis": "verified_only"},
    {"country": ["ML"]},
    {"occurred_from": "2019-01-01", "occurred_to": "2019-12-31"},
    {"occurred_from": "2019-02-01", "admin1": ["Mopti"], "source": ["gbvims", "ngo"]},
    # A quarter is three months of known month: year-only incidents are in none.
    {"quarter": ["2019-Q1", "2019-Q4"]},
    {"quarter": ["2018-Q2"], "basis": "verified_only", "country": ["ML"]},
]


@pytest.mark.parametrize("viewer", ["mission", "ngo"])
def test_tables_from_the_kept_counts_equal_those_counted_from_the_incidents(
    app: FastAPI, population: dict[str, TestClient], viewer: str
) -> None:
    api = population[viewer]
    token = str(api.headers["Authorization"]).removeprefix("Bearer ")
    with app.state.session_factory() as session:
        principal = principal_for_token(session, token)
        assert principal is not None
        for group_by, filters in itertools.product(GROUPINGS, FILTERS):
            query = StatsQuery.model_validate({"group_by": group_by, **filters})
            assert kept_counts_answer(query), (group_by, filters)
            kept = compute_stats(session, query, principal, k=5)
            counted = compute_stats(session, query, principal, k=5, use_kept=False)
            assert kept == counted, (group_by, filters)
            if not filters:
                assert isinstance(kept.total.incidents, int) and kept.total.incidents > 50


@pytest.mark.parametrize(
    "params",
    [
        {"group_by": ["violation", "perpetrator_category"]},  # two facets at once
        {"group_by": ["armed_party"]},
        {"group_by": ["source"], "violation": ["rape"]},
        {"group_by": ["source"], "occurred_from": "2019-01-15"},  # not a whole month
        {"group_by": ["source"], "occurred_to": "2019-06-15"},
        # The days reported and verified are not kept.
        {"group_by": ["verified_in_quarter"]},
        {"group_by": ["verification_timing"]},
        {"group_by": ["source"], "verified_in_quarter": ["2019-Q1"]},
    ],
)
def test_queries_the_kept_counts_cannot_answer_count_the_incidents(params: dict[str, Any]) -> None:
    assert not kept_counts_answer(StatsQuery.model_validate(params))


def test_the_stats_commands_find_and_mend_kept_counts_gone_wrong(
    app: FastAPI, client: TestClient, database_url: str
) -> None:
    create_incident(client)
    environment = {**os.environ, "DATABASE_URL": database_url}

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "app.cli", "stats", *arguments]
        return subprocess.run(command, capture_output=True, text=True, env=environment, check=False)

    assert run("check").returncode == 0
    with app.state.engine.begin() as connection:  # as a load around the service would leave it
        connection.execute(update(StatCount).values(incidents=StatCount.incidents + 1))
    wrong = run("check")
    assert wrong.returncode == 1 and "differ from a recount" in wrong.stderr
    assert run("rebuild").returncode == 0
    assert run("check").returncode == 0

"""Every dimension crosses every other, under every measure, and a figure reads the same in every
table it appears in: the total and each one-dimension table equal the total and the margins of
each two-dimension table that holds them.

Dimensions come from several features (the GBVIMS intake fields, quarters and verification
timing, referrals, judicial cases), so this is where their combinations are tried together. The
data is the caller's own, so every figure is exact.
"""

import itertools
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from app.stats.dimensions import DIMENSIONS, DimensionName, Level
from app.stats.schemas import Measure
from tests.factories import (
    MISSION,
    create_armed_party,
    create_case,
    create_court,
    create_incident,
    create_incident_for_justice,
    log_in,
    make_user,
    verify,
)
from tests.referrals.helpers import move, refer, referrals_url

SHARED = {"referral": True, "statistics": True, "justice": True}


def _population(app: FastAPI, client: TestClient) -> None:
    party = create_armed_party(client)
    first = create_incident(
        client,
        occurred_on="2019-08-14",
        reported_on="2019-08-16",
        gbv_type="rape",
        time_of_day="evening_night",
        place_type="farm",
        displacement_stage="during_flight",
        victims=[
            {"sex": "female", "age": 24, "displacement_status": "idp", "consent": SHARED},
            {"sex": "female", "age": 13, "disability": "yes", "consent": SHARED},
        ],
        perpetrators=[
            {"category": "non_state_armed_group", "armed_party_id": party["id"]},
            {"category": "unidentified_armed_element"},
        ],
    )
    assert verify(client, first, "pending_verification").status_code == 200
    late = verify(client, first, "verified", verified_on="2019-10-01")  # reported in Q3
    assert late.status_code == 200, late.text
    after = {"outside_name": "CSCOM", "referred_on": "2019-08-16"}
    served = refer(client, referrals_url(first), None, **after).json()
    accepted = move(client, served, "accepted", "2019-08-17").json()
    move(client, accepted, "service_provided", "2019-08-18")
    refer(client, referrals_url(first, 1), None, service_kind="psychosocial", **after)
    create_incident(client, occurred_on="2019-01-01", date_precision="year", victims=[])
    create_incident(
        client,
        occurred_on="2019-05-01",
        reported_on="2019-06-20",
        date_precision="month",
        violations=["sexual_slavery", "forced_marriage"],
        gbv_type="forced_marriage",
        victims=[{"sex": "male", "age": 40, "consent": SHARED}],
    )
    linked = create_incident_for_justice(client, admin1="Gao")
    with TestClient(app) as tracker:
        user = make_user(app, Role.JUDICIAL_TRACKER, organisation=MISSION)
        tracker.headers["Authorization"] = f"Bearer {log_in(tracker, user)}"
        create_case(tracker, create_court(tracker, "Tribunal de Mopti"), [linked])


def _table(client: TestClient, group_by: str, measure: str) -> dict[str, Any]:
    response = client.get("/api/v1/stats", params={"group_by": group_by, "measure": measure})
    assert response.status_code == 200, (group_by, measure, response.text)
    return dict(response.json())


def _by_key(groups: list[dict[str, Any]], name: str) -> dict[Any, tuple[Any, Any]]:
    return {group["key"][name]: (group["incidents"], group["victims"]) for group in groups}


# All victims: tests/stats/test_stats.py crosses every pair already; here the other measures.
@pytest.mark.parametrize("measure", [m.value for m in Measure if m is not Measure.ALL_VICTIMS])
def test_every_pair_of_dimensions_agrees_with_its_one_dimension_tables(
    app: FastAPI, client: TestClient, measure: str
) -> None:
    _population(app, client)
    names = [name.value for name in DimensionName]
    singles = {name: _table(client, name, measure) for name in names}
    totals = {(t["total"]["incidents"], t["total"]["victims"]) for t in singles.values()}
    assert len(totals) == 1, totals  # one total, whichever dimension a table is by
    # Under a measure other than all victims, a table by incident dimensions only differs from
    # the all-victims one by which victims count: the pairs with a victim dimension try that.
    per_victim = {name.value for name, d in DIMENSIONS.items() if d.per_victim}
    pairs = [pair for pair in itertools.combinations(names, 2) if per_victim & set(pair)]
    for first, second in pairs:
        crossed = _table(client, f"{first},{second}", measure)
        assert (crossed["total"]["incidents"], crossed["total"]["victims"]) in totals
        for name in (first, second):
            assert _by_key(crossed["margins"][name], name) == _by_key(
                singles[name]["groups"], name
            ), (first, second, name)


def test_groups_of_a_one_value_dimension_add_up_to_the_total(
    app: FastAPI, client: TestClient
) -> None:
    _population(app, client)
    exclusive = [name for name, d in DIMENSIONS.items() if d.level is Level.INCIDENT]
    for name in exclusive:
        table = _table(client, name.value, Measure.ALL_VICTIMS.value)
        incidents = sum(group["incidents"] for group in table["groups"])
        victims = sum(group["victims"] for group in table["groups"])
        assert (incidents, victims) == (table["total"]["incidents"], table["total"]["victims"])

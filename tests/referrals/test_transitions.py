"""The referral status table, every pair of statuses, through the API: allowed moves succeed,
every other is refused with 409 and changes nothing; the service point's side is held to its
part of the table."""

import itertools
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.enums import Role
from app.models.referral import ReferralStatus as S
from app.referrals.transitions import TRANSITIONS, Mover, allowed_from
from tests.factories import API, NGO
from tests.referrals.helpers import create_point, move, refer, referable_victim

# How to reach each status from `referred`, along the table.
PATH_TO: dict[S, list[S]] = {
    S.REFERRED: [],
    S.ACCEPTED: [S.ACCEPTED],
    S.SERVICE_PROVIDED: [S.ACCEPTED, S.SERVICE_PROVIDED],
    S.DECLINED_BY_SURVIVOR: [S.DECLINED_BY_SURVIVOR],
    S.SERVICE_UNAVAILABLE: [S.SERVICE_UNAVAILABLE],
    S.NOT_APPLICABLE: [S.NOT_APPLICABLE],
    S.ALREADY_RECEIVED_FROM_ANOTHER_AGENCY: [S.ALREADY_RECEIVED_FROM_ANOTHER_AGENCY],
}


def test_the_table_is_what_the_field_expects() -> None:
    assert allowed_from(S.REFERRED) == [
        S.ACCEPTED,
        S.SERVICE_UNAVAILABLE,
        S.DECLINED_BY_SURVIVOR,
        S.NOT_APPLICABLE,
        S.ALREADY_RECEIVED_FROM_ANOTHER_AGENCY,
    ]
    assert allowed_from(S.ACCEPTED) == [
        S.SERVICE_PROVIDED,
        S.DECLINED_BY_SURVIVOR,
        S.SERVICE_UNAVAILABLE,
    ]
    outcomes = set(S) - {S.REFERRED, S.ACCEPTED}
    assert all(allowed_from(status) == [] for status in outcomes)


def _reach(client: TestClient, url: str, status: S) -> dict[str, Any]:
    referral = refer(client, url, None, outside_name="Hôpital Sominé Dolo").json()
    for day, step in enumerate(PATH_TO[status], start=21):
        response = move(client, referral, step.value, f"2019-03-{day}")
        assert response.status_code == 200, response.text
        referral = response.json()
    return referral


@pytest.mark.parametrize(
    ("current", "target"), list(itertools.product(S, S)), ids=lambda s: s.value
)
def test_every_pair_of_statuses(client: TestClient, current: S, target: S) -> None:
    _incident, url = referable_victim(client)
    referral = _reach(client, url, current)
    response = move(client, referral, target.value, "2019-03-25")
    if (current, target) in TRANSITIONS:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target.value
        assert response.json()["version"] == referral["version"] + 1
    else:
        assert response.status_code == 409, response.text
        assert response.json()["errors"][0]["field"] == "status"
        after = client.get(f"{API}/referrals/{referral['id']}").json()
        assert (after["status"], after["version"]) == (current.value, referral["version"])


@pytest.mark.parametrize(("move_pair", "mover"), list(TRANSITIONS.items()), ids=str)
def test_the_service_points_side_makes_only_its_moves(
    client: TestClient, client_for, move_pair: tuple[S, S], mover: Mover
) -> None:
    provider = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    point = create_point(provider)
    _incident, url = referable_victim(client)
    referral = refer(client, url, point).json()
    current, target = move_pair
    for day, step in enumerate(PATH_TO[current], start=21):
        referral = move(client, referral, step.value, f"2019-03-{day}").json()
    response = move(provider, referral, target.value, "2019-03-25")
    assert response.status_code == (200 if mover is Mover.EITHER else 409), response.text

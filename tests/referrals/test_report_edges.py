"""The service reports' remaining edges: the 72-hour indicator by organisation (yours exact,
the others' together and protected), records statistics never count, and the service gaps of
a district left unrecorded, judged by its region."""

from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident, verify
from tests.referrals.helpers import REFERRAL_VICTIM, create_point, move, refer, referrals_url

SHARED_VICTIM = {"sex": "female", "age": 24, "consent": {"referral": True, "statistics": True}}


def _rape_with_care(client: TestClient, victim: dict[str, Any], care_on: str) -> dict[str, Any]:
    incident = create_incident(
        client,
        victims=[victim],
        violations=["rape"],
        occurred_on="2019-03-01",
        reported_on="2019-03-02",
    )
    url = referrals_url(incident)
    referral = refer(client, url, None, outside_name="CSCOM", referred_on="2019-03-02").json()
    accepted = move(client, referral, "accepted", care_on).json()
    assert move(client, accepted, "service_provided", care_on).status_code == 200
    return incident


def test_the_72_hour_indicator_by_organisation_is_exact_for_yours_and_protected_for_others(
    client: TestClient, client_for: Any
) -> None:
    for _ in range(2):
        _rape_with_care(client, SHARED_VICTIM, "2019-03-03")
    other_adviser = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    for _ in range(3):
        _rape_with_care(other_adviser, SHARED_VICTIM, "2019-03-03")

    def by_organisation() -> dict[str, dict[str, Any]]:
        result = client.get(f"{API}/reports/72-hours", params={"group_by": "organisation"})
        return {g["key"]["organisation"]: g for g in result.json()["groups"]}

    before = by_organisation()
    _rape_with_care(other_adviser, REFERRAL_VICTIM, "2019-03-03")  # no statistics consent
    groups = by_organisation()
    assert set(groups) == {"own", "others"}
    own, others = groups["own"], groups["others"]
    assert (own["rape_victims"], own["care_within_72h"], own["protected"]) == (2, 2, False)
    assert others["protected"] is True
    # Three victims, perturbed by at most two: shown only from 5, hidden below.
    assert others["rape_victims"] in ("<5", 5) and others["care_within_72h"] in ("<5", 5)
    assert others == before["others"]  # the survivor who did not consent changed nothing
    # The other organisation sees its own four exactly, and the mission's two protected.
    theirs = other_adviser.get(f"{API}/reports/72-hours", params={"group_by": "organisation"})
    by_side = {g["key"]["organisation"]: g for g in theirs.json()["groups"]}
    assert by_side["own"]["rape_victims"] == 4 and by_side["own"]["care_within_72h"] == 4
    assert by_side["others"]["rape_victims"] == "<5"


def test_records_statistics_never_count_are_left_out_of_the_indicator(
    client: TestClient,
) -> None:
    kept = _rape_with_care(client, REFERRAL_VICTIM, "2019-03-03")
    discarded = _rape_with_care(client, REFERRAL_VICTIM, "2019-03-03")
    assert verify(client, discarded, "discarded").status_code == 200
    archived = _rape_with_care(client, REFERRAL_VICTIM, "2019-03-03")
    path = f"{API}/incidents/{archived['id']}"
    assert client.delete(path, params={"reason": "entered twice"}).status_code in (200, 204)
    total = client.get(f"{API}/reports/72-hours").json()["total"]
    assert (total["rape_victims"], total["care_within_72h"]) == (1, 1)
    assert kept["id"] != discarded["id"]


def test_a_district_left_unrecorded_is_judged_by_its_regions_points(client: TestClient) -> None:
    create_point(client, name="Centre intégré de Mopti", admin1="Mopti", admin2="Mopti")
    create_incident(client, admin1="MOPTI", admin2=None)  # places match whatever their case
    create_incident(client, admin1="Kidal", admin2=None)
    gaps = client.get(f"{API}/reports/service-gaps").json()
    rows = {row["admin1"].casefold(): row for row in gaps["localities"]}
    assert rows["mopti"]["has_service"] is True
    assert "health_medical" not in rows["mopti"]["kinds_missing"]
    assert rows["kidal"]["has_service"] is False
    assert (gaps["localities_with_incidents"], gaps["localities_without_service"]) == (2, 1)
    assert gaps["share_without_service"] == 50.0

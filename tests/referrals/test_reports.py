"""The 72-hour indicator on a fixture of edge cases, and the service gaps report on a fixture
built from the seed note (integrated centres in Bamako, Mopti and Gao; other localities with
incidents and no service). Exact for the owner; protected for another organisation."""

from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident
from tests.referrals.helpers import REFERRAL_VICTIM, create_point, move, refer, referrals_url

SHARED_VICTIM = {"sex": "female", "age": 24, "consent": {"referral": True, "statistics": True}}


def _rape(client: TestClient, occurred: str, reported: str, **extra: Any) -> dict[str, Any]:
    fields = {"victims": [REFERRAL_VICTIM], "violations": ["rape"], **extra}
    return create_incident(client, occurred_on=occurred, reported_on=reported, **fields)


def _health_care(
    client: TestClient, incident: dict[str, Any], on: str, provided: bool = True
) -> None:
    url = referrals_url(incident)
    referral = refer(client, url, None, outside_name="CSCOM", referred_on=incident["occurred_on"])
    referral = move(client, referral.json(), "accepted", on).json()
    if provided:
        assert move(client, referral, "service_provided", on).status_code == 200


def _seventy_two_hour_fixture(client: TestClient) -> None:
    exactly_72h = _rape(client, "2019-03-01", "2019-03-04")  # reported on day 3: within
    _health_care(client, exactly_72h, "2019-03-04")  # care after exactly 72 hours: both windows
    same_day = _rape(client, "2019-03-01", "2019-03-01")
    _health_care(client, same_day, "2019-03-06")  # day 5: emergency contraception window only
    day_four = _rape(client, "2019-03-01", "2019-03-05")  # reported on day 4: outside
    _health_care(client, day_four, "2019-03-05")
    _rape(client, "2019-03-01", "2019-03-10", date_precision="month")  # unknown timing
    _rape(client, "2019-01-01", "2019-03-10", date_precision="year")  # unknown timing
    by_type = _rape(
        client, "2019-03-01", "2019-03-02", violations=["sexual_slavery"], gbv_type="rape"
    )
    _health_care(client, by_type, "2019-03-07")  # day 6: too late for either window
    accepted_only = _rape(client, "2019-03-01", "2019-03-02")
    _health_care(client, accepted_only, "2019-03-02", provided=False)  # accepted is not care
    _rape(client, "2019-03-01", "2019-03-01", violations=["attempted_rape"])  # not rape


def test_the_72_hour_indicator_counts_on_dates_and_never_guesses(client: TestClient) -> None:
    _seventy_two_hour_fixture(client)
    response = client.get(f"{API}/reports/72-hours")
    assert response.status_code == 200, response.text
    total = response.json()["total"]
    assert total == {
        "key": {},
        "rape_victims": 7,
        "unknown_timing": 2,
        "reported_later": 1,
        "reported_within_72h": 4,
        "care_within_72h": 1,
        "care_within_120h": 2,
        "protected": False,
    }
    by_period = client.get(
        f"{API}/reports/72-hours", params={"group_by": "period", "period_unit": "month"}
    ).json()
    periods = {g["key"]["period"]: g["rape_victims"] for g in by_period["groups"]}
    assert periods == {"2019": 1, "2019-03": 6}
    csv = client.get(f"{API}/reports/72-hours.csv", params={"group_by": "region"})
    assert csv.status_code == 200 and csv.text.splitlines()[1].startswith("Mopti,7,2,1,4,1,2")


def test_another_organisation_gets_the_72_hour_figures_protected(
    client: TestClient, client_for
) -> None:
    for _ in range(2):
        care = _rape(client, "2019-03-01", "2019-03-02", victims=[SHARED_VICTIM])
        _health_care(client, care, "2019-03-02")
    _rape(client, "2019-03-01", "2019-03-02")  # no statistics consent: never counted by others
    other = client_for(Role.REPORT_WRITER, organisation=NGO)
    total = other.get(f"{API}/reports/72-hours").json()["total"]
    assert total["protected"] is True
    assert total["rape_victims"] == "<5" and total["care_within_72h"] == "<5"
    mine = client.get(f"{API}/reports/72-hours").json()["total"]
    assert (mine["rape_victims"], mine["care_within_72h"]) == (3, 2)


def test_bad_report_parameters_are_named(client: TestClient) -> None:
    for params, field in [
        ({"group_by": "victim"}, "group_by"),
        ({"occurred_from": "2019-02-30"}, "occurred_from"),
        ({"occurred_from": "2020-01-01", "occurred_to": "2019-01-01"}, "occurred_to"),
        ({"country": "XX"}, "country"),
        ({"admin1": "\x00"}, "admin1"),
    ]:
        response = client.get(f"{API}/reports/72-hours", params=params)
        assert response.status_code == 422, (params, response.text)
        assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.text
        assert client.get(f"{API}/reports/service-gaps", params=params).status_code in (200, 422)


# The seed: integrated service centres opened in 2019 in Bamako, Mopti and Gao; 55 percent of
# conflict-affected localities without dedicated GBV services.
CENTRES = [("Bamako", "Bamako"), ("Mopti", "Mopti"), ("Gao", "Gao")]
UNSERVED = [
    ("Mopti", "Bandiagara"),
    ("Mopti", "Djenné"),
    ("Tombouctou", "Goundam"),
    ("Gao", "Ansongo"),
    ("Ménaka", "Ménaka"),
    ("Ségou", "Niono"),
]


def test_the_service_gaps_of_the_seed(client: TestClient, client_for) -> None:
    provider = client_for(Role.ADMIN, organisation=NGO)
    for admin1, admin2 in CENTRES:
        create_point(
            provider,
            name=f"Centre intégré de {admin2}",
            admin1=admin1,
            admin2=admin2,
            kinds=["health_medical", "psychosocial", "legal_assistance", "safety_shelter"],
        )
    create_point(provider, name="Fermé", admin1="Ségou", admin2="Niono", operating=False)
    for admin1, admin2 in CENTRES + UNSERVED:
        create_incident(
            client, admin1=admin1, admin2=admin2, occurred_on="2019-05-02", reported_on="2019-05-03"
        )
    create_incident(
        client, admin1="Kidal", admin2="Kidal", occurred_on="2018-05-02", reported_on="2018-05-03"
    )
    response = client.get(
        f"{API}/reports/service-gaps",
        params={"occurred_from": "2019-01-01", "occurred_to": "2019-12-31"},
    )
    assert response.status_code == 200, response.text
    gaps = response.json()
    assert gaps["localities_with_incidents"] == 9
    assert gaps["localities_without_service"] == 6
    assert gaps["share_without_service"] == 66.7
    rows = {(row["admin1"], row["admin2"]): row for row in gaps["localities"]}
    assert set(rows) == set(CENTRES + UNSERVED)  # Kidal's incident is outside the period
    assert rows[("Mopti", "Mopti")]["kinds_missing"] == [
        "police_security",
        "livelihoods",
        "child_protection",
        "education",
        "other",
    ]
    assert rows[("Mopti", "Bandiagara")]["has_service"] is False
    assert "health_medical" not in rows[("Mopti", "Bandiagara")]["kinds_missing_in_region"]
    assert "health_medical" in rows[("Ségou", "Niono")]["kinds_missing"]  # closed: no service
    assert rows[("Gao", "Ansongo")]["incidents"] == 1 and rows[("Gao", "Ansongo")]["victims"] == 1
    csv = client.get(f"{API}/reports/service-gaps.csv", params={"occurred_from": "2019-01-01"})
    assert csv.status_code == 200 and len(csv.text.splitlines()) == 10
    # Another organisation sees only incidents whose survivors consented to statistics, with
    # their figures protected: none of these did, so it sees no locality at all.
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    assert outsider.get(f"{API}/reports/service-gaps").json()["localities"] == []
    # One consenting survivor's incident: too few to show, so the district is not even named
    # (that would tell that something happened there), only counted as left out.
    create_incident(client, admin1="Gao", admin2="Bourem", victims=[SHARED_VICTIM])
    seen = outsider.get(f"{API}/reports/service-gaps").json()
    assert (seen["localities"], seen["localities_left_out"]) == ([], "<5")
    for _ in range(7):  # enough that the protected figure shows
        create_incident(client, admin1="Gao", admin2="Bourem", victims=[SHARED_VICTIM])
    seen = outsider.get(f"{API}/reports/service-gaps").json()
    [bourem] = seen["localities"]
    assert bourem["admin2"] == "Bourem" and seen["localities_left_out"] == 0
    assert isinstance(bourem["incidents"], int) and abs(bourem["incidents"] - 8) <= 2
    assert bourem["protected"] is True


def test_victims_referred_and_served_by_kind_and_status(client: TestClient, client_for) -> None:
    point = create_point(client)
    twice = _rape(client, "2019-03-01", "2019-03-02", victims=[SHARED_VICTIM])
    url = referrals_url(twice)
    first = refer(client, url, point, referred_on="2019-03-02").json()  # health, then provided
    move(
        client,
        move(client, first, "accepted", "2019-03-03").json(),
        "service_provided",
        "2019-03-03",
    )
    refer(client, url, point, service_kind="psychosocial")
    refer(client, url, point, service_kind="psychosocial")  # the same victim counts once
    other = _rape(client, "2019-03-01", "2019-03-02")
    refer(client, referrals_url(other), point, service_kind="psychosocial")
    by_kind = client.get(f"{API}/reports/referrals", params={"group_by": "service_kind"}).json()
    groups = {g["key"]: (g["victims_referred"], g["victims_served"]) for g in by_kind["groups"]}
    assert groups["health_medical"] == (1, 1)
    assert groups["psychosocial"] == (2, 0)
    assert groups["education"] == (0, 0)
    assert (by_kind["total"]["victims_referred"], by_kind["total"]["victims_served"]) == (2, 1)
    by_status = client.get(f"{API}/reports/referrals", params={"group_by": "referral_status"})
    statuses = {g["key"]: g["victims_referred"] for g in by_status.json()["groups"]}
    assert statuses["referred"] == 2 and statuses["service_provided"] == 1
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    theirs = outsider.get(f"{API}/reports/referrals").json()
    assert theirs["total"]["victims_referred"] == "<5" and theirs["total"]["protected"] is True
    bad = client.get(f"{API}/reports/referrals", params={"group_by": "victim"})
    assert bad.status_code == 422

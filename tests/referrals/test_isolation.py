"""Organisation B against organisation A's referrals: every route answers 404 or shows nothing,
and the service point's organisation sees referrals made to it without the survivor or notes."""

import uuid

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident, group_counts
from tests.referrals.helpers import create_point, move, refer, referable_victim, referrals_url

THIRD = "Association des Juristes Maliennes"
IDENTIFYING = {"incident_id", "victim_id", "history", "outside_name", "referred_by_id", "note"}


def test_another_organisation_never_sees_a_referral(client: TestClient, client_for) -> None:
    point = create_point(client)
    _incident, url = referable_victim(client)
    referral = refer(client, url, point, note="adresse: quartier Sévaré").json()
    outsider = client_for(Role.PROTECTION_ADVISER, organisation=THIRD)
    path = f"{API}/referrals/{referral['id']}"
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, json={"service_kind": "psychosocial"}).status_code in (404, 422)
    refused = refer(outsider, url, point)
    assert refused.status_code == 404
    assert outsider.get(path).status_code == 404
    assert move(outsider, referral, "accepted", "2019-03-21").status_code == 404
    assert outsider.get(f"{API}/referrals/received").json()["items"] == []
    assert outsider.get(f"{API}/referrals/{uuid.uuid4()}").status_code == 404
    # Nothing moved.
    assert client.get(path).json()["version"] == 1


def test_the_service_points_organisation_sees_it_de_identified(
    client: TestClient, client_for
) -> None:
    provider = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    point = create_point(provider, name="Centre One Stop de Mopti")
    _incident, url = referable_victim(client)
    referral = refer(client, url, point, note="nom: Aminata").json()
    received = provider.get(f"{API}/referrals/received")
    assert received.status_code == 200
    [item] = received.json()["items"]
    assert item["code"] == referral["code"]
    assert IDENTIFYING.isdisjoint(item) and "Aminata" not in received.text
    one = provider.get(f"{API}/referrals/{referral['id']}")
    assert one.status_code == 200 and IDENTIFYING.isdisjoint(one.json())
    assert "Aminata" not in one.text and str(referral["victim_id"]) not in one.text
    # It may move the status, but not write notes or follow-ups.
    accepted = move(provider, referral, "accepted", "2019-03-21")
    assert accepted.status_code == 200 and IDENTIFYING.isdisjoint(accepted.json())
    note = provider.patch(f"{API}/referrals/{referral['id']}", json={"note": "vue", "version": 2})
    assert note.status_code == 422
    assert move(provider, accepted.json(), "service_provided", "2019-03-22").status_code == 200
    history = client.get(f"{API}/referrals/{referral['id']}").json()["history"]
    assert [e["by_service_point"] for e in history] == [False, True, True]
    # It cannot reach the survivor's file nor the victim's list of referrals.
    assert provider.get(url).status_code == 404
    assert provider.get(f"{API}/incidents/{referral['incident_id']}").status_code == 404


def test_a_service_point_is_changed_only_by_its_organisation(
    client: TestClient, client_for
) -> None:
    point = create_point(client)
    other_admin = client_for(Role.ADMIN, organisation=NGO)
    path = f"{API}/service-points/{point['id']}"
    assert other_admin.get(path).status_code == 200  # the directory is every account's
    refused = other_admin.patch(path, json={"operating": False, "version": 1})
    assert refused.status_code == 403
    assert client.get(path).json()["operating"] is True
    changed = client.patch(path, json={"operating": False}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["operating"] is False
    assert client.patch(path, json={"operating": True, "version": 1}).status_code == 409
    # Another organisation is refused for who it is, whatever version it names: never told to
    # reload and reapply a change it can never make.
    for stale in ({"version": 1}, {"version": 7}):
        assert other_admin.patch(path, json={"operating": True, **stale}).status_code == 403
    assert (
        other_admin.patch(path, json={"operating": True}, headers={"If-Match": '"1"'}).status_code
        == 403
    )


def _what_the_provider_sees(provider: TestClient) -> list[object]:
    queries = [
        (f"{API}/stats", {"group_by": "referral_status"}),
        (f"{API}/stats", {"group_by": "service_kind", "measure": "victims_served"}),
        (f"{API}/stats", {"group_by": "admin1", "measure": "victims_served"}),
        (f"{API}/reports/72-hours", {"group_by": "region"}),
        (f"{API}/reports/referrals", {"group_by": "referral_status"}),
        (f"{API}/reports/referrals", {"group_by": "service_kind"}),
    ]
    answers = []
    for path, params in queries:
        response = provider.get(path, params=params)
        assert response.status_code == 200, (path, params, response.text)
        answers.append(response.json())
    return answers


def test_moving_a_received_referral_changes_no_figure_its_service_point_sees(
    client: TestClient, client_for
) -> None:
    """The service point's organisation can move a referral made to it at will: if the figures it
    sees moved with it, it could tell the survivor's incident's date, region and form of violence
    by narrowing filters. So its own received referrals count only for the referring side."""
    provider = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    point = create_point(provider, name="Centre One Stop de Mopti", kinds=["health_medical"])
    consenting = {"sex": "female", "age": 24, "consent": {"referral": True, "statistics": True}}
    incident = create_incident(
        client, occurred_on="2019-03-18", reported_on="2019-03-19", victims=[consenting]
    )
    referral = refer(client, referrals_url(incident), point, referred_on="2019-03-19").json()
    before = _what_the_provider_sees(provider)
    referrer_before = client.get(f"{API}/stats", params={"group_by": "referral_status"}).json()

    accepted = move(provider, referral, "accepted", "2019-03-19")
    assert accepted.status_code == 200, accepted.text
    served = move(provider, accepted.json(), "service_provided", "2019-03-20")
    assert served.status_code == 200, served.text

    assert _what_the_provider_sees(provider) == before
    # The referring organisation's own figures follow the referral, exactly.
    referrer_after = client.get(f"{API}/stats", params={"group_by": "referral_status"}).json()
    assert group_counts(referrer_before, "referral_status")["referred"] == (1, 1)
    assert group_counts(referrer_after, "referral_status")["service_provided"] == (1, 1)
    assert group_counts(referrer_after, "referral_status")["referred"] == (0, 0)


def test_moving_a_received_referral_changes_no_figure_a_third_organisation_sees(
    client: TestClient, client_for
) -> None:
    """Were a third organisation's figures to follow the service point's moves, anyone with an
    account on both sides (or two organisations comparing notes) would read, from the survivor
    the service point received, the date, region and form of violence of the referring
    organisation's incident. A referral to another organisation's service point counts only for
    the referring organisation."""
    provider = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    third = client_for(Role.PROTECTION_ADVISER, organisation=THIRD)
    point = create_point(provider, name="Centre One Stop de Mopti", kinds=["health_medical"])
    consenting = {"sex": "female", "age": 24, "consent": {"referral": True, "statistics": True}}
    incident = create_incident(
        client, occurred_on="2019-03-18", reported_on="2019-03-19", victims=[consenting]
    )
    referral = refer(client, referrals_url(incident), point, referred_on="2019-03-19").json()
    before = _what_the_provider_sees(third)

    accepted = move(provider, referral, "accepted", "2019-03-19")
    assert accepted.status_code == 200, accepted.text
    served = move(provider, accepted.json(), "service_provided", "2019-03-20")
    assert served.status_code == 200, served.text

    assert _what_the_provider_sees(third) == before
    referrer = client.get(f"{API}/stats", params={"group_by": "referral_status"}).json()
    assert group_counts(referrer, "referral_status")["service_provided"] == (1, 1)


def test_a_referral_to_the_referring_organisations_own_point_counts_for_others(
    client: TestClient, client_for
) -> None:
    """Only the referring organisation moves a referral to its own point: others count it."""
    point = create_point(client, name="Centre de santé de Sévaré", kinds=["health_medical"])
    consenting = {"sex": "female", "age": 24, "consent": {"referral": True, "statistics": True}}
    incident = create_incident(client, victims=[consenting])
    refer(client, referrals_url(incident), point)
    third = client_for(Role.REPORT_WRITER, organisation=THIRD)
    counts = third.get(f"{API}/stats", params={"group_by": "referral_status"}).json()
    assert counts["groups"][0]["key"] == {"referral_status": "referred"}
    assert counts["groups"][0]["victims"] == "<5"

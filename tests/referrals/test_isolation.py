"""Organisation B against organisation A's referrals: every route answers 404 or shows nothing,
and the service point's organisation sees referrals made to it without the survivor or notes."""

import uuid

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO
from tests.referrals.helpers import create_point, move, refer, referable_victim

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
    assert outsider.get(f"{API}/referrals/received").json() == []
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
    [item] = received.json()
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

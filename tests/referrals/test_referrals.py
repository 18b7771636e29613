"""Referring a victim: the consent gate, follow-ups with encrypted notes, versions and If-Match,
the directory, and bad input answered with 4xx naming the field."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import AuditEvent, ReferralEvent
from app.models.enums import Role
from tests.factories import API, create_incident, field_names, patch_incident
from tests.referrals.helpers import create_point, move, refer, referable_victim, referrals_url


def test_no_referral_without_the_survivors_consent_to_referral(client: TestClient) -> None:
    point = create_point(client)
    never_asked = create_incident(client)
    refused = create_incident(
        client, victims=[{"sex": "female", "age": 30, "consent": {"referral": False}}]
    )
    for incident in (never_asked, refused):
        response = refer(client, referrals_url(incident), point)
        assert response.status_code == 409, response.text
        assert "consent `referral`" in response.json()["detail"]
        assert field_names(response) == {"consent.referral"}
    assert client.get(referrals_url(never_asked)).json() == []


def test_withdrawing_consent_stops_new_referrals_and_is_recorded(client: TestClient) -> None:
    point = create_point(client)
    incident, url = referable_victim(client)
    first = refer(client, url, point)
    assert first.status_code == 201, first.text
    victim = incident["victims"][0]["id"]
    withdrawn = client.put(
        f"{API}/incidents/{incident['id']}/victims/{victim}/consent", json={"referral": False}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert refer(client, url, point).status_code == 409
    history = client.get(f"{API}/incidents/{incident['id']}/history").json()
    changes = [version["changes"] for version in history if version["action"] == "consent"]
    assert changes and "victims" in changes[-1]
    # The referral already made stays, and can still be followed up.
    assert [r["id"] for r in client.get(url).json()] == [first.json()["id"]]


def test_a_referral_and_its_follow_ups_keep_a_numbered_history(
    client: TestClient, app: FastAPI
) -> None:
    point = create_point(client)
    _incident, url = referable_victim(client)
    created = refer(
        client, url, point, note="Accompagnée par sa tante", next_follow_up_on="2019-03-22"
    )
    assert created.status_code == 201, created.text
    referral = created.json()
    assert referral["code"].startswith("RF-") and referral["status"] == "referred"
    assert created.headers["ETag"] == '"1"'
    accepted = move(client, referral, "accepted", "2019-03-21", note="Rendez-vous pris")
    assert accepted.status_code == 200, accepted.text
    follow_up = client.patch(
        f"{API}/referrals/{referral['id']}",
        json={"followed_up_on": "2019-03-22", "note": "Vue par la sage-femme", "version": 2},
    )
    assert follow_up.status_code == 200, follow_up.text
    read = client.get(f"{API}/referrals/{referral['id']}")
    body = read.json()
    assert read.headers["ETag"] == '"3"'
    assert [e["version"] for e in body["history"]] == [1, 2, 3]
    assert [e["note"] for e in body["history"]] == [
        "Accompagnée par sa tante",
        "Rendez-vous pris",
        "Vue par la sage-femme",
    ]
    assert body["history"][1]["from_status"] == "referred"
    assert body["history"][2]["followed_up_on"] == "2019-03-22"
    with app.state.session_factory() as session:
        stored = session.scalars(select(ReferralEvent.note_ciphertext)).all()
        assert all(b"tante" not in c and b"sage" not in c for c in stored if c)
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_id == referral["id"])
        ).all()
    assert {"referral.create", "referral.update", "referral.read"} <= set(actions)


def test_changes_name_the_version_they_are_based_on(client: TestClient) -> None:
    _incident, url = referable_victim(client)
    referral = refer(client, url, None, outside_name="Clinique privée").json()
    path = f"{API}/referrals/{referral['id']}"
    assert client.patch(path, json={"status": "accepted"}).status_code == 428
    assert move(client, referral, "accepted", "2019-03-21").status_code == 200
    stale = move(client, referral, "service_provided", "2019-03-22")  # still says version 1
    assert stale.status_code == 412
    body_stale = client.patch(path, json={"status": "service_provided", "version": 1})
    assert body_stale.status_code == 409
    for tag in ("9" * 5000, '"²"', '"٣"', "abc"):  # "²".isdigit() is true; int("²") fails
        headers = {"If-Match": tag.encode()}  # as sent on the wire: UTF-8 bytes
        garbage = client.patch(path, json={"status": "service_provided"}, headers=headers)
        assert garbage.status_code == 412, tag
    assert client.get(path).json()["status"] == "accepted"


def test_bad_input_is_named_never_a_server_error(client: TestClient) -> None:
    point = create_point(client, kinds=["psychosocial"])
    _incident, url = referable_victim(client)
    cases = {
        "service_point_id": {"service_point_id": None},  # neither a point nor a name
        "service_kind": {"service_kind": "health_medical"},  # not offered there
        "referred_on": {"referred_on": "2019-03-01"},  # before the incident
    }
    closed = create_point(client, name="Fermé", operating=False, kinds=["psychosocial"])
    response = refer(client, url, closed, service_kind="psychosocial")
    assert response.status_code == 422 and "service_point_id" in field_names(response)
    for field, overrides in cases.items():
        response = refer(client, url, point, **overrides)
        assert response.status_code == 422, (field, response.text)
        assert field in field_names(response), (field, response.text)
    for body, field in [
        ({"referred_on": "9999-12-31"}, "referred_on"),
        ({"referred_on": "0001-01-01"}, "referred_on"),
        ({"referred_on": "2019-02-30"}, "referred_on"),
        ({"note": "x" * 5001}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"outside_name": "nul\x00", "service_point_id": None}, "outside_name"),
        ({"service_kind": "witchcraft"}, "service_kind"),
    ]:
        response = refer(client, url, point, **{"service_kind": "psychosocial", **body})
        assert response.status_code == 422, (body, response.text)
        assert field in field_names(response), (body, response.text)
    referral = refer(client, url, point, service_kind="psychosocial").json()
    for body, field in [
        ({"status": "accepted", "status_on": "2019-03-01"}, "status_on"),
        ({"status": "accepted", "status_on": "9999-01-01"}, "status_on"),
        ({"note": "\x00"}, "note"),
        ({"followed_up_on": "1900-01-01"}, "followed_up_on"),
        ({}, "body"),
    ]:
        response = client.patch(f"{API}/referrals/{referral['id']}", json={**body, "version": 1})
        assert response.status_code == 422, (body, response.text)
        assert field in {e["field"] for e in response.json()["errors"]} | {"body"}, response.text


def test_the_directory_is_searched_by_place_and_kind(client: TestClient, client_for) -> None:
    mopti = create_point(client)
    create_point(client, name="Centre de Gao", admin1="Gao", admin2="Gao", kinds=["psychosocial"])
    create_point(client, name="Closed", admin1="Mopti", operating=False, kinds=["livelihoods"])
    writer = client_for(Role.REPORT_WRITER)

    def names(**params: str) -> list[str]:
        response = writer.get(f"{API}/service-points", params=params)
        assert response.status_code == 200, response.text
        return [point["name"] for point in response.json()]

    assert names(admin1="mopti", kind="health_medical") == [mopti["name"]]
    assert names(kind="psychosocial") == ["Centre de Gao", "Centre intégré de Mopti"]  # by place
    assert names(admin1="Mopti", operating="false") == ["Closed"]
    assert names(name="gao") == ["Centre de Gao"]
    assert writer.get(f"{API}/service-points", params={"kind": "x"}).status_code == 422
    assert writer.get(f"{API}/service-points", params={"admin1": "\x00"}).status_code == 422
    assert writer.post(f"{API}/service-points", json={}).status_code == 403
    nul = client.post(f"{API}/service-points", json={"name": "\x00", "kinds": [], "country": "XX"})
    assert nul.status_code == 422 and field_names(nul) == {"name"}  # refused before the rest
    bad = client.post(f"{API}/service-points", json={"name": "CSCOM", "kinds": [], "country": "XX"})
    assert bad.status_code == 422 and {"kinds", "country"} <= field_names(bad)


def test_an_edit_of_the_incident_never_erases_a_referral(client: TestClient) -> None:
    incident, url = referable_victim(client)
    referral = refer(client, url, None, outside_name="CSCOM de Sévaré").json()
    without_victim = patch_incident(client, incident, victims=[{"sex": "male", "age": 30}])
    assert without_victim.status_code == 409, without_victim.text
    assert client.get(f"{API}/referrals/{referral['id']}").status_code == 200
    assert len(client.get(f"{API}/incidents/{incident['id']}").json()["victims"]) == 1


def test_a_next_follow_up_is_planned_within_the_dates_the_service_accepts(
    client: TestClient,
) -> None:
    point = create_point(client)
    _incident, url = referable_victim(client)
    far = refer(client, url, point, next_follow_up_on="9999-12-31")
    assert far.status_code == 422 and field_names(far) == {"next_follow_up_on"}, far.text
    referral = refer(client, url, point, next_follow_up_on="2019-04-01").json()
    path = f"{API}/referrals/{referral['id']}"
    moved = client.patch(path, json={"next_follow_up_on": "9999-12-31", "version": 1})
    assert moved.status_code == 422 and field_names(moved) == {"next_follow_up_on"}, moved.text
    assert client.get(path).json()["next_follow_up_on"] == "2019-04-01"
    soon = client.patch(path, json={"next_follow_up_on": "2100-12-31", "version": 1})
    assert soon.status_code == 200 and soon.json()["next_follow_up_on"] == "2100-12-31"


def test_notes_are_withheld_until_a_required_second_factor_is_enrolled(
    client: TestClient, client_for
) -> None:
    """Notes may identify the survivor, as the summary may: they are read under the same rule."""
    point = create_point(client)
    _incident, url = referable_victim(client)
    referral = refer(client, url, point, note="nom: Aminata, quartier Sévaré").json()
    path = f"{API}/referrals/{referral['id']}"
    assert client.get(path).json()["history"][0]["note"] == "nom: Aminata, quartier Sévaré"
    admin = client_for(Role.ADMIN)
    required = {"required_for_identity_readers": True}
    assert admin.put(f"{API}/auth/second-factor-policy", json=required).status_code == 200
    withheld = client.get(path)
    assert withheld.status_code == 200 and "Aminata" not in withheld.text
    assert [event["version"] for event in withheld.json()["history"]] == [1]
    assert withheld.json()["history"][0]["note"] is None

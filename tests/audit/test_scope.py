"""Who reads the audit trail: an organisation's admins, their organisation's events only."""

from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident


def _events(client: TestClient, **params: object) -> list[dict[str, Any]]:
    response = client.get(f"{API}/audit", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _mission_activity(client: TestClient) -> dict[str, Any]:
    """An incident, an identity read and a consent decision, by the mission's adviser."""
    incident = create_incident(
        client, victims=[{"sex": "female", "age": 19, "identity": {"name": "Kadia"}}]
    )
    victim = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}"
    assert client.get(f"{victim}/identity").status_code == 200
    consent = client.put(f"{victim}/consent", json={"justice": False, "statistics": True})
    assert consent.status_code == 200, consent.text
    return incident


def test_another_organisations_admin_reads_none_of_its_events(
    client: TestClient, client_for
) -> None:
    """Reproduction: B's admin read A's incident ids, identity reads and consent decisions."""
    incident = _mission_activity(client)
    victim_id = incident["victims"][0]["id"]
    ngo_admin = client_for(Role.ADMIN, organisation=NGO)
    ngo_org = ngo_admin.get(f"{API}/auth/me").json()["organisation_id"]

    seen = _events(ngo_admin)
    assert seen, "the NGO's own events (its admin's login) are listed"
    assert {event["actor_organisation_id"] for event in seen} <= {ngo_org, None}
    text = str(seen)
    assert incident["id"] not in text and victim_id not in text
    for params in (
        {"record_id": incident["id"]},
        {"record_id": victim_id},
        {"action": "identity.read"},
        {"action": "consent.update"},
        {"user_id": client.get(f"{API}/auth/me").json()["user_id"]},
    ):
        assert _events(ngo_admin, **params) == [], params


def test_the_owning_organisations_admin_reads_its_events_and_consent_decisions(
    client: TestClient, client_for
) -> None:
    incident = _mission_activity(client)
    victim_id = incident["victims"][0]["id"]
    mission_admin = client_for(Role.ADMIN)

    assert [e["action"] for e in _events(mission_admin, record_id=victim_id)] == [
        "consent.update",
        "identity.read",
        "identity.update",
    ]
    consent = _events(mission_admin, record_id=victim_id, action="consent.update")[0]
    assert consent["details"] == {"justice": False, "statistics": True}
    on_incident = {e["action"] for e in _events(mission_admin, record_id=incident["id"])}
    assert "incident.create" in on_incident


def test_logins_of_an_organisations_users_are_its_events(client: TestClient, client_for) -> None:
    me = client.get(f"{API}/auth/me").json()
    failed = {"username": me["username"], "password": "not the password at all"}
    assert client.post(f"{API}/auth/token", data=failed).status_code == 401
    mission_admin = client_for(Role.ADMIN)
    ngo_admin = client_for(Role.ADMIN, organisation=NGO)

    own = _events(mission_admin, record_id=me["user_id"])
    assert {"auth.login", "auth.login_failed", "user.create"} <= {e["action"] for e in own}
    assert _events(ngo_admin, record_id=me["user_id"]) == []
    assert all(e["actor_username"] != me["username"] for e in _events(ngo_admin))

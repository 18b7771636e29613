"""Identifying details: encrypted at rest, read only by the owning advisers, and audited."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import AuditEvent, VictimIdentity
from app.models.enums import Role
from tests.factories import API, NGO, create_incident, patch_incident

NAME = "Fatoumata Diarra"
PHONE = "+223 76 00 00 00"


def _incident_with_identity(client: TestClient) -> dict[str, Any]:
    return create_incident(
        client,
        summary=f"{NAME} was taken from the market in Sévaré",
        victims=[
            {
                "sex": "female",
                "age": 17,
                "identity": {"name": NAME, "contact": PHONE, "address": "Quartier Mossinkoré"},
                "consent": {"statistics": True, "referral": True, "justice": False},
            },
            {"sex": "female", "age": 30},
        ],
    )


def _identity_path(incident: dict[str, Any], index: int = 0) -> str:
    return f"{API}/incidents/{incident['id']}/victims/{incident['victims'][index]['id']}/identity"


def test_adviser_reads_identity_and_each_read_is_audited(app: FastAPI, client: TestClient) -> None:
    incident = _incident_with_identity(client)
    first, second = incident["victims"]
    assert first["has_identity"] is True and second["has_identity"] is False
    assert {k: v["granted"] for k, v in first["consent"].items()} == {
        "statistics": True,
        "referral": True,
        "justice": False,
    }
    assert NAME not in str(incident)  # the create response does not echo identity

    details = client.get(_identity_path(incident))
    assert details.status_code == 200
    assert details.json() == {
        "name": NAME,
        "contact": PHONE,
        "address": "Quartier Mossinkoré",
        "notes": None,
        "survivor_code": None,
    }
    with app.state.session_factory() as session:
        reads = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "identity.read", AuditEvent.record_id == first["id"]
            )
        ).all()
        stored = session.scalars(select(VictimIdentity.ciphertext)).all()
    assert len(reads) == 1 and reads[0].fields == ["address", "contact", "name"]
    assert all(NAME.encode() not in bytes(ciphertext) for ciphertext in stored)


def test_summary_is_shown_only_on_the_detail_view(client: TestClient) -> None:
    incident = _incident_with_identity(client)
    assert incident["summary"] is None and incident["has_summary"] is True
    listed = client.get(f"{API}/incidents").json()["items"]
    assert listed[0]["summary"] is None
    detail = client.get(f"{API}/incidents/{incident['id']}").json()
    assert detail["summary"] == f"{NAME} was taken from the market in Sévaré"


def test_identity_is_hidden_from_other_organisations_and_other_roles(
    client: TestClient, client_for
) -> None:
    incident = _incident_with_identity(client)
    path = _identity_path(incident)
    assert client_for(Role.PROTECTION_ADVISER, organisation=NGO).get(path).status_code == 404
    for role in (Role.REPORT_WRITER, Role.JUDICIAL_TRACKER, Role.ADMIN):
        response = client_for(role).get(path)
        assert response.status_code == 403, role
        assert NAME not in response.text


def test_identity_can_be_replaced_and_erased(client: TestClient) -> None:
    incident = _incident_with_identity(client)
    path = _identity_path(incident, 1)
    written = client.put(path, json={"name": "Awa K."}, headers={"If-Match": '"none"'})
    assert written.status_code == 204
    assert client.get(path).json()["name"] == "Awa K."
    erased = client.put(path, json={}, headers={"If-Match": written.headers["ETag"]})
    assert erased.status_code == 204 and erased.headers["ETag"] == '"none"'
    assert client.get(path).json() == {
        "name": None,
        "contact": None,
        "address": None,
        "notes": None,
        "survivor_code": None,
    }
    detail = client.get(f"{API}/incidents/{incident['id']}").json()
    assert detail["victims"][1]["has_identity"] is False


def test_patch_keeps_identity_unless_it_is_sent(client: TestClient) -> None:
    incident = _incident_with_identity(client)
    first, second = incident["victims"]
    response = patch_incident(
        client,
        incident,
        **{
            "victims": [
                {"id": first["id"], "sex": "female", "age": 18},
                {"id": second["id"], "sex": "female", "age": 30, "identity": {"notes": "widow"}},
            ]
        },
    )
    assert response.status_code == 200, response.text
    assert client.get(_identity_path(incident)).json()["name"] == NAME
    assert client.get(_identity_path(incident, 1)).json()["notes"] == "widow"


def test_consent_is_recorded_with_who_and_when(client: TestClient, client_for) -> None:
    incident = _incident_with_identity(client)
    victim = incident["victims"][1]
    path = f"{API}/incidents/{incident['id']}/victims/{victim['id']}/consent"
    response = client.put(path, json={"statistics": True, "justice": False})
    assert response.status_code == 200
    consent = response.json()["consent"]
    me = client.get(f"{API}/auth/me").json()
    assert consent["statistics"]["granted"] is True
    assert consent["statistics"]["recorded_by_id"] == me["user_id"]
    assert "referral" not in consent
    cleared = client.put(path, json={"statistics": None}).json()["consent"]
    assert set(cleared) == {"justice"}
    events = (
        client_for(Role.ADMIN)
        .get(f"{API}/audit", params={"record_id": victim["id"], "action": "consent.update"})
        .json()["items"]
    )
    assert [e["details"] for e in reversed(events)] == [
        {"justice": False, "statistics": True},
        {"statistics": None},
    ]


def test_identity_write_of_an_unknown_victim_is_404(client: TestClient) -> None:
    incident = _incident_with_identity(client)
    path = f"{API}/incidents/{incident['id']}/victims/{incident['id']}/identity"
    assert client.put(path, json={"name": NAME}).status_code == 404

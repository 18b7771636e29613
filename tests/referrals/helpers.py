"""Builders for the service directory and referrals, through the HTTP API."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import API, create_incident

REFERRAL_VICTIM = {"sex": "female", "age": 24, "consent": {"referral": True}}


def create_point(client: TestClient, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Centre intégré de Mopti",
        "kinds": ["health_medical", "psychosocial", "legal_assistance"],
        "clinical_management_of_rape": True,
        "country": "ML",
        "admin1": "Mopti",
        "admin2": "Mopti",
    }
    body.update(overrides)
    response = client.post(f"{API}/service-points", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def referable_victim(client: TestClient, **overrides: Any) -> tuple[dict[str, Any], str]:
    """An incident whose victim consented to referral, and that victim's referrals URL."""
    incident = create_incident(client, victims=[REFERRAL_VICTIM], **overrides)
    return incident, referrals_url(incident)


def referrals_url(incident: dict[str, Any], index: int = 0) -> str:
    victim = incident["victims"][index]["id"]
    return f"{API}/incidents/{incident['id']}/victims/{victim}/referrals"


def refer(client: TestClient, url: str, point: dict[str, Any] | None, **fields: Any) -> Any:
    body: dict[str, Any] = {"service_kind": "health_medical", "referred_on": "2019-03-20"}
    if point is not None:
        body["service_point_id"] = point["id"]
    body.update(fields)
    return client.post(url, json=body)


def move(client: TestClient, referral: dict[str, Any], status: str, on: str, **extra: Any) -> Any:
    body = {"status": status, "status_on": on, **extra}
    return client.patch(
        f"{API}/referrals/{referral['id']}",
        json=body,
        headers={"If-Match": f'"{referral["version"]}"'},
    )

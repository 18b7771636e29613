"""An organisation's incidents are invisible to other organisations, except in aggregates."""

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident


def test_other_organisations_advisers_cannot_know_an_incident_exists(
    client: TestClient, client_for
) -> None:
    mission_incident = create_incident(client)
    ngo_adviser = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    ngo_incident = create_incident(ngo_adviser)
    path = f"{API}/incidents/{mission_incident['id']}"

    assert ngo_adviser.get(path).status_code == 404  # 404, not 403: existence is not disclosed
    assert ngo_adviser.patch(path, json={"admin1": "Gao"}).status_code == 404
    assert ngo_adviser.delete(path).status_code == 404
    listed = ngo_adviser.get(f"{API}/incidents").json()["items"]
    assert [item["id"] for item in listed] == [ngo_incident["id"]]
    assert client.get(path).json()["admin1"] == "Mopti"
    assert client.get(path).json()["archived_at"] is None


def test_incident_reports_its_owner_to_its_own_advisers(client: TestClient) -> None:
    me = client.get(f"{API}/auth/me").json()
    created = create_incident(client)
    assert created["organisation_id"] == me["organisation_id"]

"""The registry of named armed parties."""

import uuid

from fastapi.testclient import TestClient

from tests.factories import API, create_armed_party, field_names


def test_registered_party_is_listed_and_readable(client: TestClient) -> None:
    party = create_armed_party(client, "Ansar Eddine", country="ml", acronym="AE")
    assert party["country"] == "ML"
    create_armed_party(client, "Forces armées maliennes", "state_security_forces", acronym="FAMa")
    listed = client.get(f"{API}/armed-parties").json()
    assert listed["total"] == 2
    assert [p["name"] for p in listed["items"]] == ["Ansar Eddine", "Forces armées maliennes"]
    assert client.get(f"{API}/armed-parties/{party['id']}").json() == party


def test_parties_filter_by_category(client: TestClient) -> None:
    create_armed_party(client, "Ansar Eddine")
    create_armed_party(client, "Forces armées maliennes", "state_security_forces")
    listed = client.get(f"{API}/armed-parties", params={"category": "state_security_forces"}).json()
    assert [p["name"] for p in listed["items"]] == ["Forces armées maliennes"]


def test_same_name_in_another_case_or_spacing_is_a_conflict(client: TestClient) -> None:
    create_armed_party(client, "Ansar Eddine")
    response = client.post(
        f"{API}/armed-parties",
        json={"name": "  ansar   EDDINE ", "category": "non_state_armed_group"},
    )
    assert response.status_code == 409
    assert field_names(response) == {"name"}
    assert client.get(f"{API}/armed-parties").json()["total"] == 1


def test_bad_party_is_refused(client: TestClient) -> None:
    response = client.post(f"{API}/armed-parties", json={"name": "", "category": "rebels"})
    assert response.status_code == 422
    assert field_names(response) == {"name", "category"}
    assert client.get(f"{API}/armed-parties/{uuid.uuid4()}").status_code == 404

"""Small builders for request bodies, and helpers that go through the HTTP API as users do."""

from typing import Any

from fastapi.testclient import TestClient

API = "/api/v1"


def incident_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "occurred_on": "2019-03-14",
        "reported_on": "2019-03-20",
        "country": "ML",
        "admin1": "Mopti",
        "admin2": "Bandiagara",
        "violations": ["rape"],
        "source": "gbvims",
        "victims": [{"sex": "female", "age": 24}],
        "perpetrators": [{"category": "unidentified_armed_element"}],
    }
    payload.update(overrides)
    return payload


def create_incident(client: TestClient, **overrides: Any) -> dict[str, Any]:
    response = client.post(f"{API}/incidents", json=incident_payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def create_armed_party(
    client: TestClient,
    name: str = "Ansar Eddine",
    category: str = "non_state_armed_group",
    **extra: Any,
) -> dict[str, Any]:
    response = client.post(
        f"{API}/armed-parties", json={"name": name, "category": category, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def stats(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/stats", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def group_counts(result: dict[str, Any], dimension: str) -> dict[Any, tuple[int, int]]:
    """{value: (incidents, victims)} for a one-dimension result."""
    return {g["key"][dimension]: (g["incidents"], g["victims"]) for g in result["groups"]}


def field_names(response: Any) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}

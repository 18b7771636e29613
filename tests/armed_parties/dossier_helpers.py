"""Builders for dossier tests: verified incidents of a named party, through the API."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import API, create_incident

CONSENTING = {"sex": "female", "age": 24, "consent": {"statistics": True}}


def party_incident(
    client: TestClient,
    party: dict[str, Any],
    occurred_on: str,
    status: str = "verified",
    **overrides: Any,
) -> dict[str, Any]:
    """An incident of `party` on that day, recorded with that verification status."""
    year = occurred_on[:4]
    fields: dict[str, Any] = {
        "occurred_on": occurred_on,
        "reported_on": f"{year}-12-31" if occurred_on < f"{year}-12-31" else occurred_on,
        "verification_status": status,
        "victims": [CONSENTING],
        "perpetrators": [{"category": party["category"], "armed_party_id": party["id"]}],
        **overrides,
    }
    return create_incident(client, **fields)


def party_incidents(
    client: TestClient, party: dict[str, Any], per_year: dict[int, int], **overrides: Any
) -> None:
    for year, count in per_year.items():
        for number in range(count):
            party_incident(client, party, f"{year}-0{number % 9 + 1}-10", **overrides)


def dossier(client: TestClient, party: dict[str, Any], **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/armed-parties/{party['id']}/dossier", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def patterns(client: TestClient, year: int) -> dict[str, Any]:
    response = client.get(f"{API}/armed-parties/patterns", params={"year": year})
    assert response.status_code == 200, response.text
    return response.json()


def set_rule(client: TestClient, minimum: int, required: int, window: int, **extra: Any) -> Any:
    body = {
        "min_incidents_per_year": minimum,
        "years_required": required,
        "window_years": window,
        **extra,
    }
    return client.put(f"{API}/armed-parties/pattern-rule", json=body)


def names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["party"]["name"] for row in rows]

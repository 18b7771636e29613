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


def test_each_organisation_pages_through_its_own_incidents_only(
    client: TestClient, client_for
) -> None:
    """The unfiltered list, asked page by page by two organisations in turn (its statement is
    built once and shared), gives each its own incidents; another's cursor shows none of theirs."""
    ngo_adviser = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    ours = {create_incident(client)["id"] for _ in range(3)}
    theirs = {create_incident(ngo_adviser)["id"] for _ in range(3)}
    seen: dict[TestClient, set[str]] = {client: set(), ngo_adviser: set()}
    cursors: dict[TestClient, str | None] = {client: None, ngo_adviser: None}
    for _ in range(3):
        for reader in (client, ngo_adviser):
            cursor = cursors[reader]
            params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
            page = reader.get(f"{API}/incidents", params=params).json()
            seen[reader] |= {item["id"] for item in page["items"]}
            cursors[reader] = page["next_cursor"]
    assert seen == {client: ours, ngo_adviser: theirs}
    first = client.get(f"{API}/incidents", params={"limit": 1}).json()["next_cursor"]
    after_ours = ngo_adviser.get(f"{API}/incidents", params={"cursor": first}).json()["items"]
    assert {item["id"] for item in after_ours} <= theirs

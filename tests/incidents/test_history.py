"""Versions: every change kept, stale updates refused, no update lost under concurrency."""

from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import API, create_incident, patch_incident, verify


def test_history_keeps_old_and_new_values_and_names_identifying_changes(
    client: TestClient,
) -> None:
    incident = create_incident(client, admin2="Bandiagara")
    victim = incident["victims"][0]
    response = patch_incident(
        client,
        incident,
        admin2="Djenné",
        summary="Met at the market",
        victims=[{"id": victim["id"], "sex": "female", "age": 24, "identity": {"name": "Aïssata"}}],
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    verify(client, updated, "pending_verification")

    versions = client.get(f"{API}/incidents/{incident['id']}/history").json()
    assert [(v["version"], v["action"]) for v in versions] == [
        (1, "create"),
        (2, "update"),
        (3, "verification"),
    ]
    change = versions[1]["changes"]
    assert change["admin2"] == {"old": "Bandiagara", "new": "Djenné"}
    assert change["summary"] == {"changed": True}
    assert change["victims.identity"] == {"changed": True}
    assert "Aïssata" not in str(versions) and "market" not in str(versions)
    assert versions[2]["changes"]["verification_status"] == {
        "old": "reported",
        "new": "pending_verification",
    }
    assert versions[1]["changed_by_username"].startswith("protection-adviser")


def test_changes_must_name_their_base_version(client: TestClient) -> None:
    incident = create_incident(client)
    path = f"{API}/incidents/{incident['id']}"
    missing = client.patch(path, json={"admin1": "Gao"})
    assert missing.status_code == 428
    etag = client.get(path).headers["ETag"]
    assert etag == '"1"'
    assert client.patch(path, json={"admin1": "Gao"}, headers={"If-Match": etag}).status_code == 200
    stale_header = client.patch(path, json={"admin1": "Kidal"}, headers={"If-Match": etag})
    assert stale_header.status_code == 412
    stale_body = client.patch(path, json={"admin1": "Kidal", "version": 1})
    assert stale_body.status_code == 409
    assert "version 2" in stale_body.json()["detail"]
    assert client.get(path).json()["admin1"] == "Gao"


def test_concurrent_edits_on_one_version_let_exactly_one_through(
    app: FastAPI, client: TestClient
) -> None:
    incident = create_incident(client)

    def edit(region: str) -> int:
        worker = TestClient(app, headers=client.headers)
        return patch_incident(worker, incident, admin1=region).status_code

    regions = ["Gao", "Kidal", "Ménaka", "Ségou", "Tombouctou", "Kayes"]
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(edit, regions))
    assert sorted(statuses) == [200] + [409] * 5
    final = client.get(f"{API}/incidents/{incident['id']}").json()
    assert final["version"] == 2 and final["admin1"] in regions


def test_no_update_is_lost_when_writers_retry_on_conflict(app: FastAPI, client: TestClient) -> None:
    incident = create_incident(client, violations=["rape"])
    additions = [
        "sexual_slavery",
        "forced_prostitution",
        "forced_pregnancy",
        "forced_abortion",
        "enforced_sterilization",
        "forced_marriage",
        "sexual_mutilation",
    ]

    def add(violation: str) -> int:
        worker = TestClient(app, headers=client.headers)
        for attempt in range(50):
            current = worker.get(f"{API}/incidents/{incident['id']}")
            body = {"violations": [*current.json()["violations"], violation]}
            response = worker.patch(
                f"{API}/incidents/{incident['id']}",
                json=body,
                headers={"If-Match": current.headers["ETag"]},
            )
            if response.status_code == 200:
                return attempt
            assert response.status_code in (409, 412), response.text
        raise AssertionError("gave up")

    with ThreadPoolExecutor(max_workers=len(additions)) as pool:
        list(pool.map(add, additions))
    final = client.get(f"{API}/incidents/{incident['id']}").json()
    assert sorted(final["violations"]) == sorted(["rape", *additions])
    assert final["version"] == 1 + len(additions)
    history = client.get(f"{API}/incidents/{incident['id']}/history").json()
    assert [v["version"] for v in history] == list(range(1, len(additions) + 2))

"""Retried creates and batch imports: nothing doubled, nothing half-stored."""

from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.incidents.schemas import MAX_BATCH_VICTIMS
from tests.factories import API, field_names, incident_payload, stats


def _count(client: TestClient) -> int:
    return len(client.get(f"{API}/incidents", params={"limit": 200}).json()["items"])


def test_a_retried_create_returns_the_first_incident(client: TestClient) -> None:
    headers = {"Idempotency-Key": "tablet-7/2019-03-14/1"}
    first = client.post(f"{API}/incidents", json=incident_payload(), headers=headers)
    retry = client.post(f"{API}/incidents", json=incident_payload(), headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert _count(client) == 1
    other = client.post(
        f"{API}/incidents", json=incident_payload(), headers={"Idempotency-Key": "another"}
    )
    assert other.json()["id"] != first.json()["id"]


def test_a_key_reused_for_a_different_incident_is_refused(client: TestClient) -> None:
    headers = {"Idempotency-Key": "k-1"}
    client.post(f"{API}/incidents", json=incident_payload(), headers=headers)
    response = client.post(f"{API}/incidents", json=incident_payload(admin1="Gao"), headers=headers)
    assert response.status_code == 422
    assert _count(client) == 1


def test_keys_belong_to_their_user(client: TestClient, client_for) -> None:
    from app.models.enums import Role

    colleague = client_for(Role.PROTECTION_ADVISER)
    headers = {"Idempotency-Key": "same-key"}
    mine = client.post(f"{API}/incidents", json=incident_payload(), headers=headers)
    theirs = colleague.post(f"{API}/incidents", json=incident_payload(), headers=headers)
    assert mine.json()["id"] != theirs.json()["id"]


def test_simultaneous_retries_create_one_incident(app: FastAPI, client: TestClient) -> None:
    def send(_: int) -> str:
        worker = TestClient(app, headers={**client.headers, "Idempotency-Key": "flaky-link"})
        response = worker.post(f"{API}/incidents", json=incident_payload())
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(send, range(12)))
    assert len(ids) == 1
    assert _count(client) == 1


def test_a_failed_create_does_not_burn_its_key(client: TestClient) -> None:
    headers = {"Idempotency-Key": "retry-after-fix"}
    bad = client.post(f"{API}/incidents", json=incident_payload(source="radio"), headers=headers)
    assert bad.status_code == 422
    good = client.post(f"{API}/incidents", json=incident_payload(), headers=headers)
    assert good.status_code == 201


def test_batch_stores_every_row_or_none(client: TestClient) -> None:
    rows = [incident_payload(admin1=region) for region in ("Mopti", "Gao", "Kidal")]
    response = client.post(f"{API}/incidents:batch", json={"incidents": rows})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["count"] == 3
    assert [item["reference"] for item in body["created"]] == [
        "ML-2019-MHRAPD-000001",
        "ML-2019-MHRAPD-000002",
        "ML-2019-MHRAPD-000003",
    ]
    assert stats(client, group_by="admin1")["total"]["incidents"] == 3


def test_batch_with_one_bad_row_stores_nothing_and_names_row_and_field(
    client: TestClient,
) -> None:
    rows = [incident_payload() for _ in range(5)]
    rows[3] = incident_payload(victims=[{"sex": "female", "age": 250}])
    rows[4] = incident_payload(reported_on="2019-01-01")
    response = client.post(f"{API}/incidents:batch", json={"incidents": rows})
    assert response.status_code == 422
    assert field_names(response) == {"incidents[3].victims[0].age", "incidents[4].reported_on"}
    assert (
        "2 of 5 incidents have errors (rows 3, 4); nothing was stored" in response.json()["detail"]
    )
    assert _count(client) == 0
    # and no reference number was used up
    one = client.post(f"{API}/incidents", json=incident_payload()).json()
    assert one["reference"] == "ML-2019-MHRAPD-000001"


def test_batch_is_limited_to_a_thousand(client: TestClient) -> None:
    response = client.post(
        f"{API}/incidents:batch", json={"incidents": [incident_payload()] * 1001}
    )
    assert response.status_code == 422 and field_names(response) == {"incidents"}


def test_batch_is_limited_in_victims_and_says_so(client: TestClient) -> None:
    many = [{"sex": "female", "age": 30}] * 500
    rows = [incident_payload(victims=many) for _ in range(MAX_BATCH_VICTIMS // 500)]
    rows.append(incident_payload())  # one victim over the limit
    response = client.post(f"{API}/incidents:batch", json={"incidents": rows})
    assert response.status_code == 422 and field_names(response) == {"incidents"}
    assert f"at most {MAX_BATCH_VICTIMS} victims" in response.text
    assert _count(client) == 0


def test_batch_references_follow_each_country_and_year_counter(client: TestClient) -> None:
    first = client.post(f"{API}/incidents", json=incident_payload()).json()
    code = first["reference"].split("-")[2]  # the organisation's: ML-2019-MHRAPD-000001
    rows = [
        incident_payload(),
        incident_payload(occurred_on="2020-02-01", reported_on="2020-02-03"),
        incident_payload(),
    ]
    response = client.post(f"{API}/incidents:batch", json={"incidents": rows})
    assert response.status_code == 201, response.text
    references = [item["reference"] for item in response.json()["created"]]
    assert references == [
        f"ML-2019-{code}-000002",
        f"ML-2020-{code}-000001",
        f"ML-2019-{code}-000003",
    ]
    stored = [
        client.get(f"{API}/incidents/{item['id']}").json()["reference"]
        for item in response.json()["created"]
    ]
    assert stored == references
    after = client.post(f"{API}/incidents", json=incident_payload()).json()
    assert after["reference"] == f"ML-2019-{code}-000004"


def test_a_retried_batch_returns_what_the_first_created(client: TestClient) -> None:
    headers = {"Idempotency-Key": "tablet-7/batch/2019-03"}
    body = {"incidents": [incident_payload(), incident_payload(admin1="Gao")]}
    first = client.post(f"{API}/incidents:batch", json=body, headers=headers)
    retry = client.post(f"{API}/incidents:batch", json=body, headers=headers)
    assert first.status_code == retry.status_code == 201, retry.text
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(client) == 2
    other = {"incidents": [incident_payload(admin1="Kidal")]}
    refused = client.post(f"{API}/incidents:batch", json=other, headers=headers)
    assert refused.status_code == 422
    single = client.post(f"{API}/incidents", json=incident_payload(), headers=headers)
    assert single.status_code == 422  # the key was a batch's
    assert _count(client) == 2


def test_simultaneous_retries_of_a_batch_create_it_once(app: FastAPI, client: TestClient) -> None:
    headers = {"Idempotency-Key": "retry-storm"}
    body = {"incidents": [incident_payload(), incident_payload(admin1="Gao")]}
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(
                lambda _: client.post(f"{API}/incidents:batch", json=body, headers=headers),
                range(4),
            )
        )
    assert {answer.status_code for answer in answers} <= {201, 409}
    created = [answer.json() for answer in answers if answer.status_code == 201]
    assert created and all(item == created[0] for item in created)
    assert _count(client) == 2

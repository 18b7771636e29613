"""Concurrent writers: each incident gets its own reference, none is lost, the audit chain holds."""

from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.audit.chain import verify_chain
from app.counting import rollup
from tests.factories import API, create_armed_party, incident_payload


def test_concurrent_creates_get_distinct_consecutive_references(
    app: FastAPI, client: TestClient
) -> None:
    party = create_armed_party(client)
    # Naming the party makes each request read before it writes: the case where SQLite's
    # deferred transactions would fail with "database is locked" instead of waiting.
    body = incident_payload(perpetrators=[{"armed_party_id": party["id"]}])

    def create(_: int) -> tuple[int, str]:
        # One client per thread: each request runs in its own worker, as under a real server.
        response = TestClient(app, headers=client.headers).post(f"{API}/incidents", json=body)
        return response.status_code, response.json().get("reference", response.text)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(create, range(40)))

    assert [status for status, _ in results] == [201] * 40, results
    references = sorted(reference for _, reference in results)
    assert references == [f"ML-2019-MHRAPD-{n:06d}" for n in range(1, 41)]
    listed = client.get(f"{API}/incidents", params={"limit": 100}).json()["items"]
    assert len(listed) == 40
    # All forty added to the same rows of the statistics' kept counts at once; none was lost.
    by_perpetrator = client.get(f"{API}/stats", params={"group_by": "perpetrator_category"})
    assert by_perpetrator.json()["total"]["incidents"] == 40
    with app.state.engine.connect() as connection:
        assert rollup.mismatches(connection) == []
    # Every writer appended to the audit chain; it must still be one unbroken line.
    with app.state.session_factory() as session:
        report = verify_chain(session, app.state.audit_key)
    assert report.intact, report

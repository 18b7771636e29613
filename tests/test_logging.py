"""Logs are JSON lines that never carry request bodies, query strings or stored values."""

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from app.core.logging import JsonLinesFormatter
from tests.factories import API, create_incident, incident_payload, patch_incident

SENSITIVE = "Aminata-Traore-70000000"


def test_access_log_keeps_route_status_and_duration_only(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    created = create_incident(client, summary=f"Survivor {SENSITIVE} at the market")
    client.get(f"{API}/incidents", params={"admin1": SENSITIVE})
    client.post(f"{API}/incidents", json=incident_payload(victims=[{"sex": SENSITIVE}]))
    patch_incident(client, created, summary=SENSITIVE)

    # httpx's own lines are the test client's, not the service's.
    service_records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    lines = [JsonLinesFormatter().format(record) for record in service_records]
    assert lines, "the requests were not logged at all"
    assert all(SENSITIVE not in line for line in lines)
    access = [json.loads(line) for line in lines if '"crsv_registry.access"' in line]
    assert {(entry["method"], entry["route"], entry["status"]) for entry in access} == {
        ("POST", "/api/v1/incidents", 201),
        ("GET", "/api/v1/incidents", 200),
        ("POST", "/api/v1/incidents", 422),
        ("PATCH", "/api/v1/incidents/{incident_id}", 200),
    }
    assert all(isinstance(entry["duration_ms"], float) for entry in access)


def test_access_log_notes_requests_no_route_matched(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    client.get(f"{API}/no-such-thing/{SENSITIVE}")
    access = [r for r in caplog.records if r.name == "crsv_registry.access"]
    assert [(r.method, r.route, r.status) for r in access] == [("GET", "unmatched", 404)]  # type: ignore[attr-defined]
    service_records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert all(SENSITIVE not in JsonLinesFormatter().format(r) for r in service_records)


def test_body_cut_off_at_the_limit_is_noted_not_logged_as_an_error(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sent: list[dict[str, object]] = []
    messages = iter(
        [
            {"type": "http.request", "body": b"username=" + b"a" * 2**20, "more_body": True},
            {"type": "http.request", "body": b"a" * 2**20, "more_body": True},
        ]
    )

    async def receive() -> dict[str, object]:
        return next(messages)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/incidents/new",
        "raw_path": b"/incidents/new",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"transfer-encoding", b"chunked"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    # In a thread of its own: a browser test earlier in the run may leave this thread's event
    # loop running, and asyncio.run refuses to start inside one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, client.app(scope, receive, send)).result()  # type: ignore[arg-type]

    start = next(message for message in sent if message["type"] == "http.response.start")
    assert start["status"] == 413  # the client is told; the application sees it leave
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("client disconnected" in r.getMessage() for r in caplog.records)

"""A request that waits for a row lock longer than DATABASE_LOCK_TIMEOUT is answered at once with
503 and Retry-After, and saves nothing, instead of waiting for good (PostgreSQL)."""

import time

import psycopg
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.core.errors import PROBLEM_JSON
from tests.factories import API, create_incident, incident_payload


def _lock_counter(database_url: str, prefix: str) -> psycopg.Connection:
    """Another session holding the country-year counter's row lock, as a long write would."""
    url = make_url(database_url).set(drivername="postgresql")
    holder = psycopg.connect(url.render_as_string(hide_password=False))
    # If the request waited anyway, the server ends this session and the test fails, not hangs.
    holder.execute("SET idle_in_transaction_session_timeout = '20s'")
    holder.execute("SELECT 1 FROM reference_counters WHERE prefix = %s FOR UPDATE", (prefix,))
    return holder


def test_a_lock_held_longer_than_the_lock_timeout_gives_503_not_a_hang(
    client: TestClient, impatient_app: FastAPI, database_url: str
) -> None:
    first = create_incident(client)  # the organisation's ML-2019 counter exists
    impatient = TestClient(impatient_app, headers=client.headers)
    holder = _lock_counter(database_url, first["reference"].rsplit("-", 1)[0])
    try:
        started = time.monotonic()
        response = impatient.post(f"{API}/incidents", json=incident_payload())
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert int(response.headers["retry-after"]) > 0
    assert "nothing was saved" in response.json()["detail"]
    assert waited < 10  # the lock timeout, not the holder's 20 s
    listed = client.get(f"{API}/incidents").json()["items"]
    assert len(listed) == 1  # the refused incident was not stored
    # With the lock gone, the same request goes through.
    assert impatient.post(f"{API}/incidents", json=incident_payload()).status_code == 201

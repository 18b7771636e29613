"""Two instances of the service on one PostgreSQL database, as behind a load balancer.

The service keeps no state of its own: logins, creates and edits spread over two servers must
leave the same database as one server would. The kept counts equal a recount, the audit chain
verifies, no successful edit is lost and every losing edit is refused.
"""

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.audit.chain import verify_chain
from app.counting import rollup
from app.models import Incident
from app.models.enums import Role
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.factories import API, PASSWORD, incident_payload, make_user
from tests.live_server import live_server

CLIENTS = 8
CREATES_EACH = 3
ADDED_VIOLATIONS = ["sexual_slavery", "forced_marriage", "forced_prostitution", "sexual_mutilation"]
T = TypeVar("T")


@pytest.fixture
def servers(client: TestClient, database_url: str, backend: str) -> Iterator[list[str]]:
    if backend != "postgresql":
        pytest.skip("several instances share a PostgreSQL database; SQLite is one process's file")
    # After `client`, so they stop before its wipe.
    with (
        live_server(database_url, TEST_ENCRYPTION_KEY) as first,
        live_server(database_url, TEST_ENCRYPTION_KEY) as second,
    ):
        yield [first, second]


def _all_at_once(count: int, work: Callable[[int], T]) -> list[T]:
    """`work(0..count-1)` in threads released together, so the requests really overlap."""
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        barrier.wait(timeout=30)
        return work(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count), timeout=120))


def _log_in(url: str, username: str, password: str = PASSWORD) -> httpx.Response:
    form = {"username": username, "password": password}
    return httpx.post(f"{url}{API}/auth/token", data=form, timeout=30)


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _patch(browser: httpx.Client, incident_id: str, version: int, **changes: Any) -> httpx.Response:
    headers = {"If-Match": f'"{version}"'}
    return browser.patch(f"{API}/incidents/{incident_id}", json=changes, headers=headers)


def _contest(browsers: list[httpx.Client], incident_id: str) -> None:
    """Every browser edits version 1 at once: exactly one wins, the others are refused.

    412 when the If-Match was already stale on reading; 409 when the loser read version 1 before
    the winner committed and its write found the row changed.
    """
    sites = [f"Site {uuid.uuid4().hex[:6]}" for _ in browsers]
    statuses = _all_at_once(
        len(browsers), lambda i: _patch(browsers[i], incident_id, 1, admin2=sites[i]).status_code
    )
    assert statuses.count(200) == 1
    assert set(statuses) - {200} <= {409, 412}
    final = browsers[0].get(f"{API}/incidents/{incident_id}").json()
    assert final["admin2"] == sites[statuses.index(200)]
    assert final["version"] == 2


def test_logins_creates_and_edits_over_two_instances_keep_the_database_whole(
    app: FastAPI, servers: list[str]
) -> None:
    advisers = [make_user(app, Role.PROTECTION_ADVISER) for _ in range(CLIENTS // 2)]
    # Logins: each adviser on both servers at once; a token from one is good on the other.
    logins = _all_at_once(CLIENTS, lambda i: _log_in(servers[i % 2], advisers[i // 2].username))
    assert [login.status_code for login in logins] == [200] * CLIENTS
    browsers = [
        _client(servers[(i + 1) % 2], login.json()["access_token"])
        for i, login in enumerate(logins)
    ]

    # Failed logins are counted in the database: the limit holds over both servers together.
    target = advisers[0].username
    failures = [_log_in(servers[i % 2], target, "wrong").status_code for i in range(6)]
    assert failures == [401] * 5 + [429]

    def create(index: int) -> list[dict[str, Any]]:
        made = []
        for n in range(CREATES_EACH):
            victims = [{"sex": "female", "age": 20 + n}] * (1 + index % 3)
            body = incident_payload(victims=victims, admin1=f"Region {index % 2}")
            response = browsers[index].post(f"{API}/incidents", json=body)
            assert response.status_code == 201, response.text
            made.append(response.json())
        return made

    created = [incident for batch in _all_at_once(CLIENTS, create) for incident in batch]
    assert len({incident["reference"] for incident in created}) == CLIENTS * CREATES_EACH

    # The same version edited from both servers at once.
    contested = created[:4]
    for incident in contested:
        _contest(browsers[:4], incident["id"])

    # Read, change, write back; when refused read again and retry: every addition survives.
    shared = created[-1]

    def add_violation(index: int) -> int:
        browser = browsers[index]
        refused = 0
        while True:
            current = browser.get(f"{API}/incidents/{shared['id']}").json()
            violations = [*current["violations"], ADDED_VIOLATIONS[index]]
            response = _patch(browser, shared["id"], current["version"], violations=violations)
            if response.status_code == 200:
                return refused
            assert response.status_code in (409, 412), response.text
            refused += 1

    _all_at_once(len(ADDED_VIOLATIONS), add_violation)
    final = browsers[1].get(f"{API}/incidents/{shared['id']}").json()
    assert sorted(final["violations"]) == sorted(["rape", *ADDED_VIOLATIONS])
    assert final["version"] == 1 + len(ADDED_VIOLATIONS)

    for browser in browsers:
        browser.close()
    with app.state.engine.connect() as connection:
        assert rollup.mismatches(connection) == []
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count(Incident.id))) == CLIENTS * CREATES_EACH
        report = verify_chain(session, app.state.audit_key)
        assert report.intact, report
        assert report.events_checked > CLIENTS * CREATES_EACH

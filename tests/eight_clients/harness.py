"""Eight clients doing the same thing at once, on PostgreSQL, to `crsv-registry serve` with two
workers: through the API and through the web forms.

Each test releases its eight requests together (a barrier), then checks what a deployment would
be judged on: every request answered within a bound and none with a 5xx, the server still
answering `/health`, the kept counts equal to a recount, the audit chain intact, and exactly the
rows expected: nothing lost, nothing written twice.

What every test of this package uses: the bound, the barrier, the clients, the checks after.
"""

import os
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.audit.chain import verify_chain
from app.counting import rollup
from app.models.enums import Role
from app.web.session import SESSION_COOKIE, csrf_token_for
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.factories import (
    log_in,
    make_user,
)
from tests.live_server import CLI

AT_ONCE = 8
WORKERS = 2
# Far above what any of these requests takes alone (well under a second, a batch of 200 about
# one), far below "for good": a request still waiting after this has hung.
RESPONSE_BOUND_SECONDS = 20
TODAY = datetime.now(UTC).date().isoformat()


def at_once(work: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """`work(0..AT_ONCE-1)` in threads released together; every answer, each within the bound
    and none a 5xx."""
    barrier = threading.Barrier(AT_ONCE)

    def run(index: int) -> httpx.Response:
        barrier.wait(timeout=30)
        return work(index)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = list(pool.map(run, range(AT_ONCE), timeout=RESPONSE_BOUND_SECONDS + 10))
    slow = [a.elapsed.total_seconds() for a in answers if a.elapsed.total_seconds() > 10]
    assert not slow, f"answers took {slow} s"
    failed = [(a.status_code, a.text[:300]) for a in answers if a.status_code >= 500]
    assert not failed, failed
    return answers


def api_client(url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=RESPONSE_BOUND_SECONDS,
    )


def adviser_clients(
    app: FastAPI, client: TestClient, url: str, count: int = AT_ONCE
) -> list[httpx.Client]:
    """`count` protection advisers of the mission, each with an API client of its own."""
    return [
        api_client(url, log_in(client, make_user(app, Role.PROTECTION_ADVISER)))
        for _ in range(count)
    ]


def signed_in_browser(client: TestClient, url: str, app: FastAPI) -> httpx.Client:
    """A signed-in adviser's browser: the session cookie a login sets, and the form token."""
    token = log_in(client, make_user(app, Role.PROTECTION_ADVISER))
    browser = httpx.Client(
        base_url=url, timeout=RESPONSE_BOUND_SECONDS, cookies={SESSION_COOKIE: token}
    )
    browser.headers["X-Test-Csrf"] = csrf_token_for(token)
    return browser


def assert_whole(app: FastAPI, url: str) -> None:
    """The server answers, the kept counts equal a recount, the audit chain verifies."""
    assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    with app.state.engine.connect() as connection:
        assert rollup.mismatches(connection) == []
    with app.state.session_factory() as session:
        report = verify_chain(session, app.state.audit_key)
        assert report.intact, report


def commands_agree(database_url: str) -> None:
    """As an operator would check after the fact: `stats check` and `audit verify` pass."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
    }
    for command in (["stats", "check"], ["audit", "verify"]):
        done = subprocess.run(
            [CLI, *command], capture_output=True, text=True, env=environment, check=False
        )
        assert done.returncode == 0, (command, done.stdout, done.stderr)


def row_count(app: FastAPI, query: Any) -> int:
    with app.state.session_factory() as session:
        return int(session.scalar(query) or 0)


def close_all(clients: list[httpx.Client]) -> None:
    for http in clients:
        http.close()


# --- Batch imports ---------------------------------------------------------------------------

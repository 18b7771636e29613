"""Several users posting the same web form at once, to one worker over real HTTP.

Each form takes row locks (the country-year reference counter, the kept counts, a case). A
handler that did its database work on the event loop deadlocked the worker for good: one request
waited for a lock on the loop while the holder needed the loop to commit. Every response must now
come back, each within a bound, and the worker must still answer `/health` afterwards.
"""

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from app.web.session import SESSION_COOKIE, csrf_token_for
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.factories import (
    TestUser,
    create_case,
    create_court,
    create_incident,
    create_incident_for_justice,
    log_in,
    make_user,
)
from tests.live_server import SharedServer
from tests.web.pages import incident_form

AT_ONCE = 8
# Far above what eight form posts take (well under a second each), far below "for good".
RESPONSE_BOUND_SECONDS = 30
TODAY = datetime.now(UTC).date().isoformat()


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[SharedServer]:
    shared = SharedServer(database_url, TEST_ENCRYPTION_KEY)
    yield shared
    shared.stop()


@pytest.fixture
def server_url(client: TestClient, server: SharedServer) -> Iterator[str]:
    # After `client`, so its check comes first: a hung worker is killed, and its locks go with
    # it, before the wipe.
    yield server.url()
    server.check_after_test()


def _browsers(app: FastAPI, client: TestClient, url: str, role: Role) -> list[httpx.Client]:
    """AT_ONCE signed-in users, each with the session cookie a login would have set."""
    browsers = []
    for _ in range(AT_ONCE):
        token = log_in(client, make_user(app, role))
        browser = httpx.Client(
            base_url=url, timeout=RESPONSE_BOUND_SECONDS, cookies={SESSION_COOKIE: token}
        )
        browser.headers["X-Test-Csrf"] = csrf_token_for(token)
        browsers.append(browser)
    return browsers


def _post_all_at_once(
    browsers: list[httpx.Client], action: Callable[[int], str], fields: Callable[[int], Any]
) -> list[int]:
    """Every browser posts its form at the same moment; their status codes, in order. A form
    sent from a session closed meanwhile is sent to the sign-in page (303 to /login): that one
    is reported as 401, so that a 303 is always a form that was saved."""

    def post(index: int) -> int:
        browser = browsers[index]
        data = {**fields(index), "csrf_token": browser.headers["X-Test-Csrf"]}
        response = browser.post(action(index), data=data)
        if response.status_code == 303 and response.headers["location"].startswith("/login"):
            return 401
        return response.status_code

    with ThreadPoolExecutor(AT_ONCE) as pool:
        try:
            return list(pool.map(post, range(len(browsers)), timeout=RESPONSE_BOUND_SECONDS + 5))
        finally:
            for browser in browsers:
                browser.close()


def _sessions_of(
    client: TestClient, user: TestUser, url: str
) -> tuple[list[str], list[httpx.Client]]:
    """AT_ONCE sessions of one user (tabs or devices), and a browser holding each."""
    tokens = [log_in(client, user) for _ in range(AT_ONCE)]
    browsers = []
    for token in tokens:
        browser = httpx.Client(
            base_url=url, timeout=RESPONSE_BOUND_SECONDS, cookies={SESSION_COOKIE: token}
        )
        browser.headers["X-Test-Csrf"] = csrf_token_for(token)
        browsers.append(browser)
    return tokens, browsers


def _assert_still_answers(url: str) -> None:
    assert httpx.get(f"{url}/health", timeout=5).status_code == 200


def test_simultaneous_new_incident_forms_are_all_answered(
    app: FastAPI, client: TestClient, server_url: str
) -> None:
    browsers = _browsers(app, client, server_url, Role.PROTECTION_ADVISER)
    statuses = _post_all_at_once(
        browsers,
        lambda _index: "/incidents/new",
        lambda _index: incident_form(idempotency_key=str(uuid.uuid4())),
    )
    assert statuses == [303] * AT_ONCE
    _assert_still_answers(server_url)
    listed = client.get("/api/v1/incidents", params={"limit": 50}).json()["items"]
    references = {incident["reference"] for incident in listed}
    assert len(references) == AT_ONCE  # each got its own reference from the shared counter


def _edit_fields(incident: dict[str, Any]) -> dict[str, Any]:
    """The edit form as the page fills it in, with the second-level region changed."""
    fields: dict[str, Any] = {
        name: incident[name]
        for name in ("occurred_on", "date_precision", "reported_on", "country", "source")
    }
    fields.update(admin1="Mopti", admin2="Douentza", violations=incident["violations"])
    fields["version"] = str(incident["version"])
    for index, victim in enumerate(incident["victims"]):
        fields[f"victims-{index}-id"] = victim["id"]
        fields[f"victims-{index}-sex"] = victim["sex"]
        fields[f"victims-{index}-age"] = str(victim["age"])
    for index, perpetrator in enumerate(incident["perpetrators"]):
        fields[f"perpetrators-{index}-id"] = perpetrator["id"]
        fields[f"perpetrators-{index}-category"] = perpetrator["category"]
    return fields


def test_simultaneous_edit_forms_are_all_answered(
    app: FastAPI, client: TestClient, server_url: str
) -> None:
    incidents = [create_incident(client) for _ in range(AT_ONCE)]
    browsers = _browsers(app, client, server_url, Role.PROTECTION_ADVISER)
    statuses = _post_all_at_once(
        browsers,
        lambda index: f"/incidents/{incidents[index]['id']}/edit",
        lambda index: _edit_fields(incidents[index]),
    )
    assert statuses == [303] * AT_ONCE
    _assert_still_answers(server_url)
    for incident in incidents:
        stored = client.get(f"/api/v1/incidents/{incident['id']}").json()
        assert (stored["admin2"], stored["version"]) == ("Douentza", 2)


def test_simultaneous_verification_decisions_are_all_answered(
    app: FastAPI, client: TestClient, server_url: str
) -> None:
    incidents = [create_incident(client) for _ in range(AT_ONCE)]
    browsers = _browsers(app, client, server_url, Role.PROTECTION_ADVISER)
    statuses = _post_all_at_once(
        browsers,
        lambda index: f"/incidents/{incidents[index]['id']}/verification",
        lambda _index: {"status": "pending_verification", "version": "1"},
    )
    assert statuses == [303] * AT_ONCE
    _assert_still_answers(server_url)
    for incident in incidents:
        stored = client.get(f"/api/v1/incidents/{incident['id']}").json()
        assert stored["verification_status"] == "pending_verification"


def test_simultaneous_judicial_acts_on_one_case_are_all_answered(
    app: FastAPI, client: TestClient, client_for: Callable[..., TestClient], server_url: str
) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER)
    court = create_court(tracker, "Tribunal de grande instance de Mopti")
    case = create_case(tracker, court, [create_incident_for_justice(client)])
    browsers = _browsers(app, client, server_url, Role.JUDICIAL_TRACKER)
    statuses = _post_all_at_once(
        browsers,
        lambda _index: f"/judicial/cases/{case['id']}/events",
        lambda index: {"kind": "act", "occurred_on": TODAY, "note": f"Hearing {index}"},
    )
    # Acts on one case at once: each is recorded, or refused as "changed meanwhile"; all answered.
    assert set(statuses) <= {303, 409} and 303 in statuses, statuses
    _assert_still_answers(server_url)
    stored = tracker.get(f"/api/v1/judicial-cases/{case['id']}").json()
    assert stored["last_act_on"] == TODAY


def test_simultaneous_password_changes_of_one_account_change_it_once(
    app: FastAPI, client: TestClient, server_url: str
) -> None:
    user = make_user(app, Role.JUDICIAL_TRACKER)
    tokens, browsers = _sessions_of(client, user, server_url)
    statuses = _post_all_at_once(
        browsers,
        lambda _index: "/account/password",
        lambda index: {
            "current_password": user.password,
            "new_password": f"new passphrase number {index}",
            "repeated_password": f"new passphrase number {index}",
        },
    )
    # One change is saved; the others are refused (its password is no longer the current one,
    # or it was changed meanwhile; past five wrong ones, as too many failures), told to retry,
    # or, sent once the change had closed their session, sent to sign in again (401 here).
    # Its own session is the one left open.
    assert statuses.count(303) == 1 and set(statuses) <= {303, 401, 409, 422, 429, 503}, statuses
    _assert_still_answers(server_url)
    winner = statuses.index(303)
    still_open = [
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code
        for token in tokens
    ]
    assert still_open == [200 if index == winner else 401 for index in range(AT_ONCE)]
    new_password = f"new passphrase number {winner}"
    signed_in = client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": new_password}
    )
    assert signed_in.status_code == 200


def test_simultaneous_enrolments_of_one_account_are_answered_with_pages(
    app: FastAPI, client: TestClient, server_url: str
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    _tokens, browsers = _sessions_of(client, user, server_url)
    responses: list[httpx.Response] = []

    def post(index: int) -> None:
        data = {"password": user.password, "csrf_token": browsers[index].headers["X-Test-Csrf"]}
        responses.append(browsers[index].post("/account/second-factor", data=data))

    with ThreadPoolExecutor(AT_ONCE) as pool:
        list(pool.map(post, range(AT_ONCE), timeout=RESPONSE_BOUND_SECONDS + 5))
    for browser in browsers:
        browser.close()
    statuses = [response.status_code for response in responses]
    assert 200 in statuses and set(statuses) <= {200, 409, 503}, statuses
    # A form refused because another saved first is a page saying so, not an API's JSON.
    assert all(r.headers["content-type"].startswith("text/html") for r in responses), [
        r.headers["content-type"] for r in responses
    ]
    _assert_still_answers(server_url)

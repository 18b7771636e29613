"""Eight edits, new-incident forms and verification decisions of one incident at once.

Each against `crsv-registry serve` with two workers, on PostgreSQL, checked as
`harness.py` says: bounded answers, no 5xx, kept counts, the audit chain, the rows kept.
"""

import re
import uuid
from collections.abc import Callable

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.models import AuditEvent, Incident, IncidentVersion, VerificationEvent
from app.models.enums import Role, Violation
from app.web.session import SESSION_COOKIE, csrf_token_for
from tests.eight_clients.harness import (
    AT_ONCE,
    RESPONSE_BOUND_SECONDS,
    adviser_clients,
    assert_whole,
    at_once,
    close_all,
    row_count,
    signed_in_browser,
)
from tests.factories import (
    API,
    create_incident,
    log_in,
    make_user,
)
from tests.web.pages import incident_form
from tests.web.test_concurrent_forms import _edit_fields

SHOWN = re.compile(r'name="shown" value="([^"]*)"')


def test_eight_api_edits_of_one_version_keep_exactly_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client)
    advisers = adviser_clients(app, client, url)
    sites = [f"Site {index}" for index in range(AT_ONCE)]

    def patch(index: int) -> httpx.Response:
        return advisers[index].patch(
            f"{API}/incidents/{incident['id']}",
            json={"admin2": sites[index]},
            headers={"If-Match": '"1"'},
        )

    statuses = [a.status_code for a in at_once(patch)]
    close_all(advisers)
    # 412 when the version was already stale on reading; 409 when the loser read version 1
    # before the winner committed and its write found the row changed.
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 412}, statuses
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert (stored["admin2"], stored["version"]) == (sites[statuses.index(200)], 2)
    versions = select(func.count()).where(IncidentVersion.incident_id == uuid.UUID(incident["id"]))
    assert row_count(app, versions) == 2  # created, then the one edit kept
    assert_whole(app, url)


def test_eight_read_change_write_loops_on_one_incident_lose_no_change(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client, violations=["rape"])
    advisers = adviser_clients(app, client, url)
    added = [v.value for v in Violation if v != Violation.RAPE][:AT_ONCE]

    def add_violation(index: int) -> httpx.Response:
        http = advisers[index]
        while True:  # read, change, write back; refused: read again (bounded by the pool's timeout)
            current = http.get(f"{API}/incidents/{incident['id']}").json()
            violations = [*current["violations"], added[index]]
            answer = http.patch(
                f"{API}/incidents/{incident['id']}",
                json={"violations": violations},
                headers={"If-Match": f'"{current["version"]}"'},
            )
            if answer.status_code not in (409, 412):
                return answer

    answers = at_once(add_violation)
    close_all(advisers)
    assert [a.status_code for a in answers] == [200] * AT_ONCE
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert sorted(stored["violations"]) == sorted(["rape", *added])
    assert stored["version"] == 1 + AT_ONCE
    assert_whole(app, url)


def test_eight_web_edit_forms_of_one_version_keep_exactly_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client)
    browsers = [signed_in_browser(client, url, app) for _ in range(AT_ONCE)]

    def post(index: int) -> httpx.Response:
        fields = {**_edit_fields(incident), "admin2": f"Site {index}"}
        fields["csrf_token"] = browsers[index].headers["X-Test-Csrf"]
        return browsers[index].post(f"/incidents/{incident['id']}/edit", data=fields)

    answers = at_once(post)
    close_all(browsers)
    statuses = [a.status_code for a in answers]
    assert statuses.count(303) == 1 and set(statuses) <= {303, 409}, statuses
    # The others are told on a page that the record changed meanwhile, not given an API's JSON.
    refused = [a for a in answers if a.status_code == 409]
    assert all(a.headers["content-type"].startswith("text/html") for a in refused)
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert (stored["admin2"], stored["version"]) == (f"Site {statuses.index(303)}", 2)
    assert_whole(app, url)


def test_one_new_incident_form_sent_from_eight_tabs_at_once_creates_one_incident(
    app: FastAPI, client: TestClient, url: str
) -> None:
    """A double click, or a resend over a bad link, many times over: the form's key holds."""
    user = make_user(app, Role.PROTECTION_ADVISER)
    browsers = []
    for _ in range(AT_ONCE):
        token = log_in(client, user)
        browser = httpx.Client(
            base_url=url, timeout=RESPONSE_BOUND_SECONDS, cookies={SESSION_COOKIE: token}
        )
        browser.headers["X-Test-Csrf"] = csrf_token_for(token)
        browsers.append(browser)
    fields = incident_form(idempotency_key=str(uuid.uuid4()))

    def post(index: int) -> httpx.Response:
        data = {**fields, "csrf_token": browsers[index].headers["X-Test-Csrf"]}
        return browsers[index].post("/incidents/new", data=data)

    answers = at_once(post)
    close_all(browsers)
    assert [a.status_code for a in answers] == [303] * AT_ONCE, [a.text[:300] for a in answers]
    assert len({a.headers["location"] for a in answers}) == 1  # every tab shown the one made
    assert row_count(app, select(func.count()).select_from(Incident)) == 1
    assert_whole(app, url)


def test_eight_verification_forms_of_one_version_keep_exactly_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client)
    browsers = [signed_in_browser(client, url, app) for _ in range(AT_ONCE)]

    def post(index: int) -> httpx.Response:
        fields = {"status": "pending_verification", "version": "1"}
        fields["csrf_token"] = browsers[index].headers["X-Test-Csrf"]
        return browsers[index].post(f"/incidents/{incident['id']}/verification", data=fields)

    answers = at_once(post)
    statuses = [a.status_code for a in answers]
    close_all(browsers)
    assert statuses.count(303) == 1 and set(statuses) <= {303, 409}, statuses
    # Each other is told someone decided first, not that its decision is not allowed.
    refused = [a.text for a in answers if a.status_code == 409]
    assert all("meanwhile" in page for page in refused), refused[:1]
    decisions = select(func.count()).where(
        VerificationEvent.incident_id == uuid.UUID(incident["id"])
    )
    assert row_count(app, decisions) == 1
    assert_whole(app, url)


# --- Verification and duplicate links on overlapping incidents ------------------------------


def test_eight_verification_decisions_on_one_incident_record_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client)
    advisers = adviser_clients(app, client, url)
    # Half move it on, half discard it, each based on the version it was shown.
    bodies = [
        {"status": "pending_verification", "version": 1}
        if index % 2
        else {"status": "discarded", "note": "did not occur", "version": 1}
        for index in range(AT_ONCE)
    ]

    def decide(index: int) -> httpx.Response:
        return advisers[index].post(
            f"{API}/incidents/{incident['id']}/verification", json=bodies[index]
        )

    statuses = [a.status_code for a in at_once(decide)]
    close_all(advisers)
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 412}, statuses
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert stored["verification_status"] == bodies[statuses.index(200)]["status"]
    assert stored["version"] == 2
    decisions = select(func.count()).where(
        VerificationEvent.incident_id == uuid.UUID(incident["id"])
    )
    assert row_count(app, decisions) == 1
    assert_whole(app, url)


def test_eight_identity_forms_based_on_the_same_details_keep_exactly_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    """Eight first saves of a victim's details, then eight erasures, from eight browsers that
    opened the page at once: four first saves were refused with a bare error and what was typed
    lost, and eight erasures wrote eight `identity.erase` events for one."""
    incident = create_incident(client)
    victim_id = incident["victims"][0]["id"]
    path = f"/incidents/{incident['id']}/victims/{victim_id}/identity"
    browsers = [signed_in_browser(client, url, app) for _ in range(AT_ONCE)]

    def save_all(fields: Callable[[int], dict[str, str]]) -> list[int]:
        shown = [SHOWN.search(browser.get(path).text) for browser in browsers]
        assert all(shown)

        def post(index: int) -> httpx.Response:
            token = browsers[index].headers["X-Test-Csrf"]
            data = {**fields(index), "csrf_token": token, "shown": shown[index].group(1)}  # type: ignore[union-attr]
            return browsers[index].post(path, data=data)

        answers = at_once(post)
        refused = [a for a in answers if a.status_code == 409]
        assert all('id="identity-changed"' in a.text for a in refused)
        return [a.status_code for a in answers]

    saved = save_all(lambda index: {"name": f"Name {index}"})
    assert saved.count(303) == 1 and set(saved) <= {303, 409}, saved
    api = f"{API}/incidents/{incident['id']}/victims/{victim_id}/identity"
    assert client.get(api).json()["name"] == f"Name {saved.index(303)}"
    erased = save_all(lambda _index: {"name": ""})
    assert erased.count(303) == 1 and set(erased) <= {303, 409}, erased
    close_all(browsers)
    erasures = select(func.count()).where(
        AuditEvent.action == "identity.erase", AuditEvent.record_id == victim_id
    )
    assert row_count(app, erasures) == 1
    assert_whole(app, url)

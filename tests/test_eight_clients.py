"""Eight clients doing the same thing at once, on PostgreSQL, to `crsv-registry serve` with two
workers: through the API and through the web forms.

Each test releases its eight requests together (a barrier), then checks what a deployment would
be judged on: every request answered within a bound and none with a 5xx, the server still
answering `/health`, the kept counts equal to a recount, the audit chain intact, and exactly the
rows expected: nothing lost, nothing written twice.
"""

import os
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.audit.chain import verify_chain
from app.counting import rollup
from app.models import AuditEvent, Incident, IncidentVersion, VerificationEvent
from app.models.enums import Role, Violation
from app.models.referral import Referral
from app.web.session import SESSION_COOKIE, csrf_token_for
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.factories import (
    API,
    PASSWORD,
    create_incident,
    incident_payload,
    log_in,
    make_user,
    stats,
)
from tests.imports.workbooks import recorder_row, workbook_bytes
from tests.live_server import CLI, SharedServer
from tests.web.pages import CSRF, incident_form
from tests.web.test_concurrent_forms import _edit_fields

AT_ONCE = 8
WORKERS = 2
# Far above what any of these requests takes alone (well under a second, a batch of 200 about
# one), far below "for good": a request still waiting after this has hung.
RESPONSE_BOUND_SECONDS = 20
TODAY = datetime.now(UTC).date().isoformat()


@pytest.fixture(scope="module")
def server(database_url: str, backend: str) -> Iterator[SharedServer]:
    if backend != "postgresql":
        pytest.skip("eight writers at once is PostgreSQL's race; SQLite has one writer at a time")
    shared = SharedServer(database_url, TEST_ENCRYPTION_KEY, workers=WORKERS)
    yield shared
    shared.stop()


@pytest.fixture
def url(client: TestClient, server: SharedServer) -> Iterator[str]:
    # After `client`, so this check comes first: a hung server is killed, and its locks go with
    # it, before the wipe.
    yield server.url()
    server.check_after_test()


def _at_once(work: Callable[[int], httpx.Response]) -> list[httpx.Response]:
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


def _api(url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=RESPONSE_BOUND_SECONDS,
    )


def _advisers(
    app: FastAPI, client: TestClient, url: str, count: int = AT_ONCE
) -> list[httpx.Client]:
    """`count` protection advisers of the mission, each with an API client of its own."""
    return [
        _api(url, log_in(client, make_user(app, Role.PROTECTION_ADVISER))) for _ in range(count)
    ]


def _browser(client: TestClient, url: str, app: FastAPI) -> httpx.Client:
    """A signed-in adviser's browser: the session cookie a login sets, and the form token."""
    token = log_in(client, make_user(app, Role.PROTECTION_ADVISER))
    browser = httpx.Client(
        base_url=url, timeout=RESPONSE_BOUND_SECONDS, cookies={SESSION_COOKIE: token}
    )
    browser.headers["X-Test-Csrf"] = csrf_token_for(token)
    return browser


def _assert_whole(app: FastAPI, url: str) -> None:
    """The server answers, the kept counts equal a recount, the audit chain verifies."""
    assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    with app.state.engine.connect() as connection:
        assert rollup.mismatches(connection) == []
    with app.state.session_factory() as session:
        report = verify_chain(session, app.state.audit_key)
        assert report.intact, report


def _commands_agree(database_url: str) -> None:
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


def _count(app: FastAPI, query: Any) -> int:
    with app.state.session_factory() as session:
        return int(session.scalar(query) or 0)


def _close(clients: list[httpx.Client]) -> None:
    for http in clients:
        http.close()


# --- Batch imports ---------------------------------------------------------------------------


def _batch(size: int, tag: str) -> list[dict[str, Any]]:
    """`size` incidents over two reporting years, so each batch moves two reference counters."""
    return [
        incident_payload(
            reported_on=f"{2019 + n % 2}-03-20",
            admin2=f"{tag} {n}",
            victims=[{"sex": "female", "age": 18 + n % 40}] * (1 + n % 3),
        )
        for n in range(size)
    ]


def test_eight_batches_at_once_are_each_written_whole(
    app: FastAPI, client: TestClient, url: str, database_url: str
) -> None:
    advisers = _advisers(app, client, url, AT_ONCE - 1)
    # The last two requests are one adviser's batch sent twice at once with the same key, as a
    # retry over a poor link would be: it is written once, and both answers name the same rows.
    advisers.append(advisers[-1])
    sizes = [50 + 20 * index for index in range(AT_ONCE - 1)] + [50 + 20 * (AT_ONCE - 2)]
    bodies = [_batch(size, f"B{index}") for index, size in enumerate(sizes)]
    bodies[-1] = bodies[-2]
    key = str(uuid.uuid4())

    def post(index: int) -> httpx.Response:
        headers = {"Idempotency-Key": key} if index >= AT_ONCE - 2 else {}
        body = {"incidents": bodies[index]}
        return advisers[index].post(f"{API}/incidents:batch", json=body, headers=headers)

    answers = _at_once(post)
    _close(advisers)
    assert [a.status_code for a in answers] == [201] * AT_ONCE, [a.text[:300] for a in answers]
    first, retry = answers[-2:]
    replayed = [a.headers.get("Idempotent-Replayed") for a in (first, retry)]
    assert sorted(replayed, key=str) == [None, "true"], replayed
    assert first.json()["created"] == retry.json()["created"]
    written = sum(sizes[:-1])
    assert [a.json()["count"] for a in answers] == sizes
    created = [item["reference"] for a in answers[:-1] for item in a.json()["created"]]
    # Every incident got its own reference; each (country, year) counter numbered without gaps.
    assert len(set(created)) == written
    for year in ("2019", "2020"):
        numbers = sorted(int(r.rsplit("-", 1)[1]) for r in created if f"-{year}-" in r)
        assert numbers == list(range(1, len(numbers) + 1))
    assert _count(app, select(func.count()).select_from(Incident)) == written
    _assert_whole(app, url)
    _commands_agree(database_url)


# --- Edits of one incident -------------------------------------------------------------------


def test_eight_api_edits_of_one_version_keep_exactly_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client)
    advisers = _advisers(app, client, url)
    sites = [f"Site {index}" for index in range(AT_ONCE)]

    def patch(index: int) -> httpx.Response:
        return advisers[index].patch(
            f"{API}/incidents/{incident['id']}",
            json={"admin2": sites[index]},
            headers={"If-Match": '"1"'},
        )

    statuses = [a.status_code for a in _at_once(patch)]
    _close(advisers)
    # 412 when the version was already stale on reading; 409 when the loser read version 1
    # before the winner committed and its write found the row changed.
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 412}, statuses
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert (stored["admin2"], stored["version"]) == (sites[statuses.index(200)], 2)
    versions = select(func.count()).where(IncidentVersion.incident_id == uuid.UUID(incident["id"]))
    assert _count(app, versions) == 2  # created, then the one edit kept
    _assert_whole(app, url)


def test_eight_read_change_write_loops_on_one_incident_lose_no_change(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client, violations=["rape"])
    advisers = _advisers(app, client, url)
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

    answers = _at_once(add_violation)
    _close(advisers)
    assert [a.status_code for a in answers] == [200] * AT_ONCE
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert sorted(stored["violations"]) == sorted(["rape", *added])
    assert stored["version"] == 1 + AT_ONCE
    _assert_whole(app, url)


def test_eight_web_edit_forms_of_one_version_keep_exactly_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client)
    browsers = [_browser(client, url, app) for _ in range(AT_ONCE)]

    def post(index: int) -> httpx.Response:
        fields = {**_edit_fields(incident), "admin2": f"Site {index}"}
        fields["csrf_token"] = browsers[index].headers["X-Test-Csrf"]
        return browsers[index].post(f"/incidents/{incident['id']}/edit", data=fields)

    answers = _at_once(post)
    _close(browsers)
    statuses = [a.status_code for a in answers]
    assert statuses.count(303) == 1 and set(statuses) <= {303, 409}, statuses
    # The others are told on a page that the record changed meanwhile, not given an API's JSON.
    refused = [a for a in answers if a.status_code == 409]
    assert all(a.headers["content-type"].startswith("text/html") for a in refused)
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert (stored["admin2"], stored["version"]) == (f"Site {statuses.index(303)}", 2)
    _assert_whole(app, url)


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

    answers = _at_once(post)
    _close(browsers)
    assert [a.status_code for a in answers] == [303] * AT_ONCE, [a.text[:300] for a in answers]
    assert len({a.headers["location"] for a in answers}) == 1  # every tab shown the one made
    assert _count(app, select(func.count()).select_from(Incident)) == 1
    _assert_whole(app, url)


def test_eight_verification_forms_of_one_version_keep_exactly_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client)
    browsers = [_browser(client, url, app) for _ in range(AT_ONCE)]

    def post(index: int) -> httpx.Response:
        fields = {"status": "pending_verification", "version": "1"}
        fields["csrf_token"] = browsers[index].headers["X-Test-Csrf"]
        return browsers[index].post(f"/incidents/{incident['id']}/verification", data=fields)

    answers = _at_once(post)
    statuses = [a.status_code for a in answers]
    _close(browsers)
    assert statuses.count(303) == 1 and set(statuses) <= {303, 409}, statuses
    # Each other is told someone decided first, not that its decision is not allowed.
    refused = [a.text for a in answers if a.status_code == 409]
    assert all("meanwhile" in page for page in refused), refused[:1]
    decisions = select(func.count()).where(
        VerificationEvent.incident_id == uuid.UUID(incident["id"])
    )
    assert _count(app, decisions) == 1
    _assert_whole(app, url)


# --- Verification and duplicate links on overlapping incidents ------------------------------


def test_eight_verification_decisions_on_one_incident_record_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client)
    advisers = _advisers(app, client, url)
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

    statuses = [a.status_code for a in _at_once(decide)]
    _close(advisers)
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 412}, statuses
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert stored["verification_status"] == bodies[statuses.index(200)]["status"]
    assert stored["version"] == 2
    decisions = select(func.count()).where(
        VerificationEvent.incident_id == uuid.UUID(incident["id"])
    )
    assert _count(app, decisions) == 1
    _assert_whole(app, url)


def _counted(client: TestClient) -> int:
    """The incidents the statistics count."""
    return int(stats(client, group_by="perpetrator_category")["total"]["incidents"])


def _assert_no_chain_of_links(app: FastAPI) -> None:
    """Every duplicate points to an incident that is not itself a duplicate."""
    with app.state.session_factory() as session:
        links = dict(session.execute(select(Incident.id, Incident.duplicate_of_id)).all())
    for duplicate, canonical in links.items():
        if canonical is not None:
            assert links[canonical] is None, (duplicate, canonical)


def test_eight_duplicate_links_in_a_ring_never_chain_or_loop(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incidents = [create_incident(client) for _ in range(AT_ONCE)]
    advisers = _advisers(app, client, url)

    def link(index: int) -> httpx.Response:
        # Each report linked to the next at once, the last to the first: a ring if all held.
        canonical = incidents[(index + 1) % AT_ONCE]["id"]
        path = f"{API}/incidents/{incidents[index]['id']}/duplicate-of/{canonical}"
        return advisers[index].post(path, json={"reason": "same event"})

    statuses = [a.status_code for a in _at_once(link)]
    _close(advisers)
    assert set(statuses) <= {200, 409} and 200 in statuses, statuses
    _assert_no_chain_of_links(app)
    linked = select(func.count()).where(Incident.duplicate_of_id.is_not(None))
    assert _count(app, linked) == statuses.count(200)
    # What is counted: the reports not linked to another.
    counted = _counted(client)
    assert counted == AT_ONCE - statuses.count(200)
    _assert_whole(app, url)


def test_links_and_verification_decisions_at_once_on_shared_incidents(
    app: FastAPI, client: TestClient, url: str
) -> None:
    hub, *reports = [create_incident(client) for _ in range(1 + AT_ONCE // 2)]
    advisers = _advisers(app, client, url)

    def act(index: int) -> httpx.Response:
        http = advisers[index]
        if index < len(reports):  # four reports linked to the hub
            path = f"{API}/incidents/{reports[index]['id']}/duplicate-of/{hub['id']}"
            return http.post(path, json={"reason": "same event"})
        if index == len(reports):  # the hub linked to the first report, the other way round
            path = f"{API}/incidents/{hub['id']}/duplicate-of/{reports[0]['id']}"
            return http.post(path, json={"reason": "same event"})
        # the others decide on the hub and on a report being linked
        target = hub if index % 2 else reports[index % len(reports)]
        body = {"status": "pending_verification"}
        return http.post(f"{API}/incidents/{target['id']}/verification", json=body)

    statuses = [a.status_code for a in _at_once(act)]
    _close(advisers)
    assert set(statuses) <= {200, 409}, statuses
    _assert_no_chain_of_links(app)
    linked = _count(app, select(func.count()).where(Incident.duplicate_of_id.is_not(None)))
    assert _counted(client) == len(reports) + 1 - linked
    _assert_whole(app, url)


def test_links_and_unlinks_of_one_report_at_once_leave_it_counted_once(
    app: FastAPI, client: TestClient, url: str
) -> None:
    report, first, second = (create_incident(client) for _ in range(3))
    linked = client.post(
        f"{API}/incidents/{report['id']}/duplicate-of/{first['id']}", json={"reason": "same"}
    )
    assert linked.status_code == 200
    advisers = _advisers(app, client, url)

    def act(index: int) -> httpx.Response:
        http = advisers[index]
        if index % 2:  # unlink it from the first
            return http.delete(f"{API}/incidents/{report['id']}/duplicate-of/{first['id']}")
        # link it to the second instead, or the second to it
        if index % 4:
            path = f"{API}/incidents/{second['id']}/duplicate-of/{report['id']}"
        else:
            path = f"{API}/incidents/{report['id']}/duplicate-of/{second['id']}"
        return http.post(path, json={"reason": "same event"})

    statuses = [a.status_code for a in _at_once(act)]
    _close(advisers)
    # An unlink that finds no such link any more is a 404; none is a 5xx.
    assert set(statuses) <= {200, 404, 409}, statuses
    _assert_no_chain_of_links(app)
    still_linked = select(func.count()).where(Incident.duplicate_of_id.is_not(None))
    assert _counted(client) == 3 - _count(app, still_linked)
    _assert_whole(app, url)


# --- Referrals and consent -------------------------------------------------------------------


def test_referrals_and_consent_changes_at_once_on_one_survivor(
    app: FastAPI, client: TestClient, url: str
) -> None:
    victim = {"sex": "female", "age": 24, "consent": {"referral": True, "statistics": True}}
    incident = create_incident(client, victims=[victim])
    victim_path = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}"
    advisers = _advisers(app, client, url)

    def act(index: int) -> httpx.Response:
        http = advisers[index]
        if index % 2:  # half refer her
            body = {"service_kind": "psychosocial", "outside_name": f"Centre {index}"}
            return http.post(f"{victim_path}/referrals", json={**body, "referred_on": TODAY})
        # half record her decisions again: statistics withdrawn, referral still granted
        return http.put(f"{victim_path}/consent", json={"referral": True, "statistics": False})

    answers = _at_once(act)
    _close(advisers)
    referred = [a.status_code for index, a in enumerate(answers) if index % 2]
    consented = [a.status_code for index, a in enumerate(answers) if not index % 2]
    # A referral changes no incident: each is made. Consent changes one: one wins at a time.
    assert referred == [201] * (AT_ONCE // 2), [a.text[:200] for a in answers]
    assert set(consented) <= {200, 409} and 200 in consented, consented
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert stored["victims"][0]["consent"]["statistics"]["granted"] is False
    assert _count(app, select(func.count()).select_from(Referral)) == AT_ONCE // 2
    _assert_whole(app, url)


def test_eight_status_moves_of_one_referral_keep_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    victim = {"sex": "female", "age": 24, "consent": {"referral": True}}
    incident = create_incident(client, victims=[victim])
    victim_path = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}"
    body = {"service_kind": "psychosocial", "outside_name": "Centre", "referred_on": TODAY}
    referral = client.post(f"{victim_path}/referrals", json=body).json()
    advisers = _advisers(app, client, url)
    moves = ["accepted", "service_unavailable", "declined_by_survivor", "not_applicable"]

    def move(index: int) -> httpx.Response:
        body = {"status": moves[index % len(moves)], "status_on": TODAY, "version": 1}
        return advisers[index].patch(f"{API}/referrals/{referral['id']}", json=body)

    statuses = [a.status_code for a in _at_once(move)]
    _close(advisers)
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 412}, statuses
    stored = client.get(f"{API}/referrals/{referral['id']}").json()
    assert stored["status"] == moves[statuses.index(200) % len(moves)]
    assert stored["version"] == 2 and len(stored["history"]) == 2
    _assert_whole(app, url)


def test_every_kind_of_change_at_once_on_one_incident(
    app: FastAPI, client: TestClient, url: str
) -> None:
    victim = {"sex": "female", "age": 24, "consent": {"referral": True, "statistics": True}}
    incident, other, another = (create_incident(client, victims=[victim]) for _ in range(3))
    path = f"{API}/incidents/{incident['id']}"
    victim_path = f"{path}/victims/{incident['victims'][0]['id']}"
    advisers = _advisers(app, client, url)
    referral = {"service_kind": "psychosocial", "outside_name": "Centre", "referred_on": TODAY}
    changes: list[Callable[[httpx.Client], httpx.Response]] = [
        lambda http: http.patch(path, json={"admin2": "Douentza"}, headers={"If-Match": '"1"'}),
        lambda http: http.post(
            f"{path}/verification", json={"status": "pending_verification", "version": 1}
        ),
        lambda http: http.put(f"{victim_path}/consent", json={"statistics": False}),
        lambda http: http.put(f"{victim_path}/identity", json={"name": "A. B."}),
        lambda http: http.post(f"{path}/duplicate-of/{other['id']}", json={"reason": "same event"}),
        lambda http: http.post(
            f"{API}/incidents/{another['id']}/duplicate-of/{incident['id']}",
            json={"reason": "same event"},
        ),
        lambda http: http.post(f"{victim_path}/referrals", json=referral),
        lambda http: http.delete(path, params={"reason": "entered twice"}),
    ]
    answers = _at_once(lambda index: changes[index](advisers[index]))
    _close(advisers)
    statuses = [a.status_code for a in answers]
    # Each is made, or refused because another changed the incident first; none is lost
    # half-made: every change kept is one version, and the version counts them.
    assert set(statuses) <= {200, 201, 204, 409, 412}, [a.text[:200] for a in answers]
    stored = client.get(f"{path}", params={"include_archived": "true"})
    versions = select(func.count()).where(IncidentVersion.incident_id == uuid.UUID(incident["id"]))
    if stored.status_code == 200:
        assert stored.json()["version"] == _count(app, versions)
    _assert_no_chain_of_links(app)
    _assert_whole(app, url)


def test_eight_first_identities_of_one_survivor_at_once_keep_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client)
    victim_path = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}"
    advisers = _advisers(app, client, url)
    answers = _at_once(
        lambda index: advisers[index].put(f"{victim_path}/identity", json={"name": f"N{index}"})
    )
    _close(advisers)
    statuses = [a.status_code for a in answers]
    # Replacing needs no version: each that finds the identity written replaces it, one that
    # raced to write the first is refused and may send it again.
    assert 204 in statuses and set(statuses) <= {204, 409}, statuses
    shown = client.get(f"{victim_path}/identity").json()["name"]
    assert shown in {f"N{index}" for index, status in enumerate(statuses) if status == 204}
    _assert_whole(app, url)


# --- Incident Recorder imports through the web page -----------------------------------------

ROWS_EACH = 20
SHARED_ROWS = 10


def test_eight_recorder_imports_through_the_web_page_write_each_row_once(
    app: FastAPI, client: TestClient, url: str
) -> None:
    # Each file its own rows, and the same ten rows in every file: those are written once.
    files = [
        workbook_bytes(
            [
                recorder_row(incident_id=incident_id, survivor_code=None)
                for incident_id in [
                    *(f"IR-{index}-{n}" for n in range(ROWS_EACH)),
                    *(f"IR-SHARED-{n}" for n in range(SHARED_ROWS)),
                ]
            ]
        )
        for index in range(AT_ONCE)
    ]
    browsers = [_browser(client, url, app) for _ in range(AT_ONCE)]

    def post(index: int) -> httpx.Response:
        browser = browsers[index]
        data = {
            "csrf_token": browser.headers["X-Test-Csrf"],
            "country": "ML",
            "action": "import",
        }
        return browser.post(
            "/imports/incident-recorder", data=data, files={"file": ("recorder.xlsx", files[index])}
        )

    answers = _at_once(post)
    _close(browsers)
    assert [a.status_code for a in answers] == [200] * AT_ONCE, [a.text[:300] for a in answers]
    written = AT_ONCE * ROWS_EACH + SHARED_ROWS
    assert _count(app, select(func.count()).select_from(Incident)) == written
    _assert_whole(app, url)


# --- Logins ----------------------------------------------------------------------------------


def _token_login(url: str, username: str, password: str = PASSWORD) -> httpx.Response:
    form = {"username": username, "password": password}
    return httpx.post(f"{url}{API}/auth/token", data=form, timeout=RESPONSE_BOUND_SECONDS)


def test_eight_logins_at_once_each_get_a_working_session(
    app: FastAPI, client: TestClient, url: str
) -> None:
    users = [make_user(app, Role.PROTECTION_ADVISER) for _ in range(AT_ONCE // 2)]
    one = make_user(app, Role.JUDICIAL_TRACKER)  # also one account from four devices at once

    def api_login(index: int) -> httpx.Response:
        user = users[index] if index < len(users) else one
        return _token_login(url, user.username)

    logins = _at_once(api_login)
    assert [a.status_code for a in logins] == [200] * AT_ONCE, [a.text[:200] for a in logins]
    for login in logins:
        with _api(url, login.json()["access_token"]) as http:
            assert http.get(f"{API}/auth/me").status_code == 200

    # The sign-in form, eight browsers at once: each fetched the form first.
    web_users = [make_user(app, Role.PROTECTION_ADVISER) for _ in range(AT_ONCE)]
    browsers = [httpx.Client(base_url=url, timeout=RESPONSE_BOUND_SECONDS) for _ in web_users]
    tokens = []
    for browser in browsers:
        match = CSRF.search(browser.get("/login").text)
        assert match
        tokens.append(match.group(1))

    def web_login(index: int) -> httpx.Response:
        fields = {
            "username": web_users[index].username,
            "password": PASSWORD,
            "csrf_token": tokens[index],
            "next": "/",
        }
        return browsers[index].post("/login", data=fields)

    signed = _at_once(web_login)
    assert [a.status_code for a in signed] == [303] * AT_ONCE, [a.text[:200] for a in signed]
    for browser in browsers:
        assert SESSION_COOKIE in browser.cookies
        assert browser.get("/account").status_code == 200
    _close(browsers)
    logged = select(func.count()).where(AuditEvent.action == "auth.login")
    # Two through the API for the test's own client, and the sixteen here.
    assert _count(app, logged) >= 2 * AT_ONCE
    _assert_whole(app, url)


def test_eight_wrong_passwords_at_once_are_held_to_the_limit(
    app: FastAPI, client: TestClient, url: str
) -> None:
    user = make_user(app, Role.PROTECTION_ADVISER)
    limit = app.state.settings.login_max_failures_per_user_and_client
    answers = _at_once(lambda _index: _token_login(url, user.username, "wrong password"))
    statuses = sorted(a.status_code for a in answers)
    # Counted in the database: at most `limit` passwords are tried from one client, however
    # many arrive at once; the rest are refused without a check.
    assert statuses == [401] * limit + [429] * (AT_ONCE - limit), statuses
    assert _token_login(url, user.username).status_code == 429
    _assert_whole(app, url)

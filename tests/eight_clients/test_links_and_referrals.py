"""Eight duplicate links, referrals, consent changes and identities at once.

Each against `crsv-registry serve` with two workers, on PostgreSQL, checked as
`harness.py` says: bounded answers, no 5xx, kept counts, the audit chain, the rows kept.
"""

import uuid
from collections.abc import Callable

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.models import Incident, IncidentVersion
from app.models.referral import Referral
from tests.eight_clients.harness import (
    AT_ONCE,
    TODAY,
    adviser_clients,
    assert_whole,
    at_once,
    close_all,
    row_count,
)
from tests.factories import (
    API,
    create_incident,
    stats,
)


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
    advisers = adviser_clients(app, client, url)

    def link(index: int) -> httpx.Response:
        # Each report linked to the next at once, the last to the first: a ring if all held.
        canonical = incidents[(index + 1) % AT_ONCE]["id"]
        path = f"{API}/incidents/{incidents[index]['id']}/duplicate-of/{canonical}"
        return advisers[index].post(path, json={"reason": "same event"})

    statuses = [a.status_code for a in at_once(link)]
    close_all(advisers)
    assert set(statuses) <= {200, 409} and 200 in statuses, statuses
    _assert_no_chain_of_links(app)
    linked = select(func.count()).where(Incident.duplicate_of_id.is_not(None))
    assert row_count(app, linked) == statuses.count(200)
    # What is counted: the reports not linked to another.
    counted = _counted(client)
    assert counted == AT_ONCE - statuses.count(200)
    assert_whole(app, url)


def test_links_and_verification_decisions_at_once_on_shared_incidents(
    app: FastAPI, client: TestClient, url: str
) -> None:
    hub, *reports = [create_incident(client) for _ in range(1 + AT_ONCE // 2)]
    advisers = adviser_clients(app, client, url)

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

    statuses = [a.status_code for a in at_once(act)]
    close_all(advisers)
    assert set(statuses) <= {200, 409}, statuses
    _assert_no_chain_of_links(app)
    linked = row_count(app, select(func.count()).where(Incident.duplicate_of_id.is_not(None)))
    assert _counted(client) == len(reports) + 1 - linked
    assert_whole(app, url)


def test_links_and_unlinks_of_one_report_at_once_leave_it_counted_once(
    app: FastAPI, client: TestClient, url: str
) -> None:
    report, first, second = (create_incident(client) for _ in range(3))
    linked = client.post(
        f"{API}/incidents/{report['id']}/duplicate-of/{first['id']}", json={"reason": "same"}
    )
    assert linked.status_code == 200
    advisers = adviser_clients(app, client, url)

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

    statuses = [a.status_code for a in at_once(act)]
    close_all(advisers)
    # An unlink that finds no such link any more is a 404; none is a 5xx.
    assert set(statuses) <= {200, 404, 409}, statuses
    _assert_no_chain_of_links(app)
    still_linked = select(func.count()).where(Incident.duplicate_of_id.is_not(None))
    assert _counted(client) == 3 - row_count(app, still_linked)
    assert_whole(app, url)


# --- Referrals and consent -------------------------------------------------------------------


def test_referrals_and_consent_changes_at_once_on_one_survivor(
    app: FastAPI, client: TestClient, url: str
) -> None:
    victim = {"sex": "female", "age": 24, "consent": {"referral": True, "statistics": True}}
    incident = create_incident(client, victims=[victim])
    victim_path = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}"
    advisers = adviser_clients(app, client, url)

    def act(index: int) -> httpx.Response:
        http = advisers[index]
        if index % 2:  # half refer her
            body = {"service_kind": "psychosocial", "outside_name": f"Centre {index}"}
            return http.post(f"{victim_path}/referrals", json={**body, "referred_on": TODAY})
        # half record her decisions again: statistics withdrawn, referral still granted
        return http.put(f"{victim_path}/consent", json={"referral": True, "statistics": False})

    answers = at_once(act)
    close_all(advisers)
    referred = [a.status_code for index, a in enumerate(answers) if index % 2]
    consented = [a.status_code for index, a in enumerate(answers) if not index % 2]
    # A referral changes no incident: each is made. Consent changes one: one wins at a time.
    assert referred == [201] * (AT_ONCE // 2), [a.text[:200] for a in answers]
    assert set(consented) <= {200, 409} and 200 in consented, consented
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert stored["victims"][0]["consent"]["statistics"]["granted"] is False
    assert row_count(app, select(func.count()).select_from(Referral)) == AT_ONCE // 2
    assert_whole(app, url)


def test_eight_status_moves_of_one_referral_keep_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    victim = {"sex": "female", "age": 24, "consent": {"referral": True}}
    incident = create_incident(client, victims=[victim])
    victim_path = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}"
    body = {"service_kind": "psychosocial", "outside_name": "Centre", "referred_on": TODAY}
    referral = client.post(f"{victim_path}/referrals", json=body).json()
    advisers = adviser_clients(app, client, url)
    moves = ["accepted", "service_unavailable", "declined_by_survivor", "not_applicable"]

    def move(index: int) -> httpx.Response:
        body = {"status": moves[index % len(moves)], "status_on": TODAY, "version": 1}
        return advisers[index].patch(f"{API}/referrals/{referral['id']}", json=body)

    statuses = [a.status_code for a in at_once(move)]
    close_all(advisers)
    assert statuses.count(200) == 1 and set(statuses) <= {200, 409, 412}, statuses
    stored = client.get(f"{API}/referrals/{referral['id']}").json()
    assert stored["status"] == moves[statuses.index(200) % len(moves)]
    assert stored["version"] == 2 and len(stored["history"]) == 2
    assert_whole(app, url)


def test_every_kind_of_change_at_once_on_one_incident(
    app: FastAPI, client: TestClient, url: str
) -> None:
    victim = {"sex": "female", "age": 24, "consent": {"referral": True, "statistics": True}}
    incident, other, another = (create_incident(client, victims=[victim]) for _ in range(3))
    path = f"{API}/incidents/{incident['id']}"
    victim_path = f"{path}/victims/{incident['victims'][0]['id']}"
    advisers = adviser_clients(app, client, url)
    referral = {"service_kind": "psychosocial", "outside_name": "Centre", "referred_on": TODAY}
    changes: list[Callable[[httpx.Client], httpx.Response]] = [
        lambda http: http.patch(path, json={"admin2": "Douentza"}, headers={"If-Match": '"1"'}),
        lambda http: http.post(
            f"{path}/verification", json={"status": "pending_verification", "version": 1}
        ),
        lambda http: http.put(f"{victim_path}/consent", json={"statistics": False}),
        lambda http: http.put(
            f"{victim_path}/identity", json={"name": "A. B."}, headers={"If-Match": '"none"'}
        ),
        lambda http: http.post(f"{path}/duplicate-of/{other['id']}", json={"reason": "same event"}),
        lambda http: http.post(
            f"{API}/incidents/{another['id']}/duplicate-of/{incident['id']}",
            json={"reason": "same event"},
        ),
        lambda http: http.post(f"{victim_path}/referrals", json=referral),
        lambda http: http.delete(path, params={"reason": "entered twice"}),
    ]
    answers = at_once(lambda index: changes[index](advisers[index]))
    close_all(advisers)
    statuses = [a.status_code for a in answers]
    # Each is made, or refused because another changed the incident first; none is lost
    # half-made: every change kept is one version, and the version counts them.
    assert set(statuses) <= {200, 201, 204, 409, 412}, [a.text[:200] for a in answers]
    stored = client.get(f"{path}", params={"include_archived": "true"})
    versions = select(func.count()).where(IncidentVersion.incident_id == uuid.UUID(incident["id"]))
    if stored.status_code == 200:
        assert stored.json()["version"] == row_count(app, versions)
    _assert_no_chain_of_links(app)
    assert_whole(app, url)


def test_eight_first_identities_of_one_survivor_at_once_keep_one(
    app: FastAPI, client: TestClient, url: str
) -> None:
    incident = create_incident(client)
    victim_path = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}"
    advisers = adviser_clients(app, client, url)
    first = {"If-Match": '"none"'}  # each based on there being none yet
    answers = at_once(
        lambda index: advisers[index].put(
            f"{victim_path}/identity", json={"name": f"N{index}"}, headers=first
        )
    )
    close_all(advisers)
    statuses = [a.status_code for a in answers]
    # One is written; every other was based on details that are no longer so, and is refused
    # rather than written over it unseen.
    assert statuses.count(204) == 1 and set(statuses) <= {204, 412}, statuses
    shown = client.get(f"{victim_path}/identity").json()["name"]
    assert shown == f"N{statuses.index(204)}"
    assert_whole(app, url)


# --- Incident Recorder imports through the web page -----------------------------------------

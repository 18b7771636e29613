"""Organisation B against organisation A, every role: on the users, audit, courts and judicial
routes, A's records answer exactly as records that do not exist, and no count moves."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.pagination import decode_cursor
from app.models.enums import Role
from tests.factories import (
    API,
    NGO,
    PASSWORD,
    case_event,
    create_case,
    create_court,
    create_incident,
    create_incident_for_justice,
)

NOWHERE = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def mission(client: TestClient, client_for) -> dict[str, Any]:
    """Organisation A's records: an incident with a case before a court, its people."""
    tracker = client_for(Role.JUDICIAL_TRACKER)
    court = create_court(tracker, "Tribunal de grande instance de Mopti")
    incident = create_incident_for_justice(client)
    case = create_case(tracker, court, [incident])
    assert case_event(tracker, case, "act", "2015-01-10", note="hearing").status_code == 200
    victim = incident["victims"][0]["id"]
    assert client.get(f"{API}/incidents/{incident['id']}/victims/{victim}/identity").is_success
    me = client.get(f"{API}/auth/me").json()
    return {
        "court": court["id"],
        "incident": incident["id"],
        "victim": victim,
        "case": case["id"],
        "case_version": case["version"],
        "user": me["user_id"],
        "organisation": me["organisation_id"],
    }


def _requests(a: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every users/audit/judicial request that names one of A's records."""
    case = f"{API}/judicial-cases/{a['case']}"
    new_user = {
        "username": "intruder",
        "password": PASSWORD,
        "organisation_id": a["organisation"],
        "roles": ["protection_adviser"],
    }
    new_case = {"court_id": a["court"], "incident_ids": [a["incident"]], "opened_on": "2015-01-01"}
    return [
        ("GET", f"{API}/users/{a['user']}", {}),
        ("PATCH", f"{API}/users/{a['user']}", {"json": {"is_active": False}}),
        ("GET", f"{API}/users", {"params": {"organisation_id": a["organisation"]}}),
        ("POST", f"{API}/users", {"json": new_user}),
        ("GET", f"{API}/audit", {"params": {"record_id": a["incident"]}}),
        ("GET", f"{API}/audit", {"params": {"record_id": a["victim"]}}),
        ("GET", f"{API}/audit", {"params": {"record_id": a["case"]}}),
        ("GET", f"{API}/audit", {"params": {"user_id": a["user"]}}),
        ("GET", case, {}),
        ("PATCH", case, {"json": {"version": a["case_version"], "accused_count": 3}}),
        ("DELETE", case, {}),
        ("POST", f"{case}/events", {"json": {"kind": "act", "occurred_on": "2016-01-01"}}),
        ("GET", f"{API}/judicial-cases", {"params": {"incident_id": a["incident"]}}),
        ("POST", f"{API}/judicial-cases", {"json": new_case}),
        ("GET", f"{API}/incidents/{a['incident']}", {}),
        ("PATCH", f"{API}/courts/{a['court']}", {"json": {"name": "Renamed"}}),
        ("DELETE", f"{API}/courts/{a['court']}", {}),
    ]


def _as_if_absent(a: dict[str, Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The same request naming records that do not exist."""
    text = repr(kwargs)
    for key in ("user", "organisation", "incident", "victim", "case"):
        text = text.replace(a[key], NOWHERE)
    return eval(text)


def _answer(client: TestClient, method: str, url: str, kwargs: dict[str, Any]) -> Any:
    response = client.request(method, url, **kwargs)
    return response.status_code, response.json() if response.content else None


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.SYSTEM_ADMIN], ids=str)
def test_another_organisations_records_answer_as_if_they_did_not_exist(
    role: Role, mission: dict[str, Any], client: TestClient, client_for
) -> None:
    outsider = client_for(role, organisation=NGO)
    for method, url, kwargs in _requests(mission):
        absent_url = url
        for key in ("user", "incident", "case"):
            absent_url = absent_url.replace(mission[key], NOWHERE)
        theirs = _answer(outsider, method, url, kwargs)
        nothing = _answer(outsider, method, absent_url, _as_if_absent(mission, kwargs))
        assert theirs == nothing, (role, method, url)
        assert (
            theirs[0] not in (200, 201, 204)
            or theirs[1] in ([], {"items": []}, None)
            or (method == "GET" and url.endswith("/audit"))
        ), (role, method, url, theirs)
    # Nothing of A's was changed by the attempts.
    assert client.get(f"{API}/auth/me").status_code == 200
    tracker = client_for(Role.JUDICIAL_TRACKER)
    case = tracker.get(f"{API}/judicial-cases/{mission['case']}").json()
    assert case["accused_count"] == 0 and len(case["events"]) == 2
    assert tracker.get(f"{API}/courts/{mission['court']}").json()["name"].startswith("Tribunal")


def test_reports_and_lists_count_nothing_of_another_organisation(
    mission: dict[str, Any], client_for
) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER, organisation=NGO)
    assert tracker.get(f"{API}/judicial-cases").json() == []
    assert tracker.get(f"{API}/judicial-cases/pending").json()["total"] == 0
    assert tracker.get(f"{API}/judicial-cases/stalled", params={"months": 1}).json()["total"] == 0
    assert tracker.get(f"{API}/incidents").json()["items"] == []
    admin = client_for(Role.ADMIN, organisation=NGO)
    users = admin.get(f"{API}/users").json()
    assert {user["organisation_id"] for user in users} == {
        admin.get(f"{API}/auth/me").json()["organisation_id"]
    }
    assert len(admin.get(f"{API}/organisations").json()) == 1


def test_audit_pages_do_not_count_another_organisations_events(
    client: TestClient, client_for
) -> None:
    """Registry-wide event ids would: the gap between two of B's events is A's activity."""
    ngo_admin = client_for(Role.ADMIN, organisation=NGO)
    before = ngo_admin.get(f"{API}/audit").json()["items"]
    for _ in range(3):
        create_incident(client)
    ngo_admin.get(f"{API}/auth/me")
    client_for(Role.REPORT_WRITER, organisation=NGO)  # one more event of the NGO's
    page = ngo_admin.get(f"{API}/audit", params={"limit": 1}).json()
    after = ngo_admin.get(f"{API}/audit").json()["items"]
    assert len(after) == len(before) + 2  # the new account and its login; nothing of A's
    for event in after:
        assert "id" not in event and "prev_hash" not in event
    # The cursor is the last event's time and hash, nothing that counts.
    assert decode_cursor(page["next_cursor"], parts=2) == [
        page["items"][0]["at"].replace("Z", "+00:00"),
        page["items"][0]["hash"],
    ]

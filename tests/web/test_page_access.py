"""Every page, every role: the pages grant exactly what the API grants, from the same table."""

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.aggregates.helpers import submit as submit_aggregate
from tests.factories import (
    create_armed_party,
    create_case,
    create_court,
    create_incident_for_justice,
    make_user,
)
from tests.web.pages import csrf_of

ADVISER, WRITER, TRACKER, ADMIN, SYSTEM = (
    Role.PROTECTION_ADVISER,
    Role.REPORT_WRITER,
    Role.JUDICIAL_TRACKER,
    Role.ADMIN,
    Role.SYSTEM_ADMIN,
)
ROLES = (ADVISER, WRITER, TRACKER, ADMIN, SYSTEM)
# Each GET page, and the roles that may open it (all others get 403).
PAGES: dict[str, set[Role]] = {
    "/incidents": {ADVISER},
    "/incidents/new": {ADVISER},
    "/incidents/{incident_id}": {ADVISER},
    "/incidents/{incident_id}/edit": {ADVISER},
    "/statistics": {ADVISER, WRITER},
    "/statistics.csv": {ADVISER, WRITER},
    "/statistics.xlsx": {ADVISER, WRITER},
    "/statistics/trends": {ADVISER, WRITER},
    # Boundaries for the map: uploaded by those who record (advisers) and by admins.
    "/statistics/maps": {ADVISER, ADMIN},
    "/exports/incidents.csv": {ADVISER},
    "/exports/incidents.xlsx": {ADVISER},
    "/judicial": {ADVISER, TRACKER},
    "/judicial/stalled": {ADVISER, TRACKER},
    "/judicial/cases/{case_id}": {ADVISER, TRACKER},
    "/judicial/cases/new": {TRACKER},
    "/judicial/cases/{case_id}/edit": {TRACKER},
    # The API's court routes: cases' readers and anyone who may add a court read the registry.
    "/judicial/courts": {ADVISER, TRACKER, ADMIN, SYSTEM},
    "/judicial/courts/{court_id}/edit": {SYSTEM},
    "/admin/users": {ADMIN},
    "/admin/users/{user_id}": {ADMIN},
    "/admin/organisation": {ADMIN},
    "/admin/audit": {ADMIN},
    # Everyone's own account; a second factor is for roles that read identity.
    "/account": set(ROLES),
    "/services": set(ROLES),
    "/incidents/{incident_id}/victims/{victim_id}/referrals": {ADVISER},
    "/referrals/received": {ADVISER},
    "/reports/72-hours": {ADVISER, WRITER},
    "/reports/72-hours.csv": {ADVISER, WRITER},
    "/reports/service-gaps": {ADVISER, WRITER},
    "/reports/service-gaps.csv": {ADVISER, WRITER},
    "/reports/paragraphs": {ADVISER, WRITER},
    # Dossiers are statistics; the pattern rule is read by every reader of the party registry.
    "/armed-parties": {ADVISER, WRITER},
    "/armed-parties/patterns": {ADVISER, WRITER},
    "/armed-parties/pattern-rule": {ADVISER, WRITER, TRACKER, ADMIN},
    "/armed-parties/{party_id}": {ADVISER, WRITER},
    # Annex records are edited from the dossier by those who read it and write to the registry.
    "/armed-parties/{party_id}/{kind}/new": {ADVISER},
    "/armed-parties/{party_id}/{kind}/{record_id}/edit": {ADVISER},
    "/aggregates": {ADVISER, WRITER, ADMIN},
    "/aggregates/template.csv": {ADVISER, WRITER, ADMIN},
    "/aggregates/new": {ADVISER, ADMIN},
    "/aggregates/{submission_id}": {ADVISER, WRITER, ADMIN},
    "/imports/incident-recorder": {ADVISER},
}
# Pages open to anyone, or to anyone signed in, and the form targets (tested with their pages).
NOT_ROLE_BOUND = {"/", "/login", "/logout", "/language/{language}"}
FORM_TARGETS = {
    "/incidents/new": {ADVISER},
    "/incidents/{incident_id}/edit": {ADVISER},
    "/incidents/{incident_id}/verification": {ADVISER},
    "/judicial/cases/{case_id}/events": {TRACKER},
    "/judicial/cases/new": {TRACKER},
    "/judicial/cases/{case_id}/edit": {TRACKER},
    "/judicial/courts": {TRACKER, ADMIN, SYSTEM},
    "/judicial/courts/{court_id}/edit": {SYSTEM},
    "/judicial/courts/{court_id}/delete": {SYSTEM},
    "/admin/users": {ADMIN},
    "/admin/users/{user_id}/roles": {ADMIN},
    "/admin/users/{user_id}/active": {ADMIN},
    "/admin/users/{user_id}/password": {ADMIN},
    "/admin/organisation/second-factor": {ADMIN},
    "/account/second-factor": {ADVISER},
    "/account/second-factor/confirm": {ADVISER},
    "/account/password": set(ROLES),
    "/incidents/{incident_id}/victims/{victim_id}/referrals": {ADVISER},
    "/referrals/{referral_id}/follow-up": {ADVISER},
    "/referrals/{referral_id}/status": {ADVISER},
    "/armed-parties/pattern-rule": {ADVISER, ADMIN},
    "/armed-parties/{party_id}/{kind}/new": {ADVISER},
    "/armed-parties/{party_id}/{kind}/{record_id}/edit": {ADVISER},
    "/armed-parties/{party_id}/{kind}/{record_id}/delete": {ADVISER},
    "/aggregates/new": {ADVISER, ADMIN},
    "/statistics/maps": {ADVISER, ADMIN},
    "/imports/incident-recorder": {ADVISER},
}


def test_every_page_route_is_in_the_table(app: FastAPI) -> None:
    pages = {
        (route.path, method)
        for route in app.routes
        if isinstance(route, APIRoute) and not route.include_in_schema
        for method in route.methods
    }
    listed = {(path, "GET") for path in PAGES} | {(path, "POST") for path in FORM_TARGETS}
    listed |= {(path, m) for path in NOT_ROLE_BOUND for m in ("GET", "POST")}
    assert pages <= listed, sorted(pages - listed)


def _records(app: FastAPI, client: TestClient, client_for, court_name: str) -> dict[str, str]:
    """One of each record the pages' paths name, all of the signed-in users' organisation."""
    incident = create_incident_for_justice(client)
    tracker_api = client_for(TRACKER)
    court = create_court(tracker_api, court_name)
    case = create_case(tracker_api, court, [incident])
    user = make_user(app, ADVISER)
    victim_path = f"/api/v1/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}"
    assert client.put(f"{victim_path}/consent", json={"referral": True}).status_code == 200
    referral_body = {"service_kind": "other", "outside_name": "CSCOM", "referred_on": "2019-03-20"}
    referral = client.post(f"{victim_path}/referrals", json=referral_body).json()
    party = create_armed_party(client, court_name)
    listing_body = {"report_reference": "S/2020/487", "report_year": 2019, "section": "A"}
    listing = client.post(f"/api/v1/armed-parties/{party['id']}/listings", json=listing_body)
    return {
        "party_id": party["id"],
        "kind": "listings",
        "record_id": listing.json()["id"],
        "incident_id": incident["id"],
        "victim_id": incident["victims"][0]["id"],
        "case_id": case["id"],
        "court_id": court["id"],
        "user_id": str(user.id),
        "referral_id": referral["id"],
        "submission_id": submit_aggregate(client)["id"],
    }


def test_each_role_opens_exactly_its_pages(
    app: FastAPI, client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    ids = _records(app, client, client_for, "Tribunal de Mopti")
    for role in ROLES:
        browser = pages_for(role)
        for path, allowed in PAGES.items():
            url = path.format(**ids)
            if url.startswith("/statistics") and "/" not in url[1:]:
                url += "?group_by=source"  # the table's pages; trends and maps need none
            expected = 200 if role in allowed else 403
            assert browser.get(url).status_code == expected, (role, url)


def test_forms_post_only_for_the_roles_that_may_change_things(
    app: FastAPI, client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    ids = _records(app, client, client_for, "Tribunal de Gao")
    for role in ROLES:
        browser = pages_for(role)
        token = csrf_of(_any_page(browser))
        for path, allowed in FORM_TARGETS.items():
            if role in allowed:
                continue
            url = path.format(**ids)
            response = browser.post(url, data={"csrf_token": token})
            assert response.status_code == 403, (role, url)
    assert client.get(f"/api/v1/incidents/{ids['incident_id']}").json()["version"] == 2  # consent
    assert client.get(f"/api/v1/courts/{ids['court_id']}").status_code == 200
    assert client.get(f"/api/v1/referrals/{ids['referral_id']}").json()["version"] == 1
    listing = f"/api/v1/armed-parties/{ids['party_id']}/listings/{ids['record_id']}"
    assert client.get(listing).json()["version"] == 1
    assert client.get("/api/v1/armed-parties/pattern-rule").json()["is_default"] is True


def _any_page(browser: TestClient) -> str:
    start = browser.get("/").headers["location"]
    return browser.get(start).text

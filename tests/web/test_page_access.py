"""Every page, every role: the pages grant exactly what the API grants, from the same table."""

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import create_case, create_court, create_incident_for_justice
from tests.web.pages import csrf_of

ADVISER, WRITER, TRACKER, ADMIN = (
    Role.PROTECTION_ADVISER,
    Role.REPORT_WRITER,
    Role.JUDICIAL_TRACKER,
    Role.ADMIN,
)
# Each GET page, and the roles that may open it (all others get 403).
PAGES: dict[str, set[Role]] = {
    "/incidents": {ADVISER},
    "/incidents/new": {ADVISER},
    "/incidents/{incident_id}": {ADVISER},
    "/incidents/{incident_id}/edit": {ADVISER},
    "/statistics": {ADVISER, WRITER},
    "/statistics.csv": {ADVISER, WRITER},
    "/judicial": {ADVISER, TRACKER},
    "/judicial/stalled": {ADVISER, TRACKER},
    "/judicial/cases/{case_id}": {ADVISER, TRACKER},
    "/services": {ADVISER, WRITER, TRACKER, ADMIN},
    "/incidents/{incident_id}/victims/{victim_id}/referrals": {ADVISER},
    "/reports/72-hours": {ADVISER, WRITER},
    "/reports/72-hours.csv": {ADVISER, WRITER},
    "/reports/service-gaps": {ADVISER, WRITER},
    "/reports/service-gaps.csv": {ADVISER, WRITER},
}
# Pages open to anyone, or to anyone signed in, and the form targets (tested with their pages).
NOT_ROLE_BOUND = {"/", "/login", "/logout", "/language/{language}"}
FORM_TARGETS = {
    "/incidents/new": {ADVISER},
    "/incidents/{incident_id}/edit": {ADVISER},
    "/incidents/{incident_id}/verification": {ADVISER},
    "/judicial/cases/{case_id}/events": {TRACKER},
    "/incidents/{incident_id}/victims/{victim_id}/referrals": {ADVISER},
    "/referrals/{referral_id}/follow-up": {ADVISER},
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


def test_each_role_opens_exactly_its_pages(
    client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident_for_justice(client)
    tracker_api = client_for(TRACKER)
    case = create_case(tracker_api, create_court(tracker_api, "Tribunal de Mopti"), [incident])
    victim_id = incident["victims"][0]["id"]
    for role in (ADVISER, WRITER, TRACKER, ADMIN):
        browser = pages_for(role)
        for path, allowed in PAGES.items():
            url = path.format(incident_id=incident["id"], case_id=case["id"], victim_id=victim_id)
            if url.startswith("/statistics"):
                url += "?group_by=source"
            expected = 200 if role in allowed else 403
            assert browser.get(url).status_code == expected, (role, url)


def test_forms_post_only_for_the_roles_that_may_change_things(
    client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident_for_justice(client)
    tracker_api = client_for(TRACKER)
    case = create_case(tracker_api, create_court(tracker_api, "Tribunal de Gao"), [incident])
    referral_body = {"service_kind": "other", "outside_name": "CSCOM", "referred_on": "2019-03-20"}
    victim_path = f"/api/v1/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}"
    assert client.put(f"{victim_path}/consent", json={"referral": True}).status_code == 200
    referral = client.post(f"{victim_path}/referrals", json=referral_body).json()
    for role in (ADVISER, WRITER, TRACKER, ADMIN):
        browser = pages_for(role)
        token = csrf_of(browser.get("/").text if role is ADMIN else _any_page(browser))
        for path, allowed in FORM_TARGETS.items():
            if role in allowed:
                continue
            url = path.format(
                incident_id=incident["id"],
                case_id=case["id"],
                victim_id=incident["victims"][0]["id"],
                referral_id=referral["id"],
            )
            response = browser.post(url, data={"csrf_token": token})
            assert response.status_code == 403, (role, url)
    assert client.get(f"/api/v1/incidents/{incident['id']}").json()["version"] == 2  # consent
    assert client.get(f"/api/v1/referrals/{referral['id']}").json()["version"] == 1


def _any_page(browser: TestClient) -> str:
    start = browser.get("/").headers["location"]
    return browser.get(start).text

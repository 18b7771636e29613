"""The service point's organisation through its pages: the referrals made to its points without
the survivor, the incident or the notes, and the form that moves their status only along the
table, against the version shown, audited; and the follow-up form's order of checks."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import AuditEvent
from app.models.enums import Role
from tests.factories import API, NGO, create_incident
from tests.referrals.helpers import REFERRAL_VICTIM, create_point, refer, referrals_url
from tests.web.pages import csrf_of, field_errors, submit

ADVISER = Role.PROTECTION_ADVISER
RECEIVED = "/referrals/received"
THIRD = "Association des Juristes Maliennes"
SURVIVOR = {"name": "Aminata Traoré", "contact": "+223 70 11 22 33", "address": "Sévaré"}
NOTE = "Vit chez sa tante"


def _referral_to_another_organisation(
    client: TestClient, client_for: Callable[..., TestClient]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Organisation A refers its survivor (named, with a note) to organisation B's point."""
    point = create_point(client_for(ADVISER, organisation=NGO), name="Centre One Stop de Mopti")
    incident = create_incident(client, victims=[REFERRAL_VICTIM])
    victim = f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}"
    first = {"If-Match": '"none"'}
    assert client.put(f"{victim}/identity", json=SURVIVOR, headers=first).status_code == 204
    referral = refer(client, referrals_url(incident), point, note=NOTE)
    assert referral.status_code == 201, referral.text
    return incident, referral.json()


def _status_form(referral: dict[str, Any], **fields: str) -> tuple[str, dict[str, str]]:
    return f"/referrals/{referral['id']}/status", {"version": str(referral["version"]), **fields}


def test_the_service_points_organisation_sees_its_referrals_without_the_survivor(
    client: TestClient, client_for: Callable[..., TestClient], pages_for: Callable[..., TestClient]
) -> None:
    incident, referral = _referral_to_another_organisation(client, client_for)
    browser = pages_for(ADVISER, organisation=NGO, language="fr")
    page = browser.get(RECEIVED)
    assert page.status_code == 200
    text = page.text
    assert referral["code"] in text and "Centre One Stop de Mopti" in text
    assert "Références reçues" in text and "Santé et soins médicaux" in text
    assert "2019-03-20" in text
    hidden = [
        *SURVIVOR.values(),
        NOTE,
        incident["id"],
        incident["reference"],
        referral["victim_id"],
    ]
    assert [value for value in hidden if value in text] == []
    assert 'href="/referrals/received"' in browser.get("/services").text
    # The referring organisation's list does not show it: the point is not theirs.
    own = pages_for(ADVISER).get(RECEIVED)
    assert own.status_code == 200 and referral["code"] not in own.text
    assert 'href="/referrals/received"' not in pages_for(Role.REPORT_WRITER).get("/services").text


def test_the_status_moves_only_along_the_table_against_the_version_shown(
    client: TestClient,
    client_for: Callable[..., TestClient],
    pages_for: Callable[..., TestClient],
    app: FastAPI,
) -> None:
    _incident, referral = _referral_to_another_organisation(client, client_for)
    browser = pages_for(ADVISER, organisation=NGO)
    path = f"{API}/referrals/{referral['id']}"
    # The referring organisation's moves are not offered, and refused if posted.
    assert "not_applicable" not in browser.get(RECEIVED).text
    for status in ("not_applicable", "already_received_from_another_agency", "service_provided"):
        action, fields = _status_form(referral, status=status, status_on="2019-03-21")
        refused = submit(browser, RECEIVED, action, fields)
        assert refused.status_code == 409, (status, refused.text)
        assert "status" in field_errors(refused.text)
    assert client.get(path).json()["version"] == 1
    action, fields = _status_form(referral, status="accepted", status_on="2019-03-21")
    moved = submit(browser, RECEIVED, action, fields)
    assert moved.status_code == 303 and moved.headers["location"] == RECEIVED + "?moved=1"
    stale = submit(browser, RECEIVED, action, {**fields, "status": "service_provided"})
    assert stale.status_code == 409  # still version 1: someone else's change is not overwritten
    current = client.get(path).json()
    assert (current["status"], current["version"]) == ("accepted", 2)
    assert current["history"][-1]["by_service_point"] is True
    action, fields = _status_form(current, status="service_provided", status_on="2019-03-22")
    assert submit(browser, RECEIVED, action, fields).status_code == 303
    assert client.get(path).json()["status"] == "service_provided"
    with app.state.session_factory() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_id == referral["id"])
        ).all()
    assert actions.count("referral.update") == 2
    # An outcome is final: no form is left for it.
    assert f"/referrals/{referral['id']}/status" not in browser.get(RECEIVED).text


def test_only_the_service_points_organisation_may_move_it_from_this_page(
    client: TestClient, client_for: Callable[..., TestClient], pages_for: Callable[..., TestClient]
) -> None:
    _incident, referral = _referral_to_another_organisation(client, client_for)
    action, fields = _status_form(referral, status="accepted", status_on="2019-03-21")
    for outsider in (pages_for(ADVISER, organisation=THIRD), pages_for(ADVISER)):
        # A third organisation, and the referring one (its moves are on the survivor's page).
        assert submit(outsider, RECEIVED, action, fields).status_code == 404
    provider = pages_for(ADVISER, organisation=NGO)
    token = csrf_of(provider.get(RECEIVED).text)
    assert provider.post(action, data={**fields, "csrf_token": "x" + token}).status_code == 403
    assert provider.post(action, data=fields).status_code == 403
    assert client.get(f"{API}/referrals/{referral['id']}").json()["version"] == 1


def test_what_was_typed_is_named_before_the_version_and_the_rules(
    client: TestClient, client_for: Callable[..., TestClient], pages_for: Callable[..., TestClient]
) -> None:
    _incident, referral = _referral_to_another_organisation(client, client_for)
    provider = pages_for(ADVISER, organisation=NGO)
    action, _fields = _status_form(referral)
    for fields, expected in [
        ({"status": "accepted", "status_on": "2019-02-30", "version": "1"}, {"status_on"}),
        ({"status": "accepted", "status_on": "abc", "version": "²"}, {"status_on"}),
        ({"status": "magic", "status_on": "21/03/2019", "version": "7"}, {"status", "status_on"}),
    ]:
        answer = submit(provider, RECEIVED, action, fields)
        assert answer.status_code == 422, (fields, answer.status_code)
        errors = field_errors(answer.text)
        assert set(errors) == expected, (fields, errors)
        assert errors["status_on"] == "Enter a date as YYYY-MM-DD."
    # A well-formed date that breaks a rule is named by the rule.
    fields = {"status": "accepted", "status_on": "2019-03-01", "version": "1"}
    early = submit(provider, RECEIVED, action, fields)
    assert early.status_code == 422 and "before" in field_errors(early.text)["status_on"]
    assert client.get(f"{API}/referrals/{referral['id']}").json()["version"] == 1


def test_the_follow_up_form_names_a_malformed_date_before_the_version(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident(client, victims=[REFERRAL_VICTIM])
    referral = refer(client, referrals_url(incident), None, outside_name="CSCOM").json()
    browser = pages_for(ADVISER)
    page = referrals_url(incident).removeprefix(API)
    follow = f"/referrals/{referral['id']}/follow-up"
    for fields, expected in [
        ({"status": "accepted", "status_on": "abc", "version": "zz"}, {"status_on"}),
        ({"followed_up_on": "2019-13-01", "version": "7"}, {"followed_up_on"}),
        (
            {"status": "magic", "next_follow_up_on": "soon", "version": "1"},
            {"status", "next_follow_up_on"},
        ),
    ]:
        answer = submit(browser, page, follow, fields)
        assert answer.status_code == 422, (fields, answer.status_code)
        assert set(field_errors(answer.text)) == expected, (fields, field_errors(answer.text))
    assert client.get(f"{API}/referrals/{referral['id']}").json()["version"] == 1


def test_the_refer_form_names_each_malformed_field_before_the_date_rules(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    point = create_point(client)
    incident = create_incident(client, victims=[REFERRAL_VICTIM])
    browser = pages_for(ADVISER, language="fr")
    page = referrals_url(incident).removeprefix(API)
    base = {"service_kind": "health_medical", "service_point_id": point["id"]}
    for fields, expected in [
        ({**base, "referred_on": "not a date"}, {"referred_on"}),
        (
            {**base, "referred_on": "2019-02-30", "next_follow_up_on": "2019-02-31"},
            {"referred_on", "next_follow_up_on"},
        ),
        (
            {**base, "service_kind": "witchcraft", "referred_on": "20/03/2019"},
            {"service_kind", "referred_on"},
        ),
        (
            {**base, "service_point_id": "le centre", "referred_on": "2019-03-20"},
            {"service_point_id"},
        ),
        ({**base, "referred_on": "99999-01-01"}, {"referred_on"}),
    ]:
        answer = submit(browser, page, page, fields)
        assert answer.status_code == 422, (fields, answer.status_code)
        errors = field_errors(answer.text)
        assert set(errors) == expected, (fields, errors)
        if "referred_on" in expected:
            assert errors["referred_on"] == "Saisissez une date au format AAAA-MM-JJ."
    # Well-formed, the date rules speak.
    early = submit(browser, page, page, {**base, "referred_on": "2019-03-01"})
    assert early.status_code == 422 and set(field_errors(early.text)) == {"referred_on"}
    assert client.get(referrals_url(incident)).json() == []


def test_every_referral_received_is_reached_a_page_at_a_time(
    client: TestClient, client_for: Callable[..., TestClient], pages_for: Callable[..., TestClient]
) -> None:
    """No referral is out of the service point's reach however many there are: the API and the
    page go back a page at a time, newest first, each referral once."""
    provider = client_for(ADVISER, organisation=NGO)
    point = create_point(provider, name="Centre One Stop de Mopti")
    incident = create_incident(client, victims=[REFERRAL_VICTIM])
    days = [f"2019-03-{day:02d}" for day in (20, 21, 21, 22, 23)]  # two on one day
    codes = [
        refer(client, referrals_url(incident), point, referred_on=day).json()["code"]
        for day in days
    ]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = provider.get(f"{API}/referrals/received", params=params).json()
        seen += [item["code"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(codes) and len(seen) == len(codes)
    assert seen[0] == codes[-1]  # newest first
    refused = provider.get(f"{API}/referrals/received", params={"cursor": "not-a-cursor"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "cursor"

    browser = pages_for(ADVISER, organisation=NGO)
    first = browser.get(RECEIVED)
    assert all(code in first.text for code in codes)  # five fit on one page
    assert 'rel="next"' not in first.text

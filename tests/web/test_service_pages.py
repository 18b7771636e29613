"""The service pages: the directory, a victim's referrals with the forms to refer and follow up,
and the two reports, in English and French, with no script."""

from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident
from tests.referrals.helpers import REFERRAL_VICTIM, create_point, refer, referrals_url
from tests.web.pages import field_errors, submit

ADVISER = Role.PROTECTION_ADVISER


def test_the_directory_is_searched_by_place_and_kind(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_point(client)
    create_point(client, name="Centre de Gao", admin1="Gao", admin2="Gao", kinds=["psychosocial"])
    browser = pages_for(Role.REPORT_WRITER, language="fr")
    page = browser.get("/services", params={"admin1": "Gao"})
    assert page.status_code == 200
    assert "Centre de Gao" in page.text and "Centre intégré de Mopti" not in page.text
    assert "Soutien psychosocial" in page.text and "<script>" not in page.text.split("</head>")[1]
    health = browser.get("/services", params={"kind": "health_medical"}).text
    assert "Centre intégré de Mopti" in health and "Centre de Gao" not in health
    assert browser.get("/services", params={"kind": "magic"}).status_code == 400


def test_an_adviser_refers_and_follows_up_through_the_forms(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    point = create_point(client)
    incident = create_incident(client, victims=[REFERRAL_VICTIM])
    browser = pages_for(ADVISER)
    page = referrals_url(incident).removeprefix(API)
    fields = {
        "service_kind": "health_medical",
        "service_point_id": point["id"],
        "referred_on": "2019-03-20",
        "note": "Accompagnée par sa tante",
    }
    sent = submit(browser, page, page, fields)
    assert sent.status_code == 303, sent.text
    [referral] = client.get(referrals_url(incident)).json()
    shown = browser.get(page).text
    assert referral["code"] in shown and "Accompagnée" not in shown  # notes stay in the API view
    follow = f"/referrals/{referral['id']}/follow-up"
    moved = submit(
        browser, page, follow, {"status": "accepted", "status_on": "2019-03-21", "version": "1"}
    )
    assert moved.status_code == 303, moved.text
    assert client.get(f"{API}/referrals/{referral['id']}").json()["status"] == "accepted"
    stale = submit(browser, page, follow, {"status": "service_provided", "version": "1"})
    assert stale.status_code == 409
    wrong = submit(browser, page, follow, {"status": "accepted", "version": "2"})
    assert wrong.status_code == 409 and "status" in field_errors(wrong.text)
    for fields, name in [
        ({"referred_on": "9999-01-01"}, "referred_on"),
        ({"referred_on": "2019-03-20", "outside_name": "X"}, "service_point_id"),
    ]:
        body = {"service_kind": "health_medical", "service_point_id": point["id"], **fields}
        if "outside_name" in fields:
            body.pop("service_point_id")
            body["outside_name"] = ""
        bad = submit(browser, page, page, body)
        assert bad.status_code == 422, (fields, bad.text)
        assert name in field_errors(bad.text), (fields, field_errors(bad.text))
    # A NUL anywhere in a form is refused before the page runs, naming the field.
    body = {"service_kind": "health_medical", "service_point_id": point["id"], "note": "a\x00"}
    bad = submit(browser, page, page, {"referred_on": "2019-03-20", **body})
    assert bad.status_code == 422 and "cannot be stored" in bad.text and "note" in bad.text.lower()


def test_the_form_says_when_the_survivor_has_not_consented(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident(client)
    browser = pages_for(ADVISER, language="fr")
    page = referrals_url(incident).removeprefix(API)
    shown = browser.get(page)
    assert shown.status_code == 200 and 'id="no-consent"' in shown.text
    refused = submit(
        browser,
        "/services",
        page,
        {"service_kind": "psychosocial", "outside_name": "X", "referred_on": "2019-03-20"},
    )
    assert refused.status_code == 409
    assert client.get(referrals_url(incident)).json() == []


def test_another_organisation_gets_no_referral_page(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident(client, victims=[REFERRAL_VICTIM])
    referral = refer(client, referrals_url(incident), None, outside_name="CSCOM").json()
    other = pages_for(ADVISER, organisation=NGO)
    page = referrals_url(incident).removeprefix(API)
    assert other.get(page).status_code == 404
    posted = submit(
        other,
        "/services",
        f"/referrals/{referral['id']}/follow-up",
        {"status": "accepted", "version": "1"},
    )
    assert posted.status_code == 404
    assert client.get(f"{API}/referrals/{referral['id']}").json()["version"] == 1


def test_the_reports_show_a_table_a_chart_and_a_csv(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_point(client)
    create_incident(client, admin1="Mopti", admin2="Bandiagara")
    create_incident(client, admin1="Mopti", admin2="Mopti")
    browser = pages_for(Role.REPORT_WRITER, language="fr")
    gaps = browser.get("/reports/service-gaps")
    assert gaps.status_code == 200
    assert (
        "<svg" in gaps.text and "Bandiagara" in gaps.text and "Aucun point de service" in gaps.text
    )
    assert "(50,0 %)" in gaps.text  # the French decimal comma
    english = pages_for(Role.REPORT_WRITER).get("/reports/service-gaps").text
    assert "(50.0 %)" in english
    csv = browser.get("/reports/service-gaps.csv")
    assert csv.status_code == 200 and csv.text.startswith("country,admin1,admin2")
    indicator = browser.get("/reports/72-hours", params={"group_by": "region"})
    assert (
        indicator.status_code == 200
        and "<svg" in indicator.text
        and "Victimes de viol" in indicator.text
    )
    assert browser.get("/reports/72-hours.csv").text.startswith("rape_victims")
    bad = browser.get("/reports/72-hours", params={"occurred_from": "2019-02-30"})
    assert bad.status_code == 400 and "occurred_from" in field_errors(bad.text)


def test_a_follow_up_with_a_version_that_is_no_number_saves_nothing_and_is_no_error(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident(client, victims=[REFERRAL_VICTIM])
    browser = pages_for(ADVISER)
    page = referrals_url(incident).removeprefix(API)
    referral = refer(client, referrals_url(incident), None, outside_name="CSCOM").json()
    follow = f"/referrals/{referral['id']}/follow-up"
    for version in ("²", "٣", "abc", "9" * 5000):  # "²".isdigit() is true; int("²") fails
        fields = {"status": "accepted", "status_on": "2019-03-21", "version": version}
        answer = submit(browser, page, follow, fields)
        assert answer.status_code == 409, (version, answer.status_code)
    assert client.get(f"{API}/referrals/{referral['id']}").json()["status"] == "referred"


def test_the_reports_refuse_a_parameter_they_do_not_know_by_name(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """A misspelt filter never silently shows every region, as the API refuses it too."""
    create_incident(client, victims=[REFERRAL_VICTIM])
    browser = pages_for(Role.REPORT_WRITER)
    for path in (
        "/reports/72-hours",
        "/reports/72-hours.csv",
        "/reports/service-gaps",
        "/reports/service-gaps.csv",
    ):
        response = browser.get(f"{path}?region=Gao&occurred_from=2019-01-01")
        assert response.status_code == 422, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert "region: This field is not expected here." in unescape(response.text), path
        assert api_refusal(client, path) == 422
        assert browser.get(f"{path}?admin1=Gao&occurred_from=2019-01-01").status_code == 200


def api_refusal(client: TestClient, path: str) -> int:
    return client.get(f"{API}{path}?region=Gao").status_code

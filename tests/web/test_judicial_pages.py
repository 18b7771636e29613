"""Judicial trackers' pages: pending by court and stage, stalled cases, a case's timeline and
recording a judicial act through the same rules as the API."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import create_case, create_court, create_incident_for_justice
from tests.web.pages import field_errors, submit

TRACKER = Role.JUDICIAL_TRACKER
TODAY = datetime.now(UTC).date()
LONG_AGO = (TODAY - timedelta(days=3 * 365)).isoformat()


@pytest.fixture
def cases(client: TestClient, client_for) -> dict[str, Any]:
    """Three stalled cases before the tribunal of Commune III, one recent case at the ICC."""
    tracker = client_for(TRACKER)
    incident = create_incident_for_justice(client)
    commune = create_court(tracker, "Tribunal de grande instance de la Commune III")
    icc = create_court(tracker, "International Criminal Court", jurisdiction="international")
    stalled = [
        create_case(
            tracker,
            commune,
            [incident],
            docket_reference=f"RG 2014/{number}",
            stage="judicial_investigation",
            stage_since="2015-01-10",
            last_act_on="2017-01-10",
        )
        for number in range(3)
    ]
    recent = create_case(
        tracker,
        icc,
        [incident],
        docket_reference="ICC-01/12-01/18",
        stage="trial",
        stage_since=(TODAY - timedelta(days=30)).isoformat(),
        last_act_on=(TODAY - timedelta(days=10)).isoformat(),
    )
    return {"stalled": stalled, "recent": recent}


def test_pending_cases_by_court_and_stage(
    cases: dict[str, Any], pages_for: Callable[..., TestClient]
) -> None:
    page = pages_for(TRACKER).get("/judicial").text
    assert "4 cases not closed" in page
    table = re.search(r'id="pending-table">(.*?)</table>', page, re.S)
    assert table
    rows = {
        re.sub(r"<[^>]+>", "", label).strip(): re.findall(r'<td class="count">(\d+)</td>', cells)
        for label, cells in re.findall(
            r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table.group(1), re.S
        )
    }
    # Columns: judicial investigation, trial, total.
    assert rows["Tribunal de grande instance de la Commune III"] == ["3", "0", "3"]
    assert rows["International Criminal Court"] == ["0", "1", "1"]


def test_the_stalled_list_holds_cases_without_an_act_for_the_chosen_months(
    cases: dict[str, Any], pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(TRACKER)
    page = browser.get("/judicial/stalled?months=12").text
    assert "3 open cases with no judicial act for 12 months or more" in page
    assert "ICC-01/12-01/18" not in page
    assert "RG 2014/0" in page


def test_recording_an_act_moves_the_last_act_date_and_shows_in_the_timeline(
    cases: dict[str, Any], pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(TRACKER)
    case = cases["stalled"][0]
    page = f"/judicial/cases/{case['id']}"
    action = f"{page}/events"
    act = {"kind": "act", "occurred_on": TODAY.isoformat(), "note": "Hearing of the civil party"}
    assert submit(browser, page, action, act).status_code == 303
    move = {
        "kind": "stage_change",
        "occurred_on": TODAY.isoformat(),
        "stage": "committed_for_trial",
    }
    assert submit(browser, page, action, move).status_code == 303
    shown = browser.get(page).text
    assert "Hearing of the civil party" in shown
    assert re.search(r'id="case-stage">Committed for trial, since ' + TODAY.isoformat(), shown)
    # An act today: the case is no longer stalled.
    assert case["docket_reference"] not in browser.get("/judicial/stalled?months=12").text


def test_a_refused_act_is_shown_by_its_field_and_changes_nothing(
    cases: dict[str, Any], pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(TRACKER, language="fr")
    case = cases["stalled"][0]
    page = f"/judicial/cases/{case['id']}"
    early = {"kind": "act", "occurred_on": "2010-01-01", "note": "Audience"}
    response = submit(browser, page, f"{page}/events", early)
    assert response.status_code == 422
    assert field_errors(response.text) == {
        "occurred_on": "est antérieure à la plainte (2014-03-05)"
    }
    skipping = {"kind": "stage_change", "occurred_on": TODAY.isoformat(), "stage": "verdict"}
    refused = submit(browser, page, f"{page}/events", skipping)
    assert field_errors(refused.text) == {"stage": "transition non autorisée"}
    timeline = re.search(r'id="case-timeline">(.*?)</ol>', unescape(browser.get(page).text), re.S)
    assert timeline
    # Only the two entries made when the case was entered, in French like the rest.
    assert timeline.group(1).count("<li>") == 2
    assert "étape lors de la saisie de l'affaire" in timeline.group(1)


def test_other_roles_cannot_reach_the_judicial_pages_or_record_acts(
    cases: dict[str, Any], pages_for: Callable[..., TestClient]
) -> None:
    writer = pages_for(Role.REPORT_WRITER)
    assert writer.get("/judicial").status_code == 403
    adviser = pages_for(Role.PROTECTION_ADVISER)  # may read cases, not record acts
    page = f"/judicial/cases/{cases['recent']['id']}"
    assert adviser.get(page).status_code == 200
    assert "Record a judicial act" not in adviser.get(page).text
    act = {"kind": "act", "occurred_on": TODAY.isoformat()}
    assert submit(adviser, page, f"{page}/events", act).status_code == 403


def test_the_act_form_dates_nothing_and_an_empty_act_is_refused(
    cases: dict[str, Any], pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(TRACKER)
    case = cases["stalled"][0]
    page = f"/judicial/cases/{case['id']}"
    shown = browser.get(page).text
    date_input = re.search(r'<input id="f-occurred_on"[^>]*>', shown)
    assert date_input and 'value=""' in date_input.group(0)  # no date the user did not type
    response = submit(browser, page, f"{page}/events", {"kind": "act"})  # one click on "Record"
    assert response.status_code == 422
    # Both problems in one answer, each beside its field and named in the summary.
    assert field_errors(response.text) == {
        "occurred_on": "This field is required.",
        "note": "say what the act was",
    }
    assert "Date: This field is required." in unescape(response.text)
    assert "Description: say what the act was" in unescape(response.text)
    undescribed = {"kind": "act", "occurred_on": TODAY.isoformat(), "note": "  "}
    assert submit(browser, page, f"{page}/events", undescribed).status_code == 422
    # Nothing recorded: the case is still stalled.
    assert case["docket_reference"] in browser.get("/judicial/stalled?months=12").text


def test_a_stalled_list_parameter_that_is_not_a_number_is_named(
    cases: dict[str, Any], pages_for: Callable[..., TestClient]
) -> None:
    response = pages_for(TRACKER).get("/judicial/stalled?months=abc")
    assert response.status_code == 422
    assert "No judicial act for at least (months): Enter a whole number." in unescape(response.text)
    french = pages_for(TRACKER, language="fr").get("/judicial/stalled?months=0")
    assert french.status_code == 422
    assert "Doit être au moins 1." in unescape(french.text)
    # A malformed id in the path is still a page that does not exist.
    assert pages_for(TRACKER).get("/judicial/cases/not-an-id").status_code == 404


def test_the_confirmation_names_what_was_recorded_an_act_or_a_new_stage(
    cases: dict[str, Any], pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(TRACKER)
    page = f"/judicial/cases/{cases['stalled'][0]['id']}"
    act = {"kind": "act", "occurred_on": TODAY.isoformat(), "note": "Hearing of the civil party"}
    answer = submit(browser, page, f"{page}/events", act)
    assert "The judicial act was recorded." in browser.get(answer.headers["location"]).text
    move = {
        "kind": "stage_change",
        "occurred_on": TODAY.isoformat(),
        "stage": "committed_for_trial",
    }
    answer = submit(browser, page, f"{page}/events", move)
    shown = browser.get(answer.headers["location"]).text
    assert "The new stage was recorded." in shown
    assert "The judicial act was recorded." not in shown


def test_the_case_tables_keep_each_date_on_one_line(
    cases: dict[str, Any], pages_for: Callable[..., TestClient]
) -> None:
    """Dates as <time>, which the stylesheet keeps whole: on a phone "2017-01-10" broke after
    its year in the narrow columns of the pending and stalled tables."""
    browser = pages_for(TRACKER)
    pending = browser.get("/judicial").text
    assert '<time datetime="2015-01-10">2015-01-10</time>' in pending
    assert '<time datetime="2017-01-10">2017-01-10</time>' in pending
    stalled = browser.get("/judicial/stalled?months=12").text
    assert stalled.count('<time datetime="2017-01-10">2017-01-10</time>') == 3

"""The pending and stalled pages count their cases in words that agree with the number, and the
pending page still lists the cases that have been concluded."""

from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import case_event, create_case, create_court, create_incident_for_justice
from tests.web.pages import submit

TRACKER = Role.JUDICIAL_TRACKER


def test_one_case_is_counted_in_the_singular_in_english_and_french(
    client: TestClient, client_for: Callable[..., TestClient], pages_for: Callable[..., TestClient]
) -> None:
    tracker = client_for(TRACKER)
    court = create_court(tracker, "Tribunal de grande instance de Mopti")
    create_case(
        tracker,
        court,
        [create_incident_for_justice(client)],
        stage="judicial_investigation",
        last_act_on="2017-01-10",
    )
    english = pages_for(TRACKER)
    assert "1 case not closed, as of " in english.get("/judicial").text
    stalled = english.get("/judicial/stalled?months=12").text
    assert "1 open case with no judicial act for 12 months or more, as of " in stalled
    french = pages_for(TRACKER, language="fr")
    assert "1 affaire non close au " in french.get("/judicial").text
    stalled = french.get("/judicial/stalled?months=12").text
    assert "1 affaire en cours sans acte judiciaire depuis 12 mois ou plus" in stalled
    assert "0 affaire en cours" in french.get("/judicial/stalled?months=200").text
    assert "0 open cases" in english.get("/judicial/stalled?months=200").text


def test_a_case_that_reached_its_verdict_stays_listed_with_its_outcome(
    client: TestClient, client_for: Callable[..., TestClient], pages_for: Callable[..., TestClient]
) -> None:
    tracker = client_for(TRACKER)
    court = create_court(tracker, "Tribunal de grande instance de Mopti")
    incident = create_incident_for_justice(client)
    case = create_case(tracker, court, [incident], docket_reference="RG 2014/0042", stage="trial")
    create_case(tracker, court, [incident], docket_reference="RG 2014/0043")
    browser = pages_for(TRACKER, language="fr")
    assert 'id="closed-cases"' not in browser.get("/judicial").text
    for stage in ("verdict", "convicted"):
        moved = case_event(tracker, case, "stage_change", "2015-06-30", stage=stage)
        assert moved.status_code == 200, moved.text
    page = unescape(browser.get("/judicial").text)
    assert "1 affaire non close" in page  # the other one
    closed = page.split('id="closed-cases">', 1)[1].split("</section>", 1)[0]
    assert "Affaires closes (1)" in closed
    assert f'<a href="/judicial/cases/{case["id"]}">RG 2014/0042</a>' in closed
    assert "Condamné" in closed and "2015-06-30" in closed and "RG 2014/0043" not in closed


def test_a_victim_never_asked_is_named_by_position_in_french(
    client: TestClient, client_for: Callable[..., TestClient], pages_for: Callable[..., TestClient]
) -> None:
    court = create_court(client_for(TRACKER), "Tribunal de grande instance de Mopti")
    incident = create_incident_for_justice(
        client,
        victims=[
            {"sex": "female", "age": 24, "consent": {"justice": True}},
            {"sex": "female", "age": 15},
        ],
    )
    browser = pages_for(TRACKER, language="fr")
    fields = {
        "court_id": court["id"],
        "incident_ids": incident["reference"],
        "stage": "complaint_filed",
        "opened_on": "2014-03-05",
    }
    refused = submit(browser, "/judicial/cases/new", "/judicial/cases/new", fields)
    assert refused.status_code == 409
    page = unescape(refused.text)
    assert (
        f"{incident['reference']} : la victime 2 n'a jamais été consultée sur la transmission "
        "à la justice"
    ) in page  # French puts a space before the colon
    assert incident["victims"][1]["id"] not in page

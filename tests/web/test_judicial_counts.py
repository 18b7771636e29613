"""The pending and stalled pages count their cases in words that agree with the number."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import create_case, create_court, create_incident_for_justice

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

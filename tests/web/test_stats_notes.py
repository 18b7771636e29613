"""The notes under a statistics table say what its rows add up to only where that is not the
total, and each sentence stands apart from the next."""

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import create_incident

TWO_VICTIMS = [{"sex": "female", "age": 25}, {"sex": "female", "age": 15}]


def _notes(page: str) -> str:
    notes = page.split('<div class="notes">', 1)[1].split("</div>", 1)[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", "", notes)).split())


def test_rows_that_add_up_to_the_total_are_not_said_to_differ_from_it(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client, victims=TWO_VICTIMS, violations=["rape"])
    create_incident(client, perpetrators=[{"category": "non_state_armed_group"}])
    browser = pages_for(Role.REPORT_WRITER)
    for query in ("group_by=perpetrator_category", "group_by=admin1&then_by=violation"):
        notes = _notes(browser.get(f"/statistics?{query}").text)
        assert "not the total" not in notes, (query, notes)


def test_each_sentence_of_a_note_is_apart_from_the_next(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    # One incident in two forms of violence: its incident and its two victims count in two rows.
    create_incident(client, victims=TWO_VICTIMS, violations=["rape", "sexual_slavery"])
    create_incident(client, violations=["rape"])
    page = pages_for(Role.REPORT_WRITER, language="fr").get("/statistics?group_by=violation")
    notes = _notes(page.text)
    assert (
        "Un incident peut compter dans plusieurs lignes : les lignes "
        "totalisent 3 incidents, et non le total. Une victime peut compter dans plusieurs "
        "lignes : les lignes totalisent donc 5 victimes, et non le total."
    ) in notes, notes


def test_no_sentence_announces_a_not_recorded_row_that_holds_no_incident(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client, violations=["rape"])
    french = pages_for(Role.REPORT_WRITER, language="fr").get("/statistics?group_by=violation")
    assert "n'a pas de valeur renseignée" not in _notes(french.text)
    english = pages_for(Role.REPORT_WRITER).get("/statistics?group_by=violation")
    assert "no value recorded" not in _notes(english.text)
    assert "<p></p>" not in english.text.replace("\n", "").replace(" ", "")


def test_one_incident_without_a_value_is_counted_in_the_singular(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client, perpetrators=[])
    create_incident(client)
    browser = pages_for(Role.REPORT_WRITER)
    notes = _notes(browser.get("/statistics?group_by=perpetrator_category").text)
    assert "Perpetrator category: 1 incident has no value recorded; it is the row" in notes
    french = pages_for(Role.REPORT_WRITER, language="fr")
    notes = _notes(french.get("/statistics?group_by=perpetrator_category").text)
    assert "Catégorie d'auteur : 1 incident n'a pas de valeur renseignée ; il forme" in notes

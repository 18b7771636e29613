"""Party dossiers on the web: the dossier and the patterns in English and French, the pattern
rule's form, and the forms that record a party's listings, commitments and sanctions."""

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.armed_parties.dossier_helpers import party_incident, set_rule
from tests.factories import API, create_armed_party
from tests.web.pages import field_errors, submit


def _party_with_a_pattern(client: TestClient) -> dict:
    party = create_armed_party(client, "Ansar Eddine")
    party_incident(client, party, "2018-03-10", violations=["sexual_slavery"])
    party_incident(client, party, "2019-08-10")
    return party


def test_the_dossier_page_shows_the_figures_and_the_pattern_in_both_languages(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    party = _party_with_a_pattern(client)
    english = pages_for(Role.REPORT_WRITER).get(f"/armed-parties/{party['id']}?year=2019")
    assert english.status_code == 200
    assert "Verified incidents: 2; victims: 2." in english.text
    assert "Meets the rule" in english.text
    assert "Sexual slavery" in english.text
    assert "Q3 2019" in english.text
    assert "Record a listing" not in english.text  # report writers read
    french = pages_for(Role.PROTECTION_ADVISER, language="fr").get(
        f"/armed-parties/{party['id']}?year=2021"
    )
    assert "Incidents vérifiés : 2 ; victimes : 2." in french.text
    assert "Ne remplit pas la règle" in french.text
    assert "T3 2019" in french.text
    assert "Enregistrer une inscription" in french.text


def test_the_patterns_page_lists_the_parties_meeting_the_rule(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    party = _party_with_a_pattern(client)
    create_armed_party(client, "MUJAO")
    browser = pages_for(Role.REPORT_WRITER, language="fr")
    page = browser.get("/armed-parties/patterns?year=2019")
    assert page.status_code == 200
    assert f'href="/armed-parties/{party["id"]}?year=2019"' in page.text
    assert "MUJAO" not in page.text
    assert "Aucune partie ne remplit" in browser.get("/armed-parties/patterns?year=2022").text
    assert browser.get("/armed-parties/patterns").status_code == 200  # the form alone


def test_a_page_parameter_it_cannot_use_is_named_in_a_422_page(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    browser = pages_for(Role.REPORT_WRITER)
    for url in (f"/armed-parties/{party['id']}?year=abc", "/armed-parties/patterns?year=1800"):
        page = browser.get(url)
        assert page.status_code == 422
        assert "Year: " in unescape(page.text) and "year:" not in page.text, url
    french = pages_for(Role.REPORT_WRITER, language="fr").get("/armed-parties/patterns?year=1800")
    assert "Année : Doit être au moins 1900." in unescape(french.text).replace("\xa0", " ")
    assert browser.get(f"/armed-parties/{party['id']}?colour=red").status_code == 422


def test_an_adviser_records_changes_and_deletes_a_listing_from_the_dossier(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    browser = pages_for(Role.PROTECTION_ADVISER)
    new = f"/armed-parties/{party['id']}/listings/new"
    refused = submit(browser, new, new, {"report_reference": "S/2020/487", "section": "C"})
    assert refused.status_code == 422
    assert set(field_errors(refused.text)) == {"report_year", "section"}
    fields = {"report_reference": "S/2020/487", "report_year": "2019", "section": "A"}
    saved = submit(browser, new, new, fields)
    assert saved.status_code == 303
    listing = browser.get(saved.headers["location"]).text
    assert "S/2020/487" in listing and "A: situations of armed conflict" in listing
    record = client.get(f"{API}/armed-parties/{party['id']}/dossier").json()["listings"][0]

    edit = f"/armed-parties/{party['id']}/listings/{record['id']}/edit"
    assert (
        submit(browser, edit, edit, {**fields, "section": "B", "version": "1"}).status_code == 303
    )
    stale = submit(browser, edit, edit, {**fields, "delisted_on": "2021-06-30", "version": "1"})
    assert stale.status_code == 409
    emptied = submit(browser, edit, edit, {**fields, "report_reference": "", "version": "2"})
    assert set(field_errors(emptied.text)) == {"report_reference"}
    stored = client.get(f"{API}/armed-parties/{party['id']}/listings/{record['id']}").json()
    assert (stored["section"], stored["version"], stored["delisted_on"]) == ("B", 2, None)

    delete = f"/armed-parties/{party['id']}/listings/{record['id']}/delete"
    assert submit(browser, edit, delete, {}).status_code == 303
    assert client.get(f"{API}/armed-parties/{party['id']}/dossier").json()["listings"] == []


def test_a_commitments_share_is_entered_and_shown_as_a_percentage(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    party = create_armed_party(client, "Plateforme")
    browser = pages_for(Role.PROTECTION_ADVISER, language="fr")
    new = f"/armed-parties/{party['id']}/commitments/new"
    fields = {
        "kind": "unilateral_communique",
        "made_on": "2019-06-01",
        "text_reference": "Communiqué du 1er juin 2019",
        "implemented_percent": "150",
    }
    refused = submit(browser, new, new, fields)
    assert set(field_errors(refused.text)) == {"implemented_percent"}
    saved = submit(browser, new, new, {**fields, "implemented_percent": "50"})
    page = browser.get(saved.headers["location"]).text
    assert "Communiqué unilatéral" in page and "50 %" in page


def test_the_pattern_rule_is_set_on_its_page_against_the_version_shown(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(Role.ADMIN, language="fr")
    url = "/armed-parties/pattern-rule"
    assert "la règle par défaut" in browser.get(url).text
    fields = {"min_incidents_per_year": "3", "years_required": "1", "window_years": "1"}
    assert submit(browser, url, url, fields).status_code == 303
    assert client.get(f"{API}/armed-parties/pattern-rule").json()["min_incidents_per_year"] == 3
    refused = submit(browser, url, url, {**fields, "years_required": "2"})
    assert set(field_errors(refused.text)) == {"window_years"}
    set_rule(client, 4, 1, 1, version=1)  # someone else saves first
    stale = browser.post(url, data={**fields, "version": "1", "csrf_token": _token(browser)})
    assert stale.status_code == 409
    assert client.get(f"{API}/armed-parties/pattern-rule").json()["min_incidents_per_year"] == 4
    tracker = pages_for(Role.JUDICIAL_TRACKER)
    assert "Save the rule" not in tracker.get(url).text


def _token(browser: TestClient) -> str:
    from tests.web.pages import csrf_of

    return csrf_of(browser.get("/armed-parties/pattern-rule").text)


def test_a_delisting_before_the_reports_year_is_refused_in_words(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """Without the API's field name "(report_year)" on the page."""
    party = create_armed_party(client, "Ansar Eddine")
    new = f"/armed-parties/{party['id']}/listings/new"
    fields = {
        "report_reference": "S/2020/487",
        "report_year": "2019",
        "section": "A",
        "delisted_on": "2018-06-30",
    }
    for language, message in (
        ("en", "must not be before the year the report covers"),
        ("fr", "ne doit pas précéder l'année couverte par le rapport"),
    ):
        refused = submit(pages_for(Role.PROTECTION_ADVISER, language=language), new, new, fields)
        assert refused.status_code == 422
        assert field_errors(refused.text) == {"delisted_on": message}, language


def _rule_sentence(html: str) -> str:
    match = re.search(r'<p class="rule"[^>]*>(.*?)</p>', html, re.S)
    assert match, "the page does not state the rule"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def test_the_pattern_rule_is_stated_with_singulars_and_plurals_not_brackets(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    party = _party_with_a_pattern(client)
    english = pages_for(Role.REPORT_WRITER)
    french = pages_for(Role.REPORT_WRITER, language="fr")
    pages = ("/armed-parties/pattern-rule", "/armed-parties/patterns?year=2019")
    pages += (f"/armed-parties/{party['id']}?year=2019",)
    assert set_rule(client, 1, 2, 3).status_code == 200
    for page in pages:
        assert _rule_sentence(french.get(page).text).startswith(
            "Règle : au moins 1 incident vérifié par an pendant au moins 2 des 3 dernières années."
        )
        assert _rule_sentence(english.get(page).text).startswith(
            "Rule: at least 1 verified incident a year in at least 2 of the last 3 years."
        )
    assert set_rule(client, 3, 1, 1, version=1).status_code == 200
    for page in pages:
        sentence = _rule_sentence(french.get(page).text)
        assert sentence.startswith(
            "Règle : au moins 3 incidents vérifiés par an pendant la dernière année."
        )
        assert "(s)" not in sentence
        assert _rule_sentence(english.get(page).text).startswith(
            "Rule: at least 3 verified incidents a year in the last year."
        )

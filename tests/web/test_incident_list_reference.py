"""The incident list page finds an incident by its reference, as the API's list does; the
statistics pages refuse a reference as any parameter they do not know."""

from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import NGO, create_incident
from tests.web.pages import field_errors

ADVISER = Role.PROTECTION_ADVISER


def test_the_list_page_finds_an_incident_by_its_reference_as_typed(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    wanted, other = create_incident(client), create_incident(client)
    browser = pages_for(ADVISER)
    typed = f" {wanted['reference'].lower()} "
    page = browser.get("/incidents", params={"reference": typed}).text
    assert wanted["reference"] in page and other["reference"] not in page
    # One word on the page, never broken at its hyphens in the list's narrow first column.
    assert f'class="reference" href="/incidents/{wanted["id"]}">{wanted["reference"]}</a>' in page
    assert f'name="reference" type="text" value="{typed}"' in page  # kept in the form as typed
    # One incident: no export of "every incident matching these filters" beside it.
    assert "/exports/incidents.csv" not in page
    assert "/exports/incidents.csv" in browser.get("/incidents").text


def test_the_list_page_finds_nothing_by_a_part_or_another_organisations_reference(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    reference = create_incident(client)["reference"]
    listed = f">{reference}</a>"
    own = pages_for(ADVISER)
    assert listed in own.get("/incidents", params={"reference": reference}).text
    for browser, typed in (
        (pages_for(ADVISER, organisation=NGO), reference),
        (own, reference[:-2]),
    ):
        page = browser.get("/incidents", params={"reference": typed}).text
        assert listed not in page, typed
        # Said as it is: that reference, and that only a whole one finds an incident.
        assert f"No incident with the reference {typed} matches these filters." in page, typed
        assert "Only a whole reference finds an incident" in page, typed
    french = pages_for(ADVISER, language="fr").get("/incidents", params={"reference": " ml-20 "})
    assert "Aucun incident portant la référence ml-20 ne correspond" in unescape(french.text)
    assert "jamais une partie de référence" in unescape(french.text)
    # What was typed is shown as text, never as markup.
    marked = own.get("/incidents", params={"reference": "<b>ML</b>"}).text
    assert "<b>ML</b>" not in marked and "&lt;b&gt;ML&lt;/b&gt;" in marked
    # Without a reference, the list still says only that nothing matches.
    other = own.get("/incidents", params={"admin1": "Nowhere"}).text
    assert "No incident matches these filters." in other and "no-such-reference" not in other


def test_a_too_long_reference_is_shown_by_its_field_in_english_and_french(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client)
    for language, message, summary in (
        ("en", "at most 64", "Reference: Too long"),
        ("fr", "64", "Référence : Trop long"),
    ):
        browser = pages_for(ADVISER, language=language)
        response = browser.get("/incidents", params={"reference": "M" * 65})
        assert response.status_code == 400
        assert message in field_errors(response.text)["reference"], language
        # The summary above the form names the field too, as for every other filter.
        assert summary in unescape(response.text).replace("\xa0", " "), language
    french = pages_for(ADVISER, language="fr").get("/incidents").text
    assert "La référence entière" in unescape(french)
    # A row of its own on a phone (app.css), so that a whole reference shows as typed.
    assert '<div class="field wide">\n  <label for="f-reference">' in french


def test_the_statistics_pages_refuse_a_reference_by_name(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """A filter naming one record would let a figure single it out."""
    reference = create_incident(client)["reference"]
    writer = pages_for(Role.REPORT_WRITER)
    for path in ("/statistics", "/statistics.csv", "/statistics/trends"):
        response = writer.get(path, params={"group_by": "source", "reference": reference})
        assert response.status_code == 422, path
        assert "reference: This field is not expected here." in unescape(response.text), path

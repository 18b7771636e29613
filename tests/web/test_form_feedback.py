"""What the forms say back: every problem at once, named by its field's label, in the user's
language; what was typed is refilled as typed (an empty field stays empty); dates as precise as
they are known."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, create_incident, incident_payload
from tests.web.pages import field_errors, incident_form, submit

ADVISER = Role.PROTECTION_ADVISER
NEXT_YEAR = (datetime.now(UTC).date() + timedelta(days=400)).isoformat()


def _summary(html: str) -> list[str]:
    """The lines of the list of problems above the form."""
    box = re.search(r'id="error-summary">(.*?)</div>', html, re.S)
    assert box, "the page has no list of problems"
    return [
        unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)
    ]


def test_every_problem_comes_back_at_once_with_its_field_label(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    form = incident_form(
        occurred_on=NEXT_YEAR,
        reported_on=NEXT_YEAR,
        source="",
        violations=[],
        **{"victims-1-age": "130", "victims-0-age_group": "adult"},
    )
    response = submit(browser, "/incidents/new", "/incidents/new", form)
    assert response.status_code == 422
    # The model's refusals and the service's rules together, in one answer.
    assert field_errors(response.text) == {
        "source": "This field is required.",
        "violations": "Choose at least one.",
        "victims-1-age": "Must be at most 120.",
        "occurred_on": "Must not be in the future.",
        "reported_on": "Must not be in the future.",
        "victims-0-age_group": "contradicts the age given",
    }
    # In the order of the form's fields.
    assert _summary(response.text) == [
        "Date of the incident: Must not be in the future.",
        "Date reported: Must not be in the future.",
        "Forms of violence: Choose at least one.",
        "Source: This field is required.",
        "Age group (victim 1): contradicts the age given",
        "Age (victim 2): Must be at most 120.",
    ]
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_the_summary_names_fields_in_french_and_never_by_their_internal_names(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER, language="fr")
    form = incident_form(occurred_on="", reported_on="2019-03-01", date_precision="year")
    response = submit(browser, "/incidents/new", "/incidents/new", form)
    assert _summary(response.text) == ["Date de l'incident : Ce champ est obligatoire."]
    early = submit(
        browser, "/incidents/new", "/incidents/new", incident_form(reported_on="2019-03-01")
    )
    assert _summary(early.text) == [
        "Date du signalement : ne doit pas être antérieure à la date de l'incident"
    ]
    english = pages_for(ADVISER)
    early = submit(
        english, "/incidents/new", "/incidents/new", incident_form(reported_on="2019-03-01")
    )
    assert _summary(early.text) == ["Date reported: must not be before the date of the incident"]
    listing = english.get("/incidents?occurred_from=2019-05-01&occurred_to=2019-01-01")
    assert listing.status_code == 400
    assert _summary(listing.text) == ["To: must not be before the start date"]
    assert field_errors(listing.text) == {"occurred_to": "must not be before the start date"}


def test_a_future_date_is_worded_as_the_other_messages_in_french_too(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER, language="fr")
    form = incident_form(occurred_on=NEXT_YEAR, reported_on=NEXT_YEAR)
    response = submit(browser, "/incidents/new", "/incidents/new", form)
    assert field_errors(response.text)["reported_on"] == "Ne doit pas être dans le futur."
    assert "Date du signalement : Ne doit pas être dans le futur." in _summary(response.text)
    problem = client.post(f"{API}/incidents", json=incident_payload(reported_on=NEXT_YEAR))
    assert "must not be in the future" in problem.text  # the API's own wording is unchanged


def test_an_edit_shows_every_problem_at_once(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    incident = create_incident(client)
    edit = f"/incidents/{incident['id']}/edit"
    fields = {
        "version": str(incident["version"]),
        "occurred_on": "2019-03-14",
        "reported_on": NEXT_YEAR,
        "country": "ML",
        "source": "ngo",
        "violations": ["rape"],
        "victims-0-sex": "female",
        "victims-0-age": "130",
    }
    response = submit(browser, edit, edit, fields)
    assert response.status_code == 422
    assert field_errors(response.text) == {
        "victims-0-age": "Must be at most 120.",
        "reported_on": "Must not be in the future.",
    }


def test_a_refused_decision_refills_empty_fields_empty_never_with_none(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    incident = create_incident(client)
    page = f"/incidents/{incident['id']}"
    action = f"{page}/verification"
    assert (
        submit(
            browser, page, action, {"status": "pending_verification", "version": "1"}
        ).status_code
        == 303
    )
    refused = submit(browser, page, action, {"status": "verified", "version": "2"})
    assert refused.status_code == 422
    for name in ("standard", "note"):
        shown = re.search(rf'<input id="f-{name}" name="{name}"[^>]*>', refused.text)
        assert shown and 'value=""' in shown.group(0), shown
    assert 'value="None"' not in refused.text
    assert "Standard of proof: is required for this conclusion" in unescape(refused.text)
    # A refused "add a victim" round trip on the incident form keeps empty fields empty too.
    added = submit(
        browser, "/incidents/new", "/incidents/new", {**incident_form(), "add": "victims"}
    )
    assert 'value="None"' not in added.text


def test_dates_are_shown_as_precisely_as_they_are_known(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    year_only = create_incident(client, occurred_on="2019-05-10", date_precision="year")
    month_only = create_incident(client, occurred_on="2019-03-10", date_precision="month")
    exact = create_incident(client, occurred_on="2019-03-14")
    browser = pages_for(ADVISER)
    listing = browser.get("/incidents").text
    dates = dict(
        re.findall(
            r'href="/incidents/([^"]+)">[^<]+</a></td>\s*<td><time[^>]*>([^<]+)</time>', listing
        )
    )
    assert dates == {
        year_only["id"]: "2019",
        month_only["id"]: "March 2019",
        exact["id"]: "2019-03-14",
    }
    assert "2019-01-01" not in listing
    detail = browser.get(f"/incidents/{year_only['id']}").text
    assert '<time datetime="2019">2019</time> (Year only)' in detail
    french = pages_for(ADVISER, language="fr").get(f"/incidents/{month_only['id']}").text
    assert '<time datetime="2019-03">mars 2019</time>' in french


def test_a_country_typed_by_name_is_refused_not_cut_to_another_countrys_code(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """A two-character limit on the field would let the browser cut "Mali" to "Ma", which is
    Morocco's code, and "Nigeria" to Nicaragua's: the whole name reaches the service instead."""
    browser = pages_for(ADVISER)
    page = browser.get("/incidents/new").text
    for name in ("country", "victims-0-country_of_origin"):
        field = re.search(rf'<input id="f-{name}"[^>]*>', page)
        assert field and "maxlength" not in field.group(0), name
    form = incident_form(country="Mali", **{"victims-0-country_of_origin": "Nigeria"})
    response = submit(browser, "/incidents/new", "/incidents/new", form)
    assert response.status_code == 422
    assert field_errors(response.text) == {
        "country": "must be an ISO 3166-1 alpha-2 country code, e.g. 'ML'",
        "victims-0-country_of_origin": "must be an ISO 3166-1 alpha-2 country code, e.g. 'ML'",
    }
    assert client.get(f"{API}/incidents").json()["items"] == []
    for listing in ("/incidents", "/services", "/statistics/trends", "/reports/paragraphs"):
        field = re.search(r'<input[^>]* name="country"[^>]*>', browser.get(listing).text)
        assert field and "maxlength" not in field.group(0), listing


def test_the_report_pages_name_the_field_of_each_problem_in_their_summary(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    writer = pages_for(Role.REPORT_WRITER)
    for page, line in [
        (
            "/reports/paragraphs?period=2019-Q5",
            "Year or quarter (2019, 2019-Q3): must be a year (2019) or a quarter (2019-Q3)",
        ),
        ("/statistics/trends?country=Mali", "Country code: must be an ISO 3166-1 alpha-2"),
        ("/reports/72-hours?occurred_from=2019-02-30", "From: Enter a date as YYYY-MM-DD."),
        ("/reports/service-gaps?admin1=Gao&country=Mali", "Country code: must be an ISO"),
        ("/services?country=Mali", "Country code: must be an ISO 3166-1 alpha-2"),
    ]:
        summary = _summary(writer.get(page).text)
        assert len(summary) == 1 and summary[0].startswith(line), (page, summary)
    french = pages_for(Role.REPORT_WRITER, language="fr")
    summary = _summary(french.get("/reports/paragraphs?period=2019-Q5").text)
    assert summary[0].startswith("Année ou trimestre (2019, 2019-Q3) :"), summary


def test_a_too_long_name_or_contact_is_shown_by_its_own_field(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """Not as "Victim 1: Too long", which left the adviser to guess which of its fields."""
    for language, name_line in (
        ("en", "Name (stored encrypted) (victim 1): Too long: at most 200 characters."),
        ("fr", "Nom (chiffré) (victime 1) : Trop long : 200 caractères au plus."),
    ):
        browser = pages_for(ADVISER, language=language)
        form = incident_form(**{"victims-0-name": "n" * 10_000, "victims-1-contact": "c" * 201})
        response = submit(browser, "/incidents/new", "/incidents/new", form)
        assert response.status_code == 422
        assert set(field_errors(response.text)) == {"victims-0-name", "victims-1-contact"}
        assert name_line in [line.replace("\xa0", " ") for line in _summary(response.text)]
    assert client.get(f"{API}/incidents").json()["items"] == []

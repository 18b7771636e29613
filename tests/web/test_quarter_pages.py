"""Quarters on the pages: the statistics page counts by quarter and verification timing and
filters by quarter, in English and French; the incident page shows and records the day verified."""

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, create_incident, verify
from tests.web.pages import field_errors, submit

WRITER = Role.REPORT_WRITER
ADVISER = Role.PROTECTION_ADVISER


def _rows(page: str) -> dict[str, list[str]]:
    """The one-dimension statistics table: {row label: [incidents, victims]}."""
    table = re.search(r'<table class="stats" id="stats-table">(.*?)</table>', page, re.S)
    assert table, "no statistics table on the page"
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S):
        label = re.search(r"<th[^>]*>(.*?)</th>", row, re.S)
        counts = re.findall(r'<td class="count[^"]*"[^>]*>(.*?)</td>', row, re.S)
        if label and counts:
            rows[unescape(label.group(1).strip())] = [count.strip() for count in counts]
    return rows


def _verified_on(client: TestClient, day: str, reported_on: str) -> None:
    incident = create_incident(client, occurred_on="2019-07-01", reported_on=reported_on)
    assert verify(client, incident, "pending_verification").status_code == 200
    assert verify(client, incident, "verified", verified_on=day, version=None).status_code == 200


def test_the_statistics_page_counts_by_quarter_with_year_only_incidents_not_recorded(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client, occurred_on="2019-08-14", reported_on="2019-08-20")
    create_incident(client, occurred_on="2019-11-02", reported_on="2019-11-20")
    create_incident(client, occurred_on="2019-08-01", date_precision="year")
    english = pages_for(WRITER).get("/statistics?group_by=quarter").text
    assert '<option value="quarter" selected>Quarter</option>' in english
    assert _rows(english) == {
        "Q3 2019": ["1", "1"],
        "Q4 2019": ["1", "1"],
        "Not recorded": ["1", "1"],
        "Total (each incident and victim counted once)": ["3", "3"],
    }
    french = pages_for(WRITER, language="fr").get("/statistics?group_by=quarter&quarter=2019-Q3")
    assert french.status_code == 200
    assert "Trimestre de l'incident" in unescape(french.text)
    assert _rows(french.text)["T3 2019"] == ["1", "1"]
    assert "T4 2019" not in _rows(french.text)
    csv = pages_for(WRITER).get("/statistics.csv?group_by=quarter").text
    assert "Q3 2019,2019-Q3,1,1" in csv


def test_the_statistics_page_shows_late_verifications_of_a_quarter_in_both_languages(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _verified_on(client, "2019-10-01", reported_on="2019-09-20")  # late
    _verified_on(client, "2019-10-03", reported_on="2019-08-20")  # late
    _verified_on(client, "2019-10-05", reported_on="2019-10-02")  # within the quarter
    query = "/statistics?group_by=verification_timing&verified_in_quarter=2019-Q4"
    english = _rows(pages_for(WRITER).get(query).text)
    assert english["Verified late (after the quarter reported)"] == ["2", "2"]
    assert english["Verified within the quarter reported"] == ["1", "1"]
    french = pages_for(WRITER, language="fr").get(query).text
    assert "Délai de vérification" in french and "Trimestre de vérification" in french
    assert _rows(french)["Vérifié tardivement (après le trimestre du signalement)"] == ["2", "2"]


def test_a_malformed_quarter_is_shown_beside_its_field(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    response = pages_for(WRITER).get("/statistics?group_by=source&quarter=2019-Q7")
    assert response.status_code == 400
    assert field_errors(response.text) == {
        "quarter": "must be a quarter written as 2019-Q3 (year, Q, quarter 1 to 4)"
    }
    # The summary above the form names both quarter fields, as it names the others.
    response = pages_for(WRITER, language="fr").get(
        "/statistics?group_by=source&quarter=2019-Q7&verified_in_quarter=20190"
    )
    summary = unescape(response.text.split('id="error-summary"')[1].split("</ul>")[0])
    assert "Trimestre de l'incident : doit être un trimestre" in summary.replace("\xa0", " ")
    assert "Trimestre de vérification : doit être un trimestre" in summary.replace("\xa0", " ")


def test_the_incident_page_records_and_shows_the_day_verified(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER, language="fr")
    incident = create_incident(client, occurred_on="2019-09-10", reported_on="2019-09-20")
    assert verify(client, incident, "pending_verification").status_code == 200
    page = f"/incidents/{incident['id']}"
    fields = {
        "status": "verified",
        "version": "2",
        "standard": "reasonable grounds to believe",
        "sources": "interview",
    }
    early = submit(browser, page, f"{page}/verification", {**fields, "verified_on": "2019-09-01"})
    assert early.status_code == 422
    # In words, without the API's field name, and named in the summary by its label.
    assert field_errors(early.text) == {
        "verified_on": "ne doit pas précéder la date du signalement"
    }
    summary = unescape(early.text.split('id="error-summary"')[1].split("</ul>")[0])
    assert "Date de vérification : ne doit pas précéder" in summary.replace("\xa0", " ")
    done = submit(browser, page, f"{page}/verification", {**fields, "verified_on": "2019-10-01"})
    assert done.status_code == 303
    assert client.get(f"{API}/incidents/{incident['id']}").json()["verified_on"] == "2019-10-01"
    detail = browser.get(page).text
    assert "Date de vérification" in detail
    assert re.search(r'id="verified-on"><time datetime="2019-10-01">2019-10-01</time>', detail)

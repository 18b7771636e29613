"""The "Trends and map" page: incidents and victims by month or quarter, all reported beside
verified only, drawn as SVG whose points carry the figures `/stats` publishes; incidents known
only to the year said to be left out; another organisation's small counts drawn as withheld."""

import re
from collections.abc import Callable
from html import unescape
from typing import Any
from xml.etree import ElementTree

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import NGO, create_incident, stats, verify
from tests.web.pages import field_errors

WRITER = Role.REPORT_WRITER
ADVISER = Role.PROTECTION_ADVISER
CONSENTING = {"sex": "female", "age": 25, "consent": {"statistics": True}}
SVG = "{http://www.w3.org/2000/svg}"


def _record(client: TestClient, count: int = 1, verified: bool = False, **fields: Any) -> None:
    for _ in range(count):
        incident = create_incident(client, **{"victims": [CONSENTING], **fields})
        if verified:
            assert verify(client, incident, "pending_verification").status_code == 200
            assert verify(client, incident, "verified", version=None).status_code == 200


def _chart(page: str, chart_id: str) -> ElementTree.Element:
    """The chart's SVG, parsed as XML (so the page must write it well formed)."""
    found = re.search(rf'<figure [^>]*id="{chart_id}">\s*(<svg .*?</svg>)', page, re.S)
    assert found, f"no chart {chart_id} on the page"
    return ElementTree.fromstring(found.group(1))


def _series(svg: ElementTree.Element, key: str) -> dict[str, str]:
    """{period: published figure} of a series' points, hidden ones included."""
    group = next(g for g in svg.iter(f"{SVG}g") if g.get("data-series") == key)
    return {
        point.get("data-period", ""): point.get("data-value", "")
        for point in group
        if point.get("data-period")
    }


def _withheld(svg: ElementTree.Element, key: str) -> set[str]:
    group = next(g for g in svg.iter(f"{SVG}g") if g.get("data-series") == key)
    return {rect.get("data-period", "") for rect in group if rect.get("class") == "withheld"}


def _table(page: str, table_id: str) -> dict[str, list[str]]:
    table = re.search(rf'<table [^>]*id="{table_id}">(.*?)</table>', page, re.S)
    assert table, f"no table {table_id} on the page"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        label = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        cells = re.findall(r"<td [^>]*>(.*?)</td>", row, re.S)
        if label:
            rows[unescape(label.group(1))] = [unescape(cell) for cell in cells]
    return rows


def _fixture(client: TestClient) -> None:
    """2019: two incidents in February (one verified), one in May, one verified in November with
    two victims, and one known only to the year (verified)."""
    _record(client, occurred_on="2019-02-10", reported_on="2019-02-12", verified=True)
    _record(client, occurred_on="2019-02-20", reported_on="2019-02-22")
    _record(client, occurred_on="2019-05-03", reported_on="2019-05-04")
    _record(
        client,
        occurred_on="2019-11-05",
        reported_on="2019-11-06",
        verified=True,
        victims=[CONSENTING, CONSENTING],
    )
    _record(client, occurred_on="2019-06-01", date_precision="year", verified=True)


def test_the_quarterly_trend_draws_reported_beside_verified_as_published(
    client: TestClient, pages_for: Callable[..., TestClient], client_for: Callable[..., TestClient]
) -> None:
    _fixture(client)
    response = pages_for(WRITER).get("/statistics/trends?period=quarter")
    assert response.status_code == 200
    page = response.text
    incidents = _chart(page, "trend-incidents")
    assert _series(incidents, "reported") == {
        "2019-Q1": "2",
        "2019-Q2": "1",
        "2019-Q3": "0",
        "2019-Q4": "1",
    }
    assert _series(incidents, "verified") == {
        "2019-Q1": "1",
        "2019-Q2": "0",
        "2019-Q3": "0",
        "2019-Q4": "1",
    }
    victims = _chart(page, "trend-victims")
    assert _series(victims, "reported")["2019-Q4"] == "2"
    assert _series(victims, "verified") == {
        "2019-Q1": "1",
        "2019-Q2": "0",
        "2019-Q3": "0",
        "2019-Q4": "2",
    }
    # The figures are the API's, group by group.
    api = stats(client_for(WRITER), group_by="quarter", basis="verified_only")
    published = {g["key"]["quarter"]: str(g["incidents"]) for g in api["groups"]}
    assert published["2019-Q4"] == _series(incidents, "verified")["2019-Q4"]
    # Readable without the picture: a title, a description, axis titles, direct labels, a table.
    assert incidents.find(f"{SVG}title").text == (
        "Incidents by quarter: all reported and verified only"
    )
    assert "dashed line" in incidents.find(f"{SVG}desc").text
    texts = {text.text for text in incidents.iter(f"{SVG}text")}
    assert {"Quarter", "Incidents", "All reported", "Verified only"} <= texts
    assert _table(page, "trend-table")["Q4 2019"] == ["1", "1", "2", "2"]
    assert "1 incident known only to the year is not on the chart (1 of them verified)." in page


def test_the_monthly_trend_covers_every_month_between_the_first_and_the_last(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _fixture(client)
    page = pages_for(WRITER).get("/statistics/trends?period=month").text
    reported = _series(_chart(page, "trend-incidents"), "reported")
    assert list(reported) == [f"2019-{month:02d}" for month in range(2, 12)]
    assert reported["2019-02"] == "2" and reported["2019-05"] == "1"
    assert reported["2019-11"] == "1" and reported["2019-08"] == "0"
    assert _table(page, "trend-table")["Feb 2019"] == ["2", "1", "2", "1"]
    assert "Incidents by month" in page


def test_year_only_incidents_are_counted_as_left_out_of_the_trend(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 3, occurred_on="2018-01-01", date_precision="year")
    _record(client, occurred_on="2018-04-10", reported_on="2018-04-11")
    page = pages_for(WRITER).get("/statistics/trends").text
    assert "3 incidents known only to the year are not on the chart." in page
    assert _series(_chart(page, "trend-incidents"), "reported") == {"2018-Q2": "1"}


def test_another_organisations_small_count_is_drawn_withheld_never_as_its_number(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 12, occurred_on="2019-02-10", reported_on="2019-02-12", admin1="Mopti")
    _record(client, 2, occurred_on="2019-05-10", reported_on="2019-05-12", admin1="Gao")
    _record(client, 30, occurred_on="2019-08-10", reported_on="2019-08-12", admin1="Mopti")
    page = pages_for(WRITER, organisation=NGO).get("/statistics/trends").text
    incidents = _chart(page, "trend-incidents")
    reported = _series(incidents, "reported")
    assert reported["2019-Q2"] == "<5"
    assert _withheld(incidents, "reported") == {"2019-Q2"}
    # No marker of that quarter has a height, and its line breaks there.
    group = next(g for g in incidents.iter(f"{SVG}g") if g.get("data-series") == "reported")
    points = [p for p in group if p.get("data-period") == "2019-Q2"]
    assert [p.get("class") for p in points] == ["withheld"]
    assert len(group.findall(f"{SVG}path")) == 2  # the line stops before and starts after
    assert abs(int(reported["2019-Q3"]) - 30) <= 2
    regions = _table(page, "region-table")
    assert regions["Gao"][0] == "<5"
    assert re.search(r'<td class="count shade-withheld suppressed">&lt;5</td>', page)
    assert "never drawn as a number" in page
    # The owner sees its exact figures, nothing withheld.
    own = pages_for(WRITER).get("/statistics/trends").text
    assert _series(_chart(own, "trend-incidents"), "reported")["2019-Q2"] == "2"
    assert 'class="withheld"' not in own


def test_the_region_table_is_shaded_in_steps_with_its_numbers_printed(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 8, admin1="Mopti")
    _record(client, 2, admin1="Gao", verified=True)
    _record(client, 1, admin1=None)
    page = pages_for(WRITER).get("/statistics/trends").text
    cells = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="count shade-(\w+)', page))
    assert cells == {"Mopti": "4", "Gao": "1", "Not recorded": "none"}
    assert _table(page, "region-table")["Gao"] == ["2", "2", "2", "2"]
    assert "No map: your organisation has not uploaded" in page


def test_the_trends_page_in_french(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _fixture(client)
    page = pages_for(WRITER, language="fr").get("/statistics/trends?period=quarter").text
    assert "<h1>Tendances et carte</h1>" in page
    incidents = _chart(page, "trend-incidents")
    assert incidents.find(f"{SVG}title").text == (
        "Incidents par trimestre : tous les signalés et les vérifiés seulement"
    )
    texts = {text.text for text in incidents.iter(f"{SVG}text")}
    assert {"Trimestre", "Tous signalés", "Vérifiés seulement"} <= texts
    assert _table(page, "trend-table")["T4 2019"] == ["1", "1", "2", "2"]
    assert "1 incident connu seulement par l'année ne figure pas sur le graphique" in unescape(page)
    monthly = pages_for(WRITER, language="fr").get("/statistics/trends?period=month").text
    assert "févr. 2019" in unescape(monthly)


def test_a_bad_choice_is_named_by_its_field(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(WRITER)
    response = browser.get("/statistics/trends?period=week")
    assert response.status_code == 400
    assert 'id="err-period"' in response.text
    # Worded as every menu's refusal, without the codes behind the menu's choices.
    french = pages_for(WRITER, language="fr").get("/statistics/trends?period=week&shade_by=x")
    assert field_errors(french.text) == {
        "period": "Choisissez l'une des valeurs proposées.",
        "shade_by": "Choisissez l'une des valeurs proposées.",
    }
    assert "month, quarter" not in french.text
    assert browser.get("/statistics/trends?country=XX").status_code == 400
    assert browser.get("/statistics/trends?colour=red").status_code == 422


def test_the_page_is_linked_from_the_statistics_page_and_the_navigation(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    page = pages_for(WRITER).get("/statistics").text
    assert page.count('href="/statistics/trends"') == 2
    assert 'href="/statistics/maps"' not in page  # report writers do not upload maps
    assert 'href="/statistics/maps"' in pages_for(ADVISER).get("/statistics/trends").text

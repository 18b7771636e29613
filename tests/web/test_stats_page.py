"""Report writers' statistics page: the table with its remainder, suppression, chart and CSV."""

import re
from collections.abc import Callable
from html import unescape
from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import NGO, create_incident

WRITER = Role.REPORT_WRITER
CONSENTING = {"sex": "female", "age": 25, "consent": {"statistics": True}}


def _record(client: TestClient, count: int, **fields: Any) -> None:
    for _ in range(count):
        create_incident(client, **{"victims": [CONSENTING], **fields})


def _rows(page: str) -> dict[str, list[str]]:
    """The statistics table: {row label: [incidents, victims]}, the total row included."""
    table = re.search(r'<table class="stats" id="stats-table">(.*?)</table>', page, re.S)
    assert table, "no statistics table on the page"
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S):
        label = re.search(r"<th[^>]*>(.*?)</th>", row, re.S)
        counts = re.findall(r'<td class="count[^"]*"[^>]*>(.*?)</td>', row, re.S)
        if label and counts:
            rows[label.group(1).strip()] = [count.strip() for count in counts]
    return rows


def test_the_table_shows_groups_the_no_value_row_and_the_total(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 3, perpetrators=[{"category": "non_state_armed_group"}])
    _record(
        client,
        1,
        perpetrators=[{"category": "non_state_armed_group"}, {"category": "civilian"}],
    )
    _record(client, 2, perpetrators=[])
    page = pages_for(WRITER).get("/statistics?group_by=perpetrator_category").text
    rows = _rows(page)
    assert rows["Non-state armed group"] == ["4", "4"]
    assert rows["Civilian"] == ["1", "1"]
    assert rows["Not recorded"] == ["2", "2"]
    assert rows["Total (each incident and victim counted once)"] == ["6", "6"]
    assert "the rows add up to 5 incidents, not the total" in page


def test_the_chart_draws_a_bar_per_group_sized_by_its_count(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 4, source="gbvims")
    _record(client, 2, source="ngo")
    page = pages_for(WRITER).get("/statistics?group_by=source").text
    svg = re.search(r"<svg class=\"chart\".*?</svg>", page, re.S)
    assert svg and '<title id="chart-title">Incidents by Source</title>' in svg.group(0)
    widths = dict(
        re.findall(
            r'<text x="\d+" y="\d+" text-anchor="end">([^<]+)</text>\s*<rect class="bar[^"]*" '
            r'x="\d+" y="\d+" width="(\d+)"',
            svg.group(0),
        )
    )
    assert int(widths["GBVIMS"]) == 2 * int(widths["NGO"]) > 0


def test_suppressed_cells_and_protected_figures_are_shown_as_such_to_another_organisation(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 30, admin1="Mopti")
    _record(client, 2, admin1="Gao")
    _record(client, 12, admin1="Tombouctou")
    page = pages_for(WRITER, organisation=NGO).get("/statistics?group_by=admin1").text
    rows = _rows(page)
    assert rows["Gao"] == ["&lt;5", "&lt;5"]
    # Others' figures are adjusted by at most 2 (the cell-key method), and the page says so.
    assert abs(int(rows["Tombouctou"][0]) - 12) <= 2
    assert abs(int(rows["Mopti"][0]) - 30) <= 2
    assert "Small counts of other organisations" in page
    assert "adjusted by at most 2 up or down" in page
    own = pages_for(WRITER).get("/statistics?group_by=admin1").text
    assert _rows(own)["Mopti"] == ["30", "30"] and "adjusted by at most" not in own
    # The chart does not draw a hidden count as a bar of some length.
    assert re.search(r'class="bar hidden-count" x="\d+" y="\d+" width="6"', page)


def test_two_dimensions_a_period_and_verified_only(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 2, occurred_on="2019-05-01", reported_on="2019-05-02")
    _record(client, 1, occurred_on="2018-05-01", reported_on="2018-05-02")
    browser = pages_for(WRITER)
    page = browser.get(
        "/statistics?group_by=victim_category&then_by=year&occurred_from=2019-01-01"
    ).text
    assert re.search(r"<th scope=\"row\">Woman</th>\s*<th scope=\"row\">2019</th>", page)
    assert _rows(page)["Total (each incident and victim counted once)"] == ["2", "2"]
    verified = browser.get("/statistics?group_by=source&basis=verified_only").text
    assert _rows(verified)["Total (each incident and victim counted once)"] == ["0", "0"]


def test_the_csv_download_matches_the_table(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 2, source="ngo")
    response = pages_for(WRITER).get("/statistics.csv?group_by=source")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "ngo,2,2" in response.text.splitlines()


def test_a_bad_choice_is_shown_by_its_field(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    response = pages_for(WRITER).get(
        "/statistics?group_by=source&occurred_from=2020-01-01&occurred_to=2019-01-01"
    )
    assert response.status_code == 400
    assert 'id="err-occurred_to"' in response.text


def test_a_report_writer_cannot_reach_incident_pages(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident(client)
    browser = pages_for(WRITER)
    for path in ("/incidents", f"/incidents/{incident['id']}", "/incidents/new", "/judicial"):
        assert browser.get(path).status_code == 403, path
    assert 'href="/incidents"' not in browser.get("/statistics").text  # not offered either


def test_a_csv_asked_with_parameters_it_cannot_use_names_them(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    response = pages_for(WRITER).get("/statistics.csv?occurred_from=2019-02-30&group_by=source")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "From: Enter a date as YYYY-MM-DD." in unescape(response.text)

"""Report writers' statistics page: the table with its remainder, suppression, chart and CSV."""

import re
from collections.abc import Callable
from html import unescape
from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import NGO, create_armed_party, create_incident, stats, verify

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
    assert "the rows add up to 7 incidents, not the total" in page  # 4 + 1 + 2


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
    incidents = _cross(page, "incidents")
    assert incidents["Woman"]["2019"] == "2" and incidents["All"]["All"] == "2"
    verified = browser.get("/statistics?group_by=source&basis=verified_only").text
    assert _rows(verified)["Total (each incident and victim counted once)"] == ["0", "0"]


def test_the_csv_download_matches_the_table(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 2, source="ngo")
    response = pages_for(WRITER).get("/statistics.csv?group_by=source")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "NGO,ngo,2,2" in response.text.splitlines()


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


def _cross(page: str, measure: str) -> dict[str, dict[str, str]]:
    """A cross-table of the page: {row label: {column label: figure}}, margins under "All"."""
    table = re.search(rf'<table class="stats cross" id="cross-{measure}">(.*?)</table>', page, re.S)
    assert table, f"no cross-table of {measure} on the page"
    head = re.search(r"<thead>(.*?)</thead>", table.group(1), re.S)
    assert head
    columns = [c.strip() for c in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1), re.S)]
    cross = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S):
        label = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        figures = re.findall(r'<td class="count[^"]*"[^>]*>(.*?)</td>', row, re.S)
        if label:
            cross[unescape(label.group(1).strip())] = dict(
                zip(columns, (unescape(f.strip()) for f in figures), strict=True)
            )
    return cross


def _total(page: str) -> str:
    return _rows(page)["Total (each incident and victim counted once)"][0]


def test_every_filter_of_the_api_reaches_the_figures(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    party = create_armed_party(client)
    _record(client, 3)  # the ordinary incidents: gbvims, Mopti, ML, rape, unidentified
    special = create_incident(
        client,
        victims=[CONSENTING],
        source="ngo",
        admin1="Gao",
        country="BF",
        violations=["sexual_slavery"],
        perpetrators=[{"armed_party_id": party["id"], "category": "non_state_armed_group"}],
    )
    assert verify(client, special, "pending_verification").status_code < 300
    browser = pages_for(WRITER)
    assert _total(browser.get("/statistics?group_by=source").text) == "4"
    for query in (
        "source=ngo",
        "admin1=Gao",
        "country=BF",
        "verification_status=pending_verification",
        "violation=sexual_slavery",
        "perpetrator_category=non_state_armed_group",
        f"armed_party_id={party['id']}",
    ):
        page = browser.get(f"/statistics?group_by=source&{query}").text
        assert _total(page) == "1", query
    # Repeated, as on the API: any of the values.
    assert _total(browser.get("/statistics?group_by=source&source=ngo&source=gbvims").text) == "4"
    assert _total(browser.get("/statistics?group_by=source&admin1=Gao,%20Mopti").text) == "4"
    # Ticked boxes stay ticked, in the user's language.
    page = browser.get("/statistics?group_by=source&source=ngo").text
    assert re.search(r'name="source" value="ngo" checked> NGO', page)
    assert '<details class="more-filters" open>' in page


def test_an_unknown_parameter_is_refused_by_name(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 2)
    browser = pages_for(WRITER)
    for path in ("/statistics", "/statistics.csv"):
        response = browser.get(f"{path}?group_by=source&sources=ngo")
        assert response.status_code == 422, path
        assert "sources: This field is not expected here." in unescape(response.text)
        assert 'id="stats-table"' not in response.text
    api = client.get("/api/v1/stats?group_by=source&sources=ngo")
    assert api.status_code == 422


def test_two_dimensions_show_the_margins_and_total_the_api_gives(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 3, perpetrators=[{"category": "civilian"}], source="ngo")
    _record(client, 2, perpetrators=[{"category": "civilian"}, {"category": "other"}])
    browser = pages_for(WRITER)
    page = browser.get("/statistics?group_by=perpetrator_category&then_by=source").text
    api = stats(client, group_by="perpetrator_category,source")
    incidents = _cross(page, "incidents")
    margins = api["margins"]
    for group in margins["perpetrator_category"]:
        label = {"civilian": "Civilian", "other": "Other"}.get(group["key"]["perpetrator_category"])
        if label:
            assert incidents[label]["All"] == str(group["incidents"])
    assert incidents["Civilian"]["NGO"] == "3" and incidents["Civilian"]["GBVIMS"] == "2"
    assert incidents["All"]["GBVIMS"] == "2" and incidents["All"]["NGO"] == "3"
    # Each incident once: 5, though the rows add up to 7.
    assert incidents["All"]["All"] == str(api["total"]["incidents"]) == "5"
    assert _cross(page, "victims")["All"]["All"] == str(api["total"]["victims"])


def test_a_foreign_organisations_suppressed_cells_stay_suppressed_in_table_and_csv(
    client: TestClient,
    pages_for: Callable[..., TestClient],
    client_for: Callable[..., TestClient],
) -> None:
    _record(client, 30, admin1="Mopti")
    _record(client, 2, admin1="Gao", source="ngo")
    browser = pages_for(WRITER, organisation=NGO)
    query = "group_by=admin1&then_by=source"
    page = browser.get(f"/statistics?{query}").text
    incidents = _cross(page, "incidents")
    assert incidents["Gao"]["NGO"] == "<5" and incidents["Gao"]["All"] == "<5"
    assert incidents["All"]["NGO"] == "<5"
    # Margins and the total are the API's own protected cells, not sums of the cells shown.
    api = stats(client_for(WRITER, organisation=NGO), group_by="admin1,source")
    mopti = next(g for g in api["margins"]["admin1"] if g["key"]["admin1"] == "Mopti")
    assert incidents["Mopti"]["All"] == str(mopti["incidents"])
    assert incidents["All"]["All"] == str(api["total"]["incidents"])
    assert api["protection"]["applied"] and 'id="protection"' in page
    assert "Totals and margins are adjusted on their own" in page
    rows = browser.get(f"/statistics.csv?{query}").text.splitlines()
    assert "Gao,Gao,NGO,ngo,<5,<5" in rows
    assert "Gao,Gao,All,*,<5,<5" in rows
    assert not any(row.startswith("Gao,Gao,") and row.endswith(",2,2") for row in rows)


def test_grouping_by_victim_category_charts_the_victims(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    girl = {"sex": "female", "age": 14, "consent": {"statistics": True}}
    _record(client, 1, victims=[CONSENTING, CONSENTING, girl])
    _record(client, 1, victims=[CONSENTING])
    browser = pages_for(WRITER)
    page = browser.get("/statistics?group_by=victim_category").text
    chart = re.search(r'<figure class="chart-box" id="victims-chart">.*?</figure>', page, re.S)
    assert chart and "Victims by Victim category" in chart.group(0)
    values = dict(
        re.findall(
            r'text-anchor="end">([^<]+)</text>.*?class="value"[^>]*>([^<]+)<', chart.group(0), re.S
        )
    )
    assert values["Woman"] == "3" and values["Girl"] == "1"
    assert 'id="victims-chart"' not in browser.get("/statistics?group_by=source").text


def test_the_csv_is_in_the_language_of_the_page_with_the_codes(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 2, source="ngo", perpetrators=[{"category": "civilian"}])
    browser = pages_for(WRITER, language="fr")
    response = browser.get("/statistics.csv?group_by=perpetrator_category&then_by=source")
    assert response.status_code == 200
    assert response.headers["content-language"] == "fr"
    assert "-fr.csv" in response.headers["content-disposition"]
    rows = response.text.splitlines()
    assert rows[0] == "Catégorie d'auteur,perpetrator_category,Source,source,Incidents,Victimes"
    assert "Civil,civilian,ONG,ngo,2,2" in rows
    assert any(row.startswith("Non renseigné,,") for row in rows)
    assert rows[-1].startswith(
        "Total (chaque incident et chaque victime comptés une fois),*,Ensemble,*,2,2"
    )


def test_a_bad_filter_value_is_shown_by_its_field(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(WRITER)
    for query, field in (
        ("verification_status=bogus", "verification_status"),
        ("armed_party_id=not-an-id", "armed_party_id"),
    ):
        response = browser.get(f"/statistics?group_by=source&{query}")
        assert response.status_code == 400, query
        assert f'id="err-{field}"' in response.text, query
    # A NUL is refused before the page, for every route, by the parameter's label.
    response = browser.get("/statistics?group_by=source&admin1=Mo%00pti")
    assert response.status_code == 422 and "Region:" in response.text


def test_the_page_counts_victims_referred_by_the_service_they_were_referred_to(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    victim = {"sex": "female", "age": 25, "consent": {"referral": True}}
    incident = create_incident(client, victims=[victim, victim])
    url = f"/api/v1/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}/referrals"
    for kind in ("health_medical", "psychosocial"):
        body = {"service_kind": kind, "outside_name": "CSCOM", "referred_on": "2019-03-20"}
        assert client.post(url, json=body).status_code == 201
    browser = pages_for(WRITER, language="fr")
    page = browser.get(
        "/statistics", params={"group_by": "service_kind", "measure": "victims_referred"}
    )
    assert page.status_code == 200, page.text
    rows = _rows(page.text)
    assert rows["Santé et soins médicaux"] == ["1", "1"]
    assert rows["Soutien psychosocial"] == ["1", "1"]
    assert rows["Non renseigné"] == ["0", "0"]
    assert "Victimes référées à un service" in page.text and 'id="measure-note"' in page.text
    assert 'id="victims-chart"' in page.text
    everyone = _rows(browser.get("/statistics", params={"group_by": "service_kind"}).text)
    assert everyone["Non renseigné"] == ["1", "1"]  # the second victim, never referred
    csv = browser.get(
        "/statistics.csv", params={"group_by": "referral_status", "measure": "victims_referred"}
    )
    assert csv.status_code == 200
    header, *lines = csv.text.splitlines()
    assert header.endswith(",Incidents,Victimes référées à un service")
    assert any(line.endswith(",referred,1,1") for line in lines), lines


def test_every_dimension_is_named_in_the_menus_headings_and_csv_in_each_language(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record(client, 1)
    english = pages_for(WRITER)
    page = english.get("/statistics").text
    menu = re.search(r'<select id="f-group_by" name="group_by".*?</select>', page, re.S)
    assert menu
    options = re.findall(r'<option value="([a-z_0-9]+)"[^>]*>([^<]*)</option>', menu.group(0))
    assert len(options) > 20
    assert [code for code, text in options if text.strip() == code] == []
    assert dict(options)["age_group"] == "Age group"
    age_page = english.get("/statistics?group_by=age_group").text
    assert "age_group" not in re.sub(r"<[^>]*>|[?&][^\"' ]*", "", age_page)  # not as words
    french = pages_for(WRITER, language="fr")
    assert "Tranche d&#39;âge" in french.get("/statistics?group_by=age_group").text
    header = french.get("/statistics.csv?group_by=disability").text.splitlines()[0]
    assert header.startswith("Handicap,disability,")

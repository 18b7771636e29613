"""Statistics as files: the workbook carries /stats's figures as published, the CSV an optional
row of HXL hashtags, and no cell of either runs as a formula."""

import csv
import io
from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from app.stats.dimensions import DimensionName
from app.stats.hxl import DIMENSION_TAGS, VICTIMS_MEASURE_TAGS
from app.stats.schemas import Measure
from tests.exports.files import workbook_cells
from tests.factories import API, NGO, create_incident, stats

CONSENTING = {"sex": "female", "age": 25, "consent": {"statistics": True}}


def _record(client: TestClient, count: int, **fields: Any) -> None:
    for _ in range(count):
        create_incident(client, **{"victims": [CONSENTING], **fields})


def _sheets(client: TestClient, **params: Any) -> dict[str, list[list[Any]]]:
    response = client.get(f"{API}/stats.xlsx", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    cells = workbook_cells(response.content)
    return {name: [[cell.value for cell in row] for row in rows] for name, rows in cells.items()}


def test_the_workbook_has_the_figures_of_stats_with_their_markers(
    client: TestClient, client_for
) -> None:
    ngo_adviser = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    _record(ngo_adviser, 20, admin1="Tombouctou")  # the NGO's own, exact
    _record(ngo_adviser, 1, admin1="Mopti")
    _record(client, 2, admin1="Mopti")  # beside the NGO's own: "suppressed"
    _record(client, 2, admin1="Gao")  # others' only, small: "<5"
    _record(client, 30, admin1="Kidal")
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    result = stats(outsider, group_by="admin1", source="gbvims")

    sheets = _sheets(outsider, group_by="admin1", source="gbvims")

    table = sheets["table"]
    assert table[0] == ["admin1", "incidents", "victims"]
    published = {
        g["key"]["admin1"] or "(none recorded)": [g["incidents"], g["victims"]]
        for g in result["groups"]
    }
    shown = {row[0]: row[1:] for row in table[1:-1]}
    assert shown == published
    assert shown["Gao"] == ["<5", "<5"] and shown["Mopti"][0] == "suppressed"
    assert shown["Tombouctou"] == [20, 20]
    assert table[-1] == ["(total: each counted once)", *result["total"].values()]
    notes = {row[0]: row[1] for row in sheets["notes"][1:] if row[0] != "note"}
    assert notes["filter: source"] == "gbvims"
    assert notes["basis"] == "all_reported" and notes["suppression: k"] == 5
    assert notes["protection: applied"] == "true"
    assert notes["protection: figures_perturbed"] == result["protection"]["figures_perturbed"]
    written_notes = [row[1] for row in sheets["notes"] if row[0] == "note"]
    assert written_notes == result["notes"]


def test_the_workbook_keeps_formula_like_names_as_text(client: TestClient) -> None:
    create_incident(client, admin1='=HYPERLINK("http://example.org","x")')
    response = client.get(f"{API}/stats.xlsx", params={"group_by": "admin1"})
    cells = workbook_cells(response.content)["table"]
    names = [row[0] for row in cells[1:-1]]
    formula = next(cell for cell in names if str(cell.value).startswith("="))
    assert formula.data_type == "s"
    assert b"<f>" not in response.content


def test_the_workbook_refuses_what_stats_refuses(client: TestClient) -> None:
    response = client.get(f"{API}/stats.xlsx", params={"group_by": "colour"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("group_by")


def _csv_rows(client: TestClient, **params: Any) -> list[list[str]]:
    response = client.get(f"{API}/stats.csv", params=params)
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.text)))


def test_the_hxl_row_follows_the_header_when_asked(client: TestClient) -> None:
    _record(client, 3, admin1="Mopti")
    plain = _csv_rows(client, group_by="admin1,year")
    tagged = _csv_rows(client, group_by="admin1,year", hxl="true")
    assert tagged[0] == plain[0] == ["admin1", "year", "incidents", "victims"]
    assert tagged[1] == ["#adm1+name", "#date+year", "#indicator+incidents", "#affected+victims"]
    assert tagged[2:] == plain[1:]
    assert not any(cell.startswith("#") for row in plain for cell in row)
    monthly = _csv_rows(client, group_by="victim_category,month", hxl="true")
    assert monthly[1][:2] == ["#group+victim+type", "#date+month"]


def test_every_dimension_has_a_hashtag() -> None:
    assert {name.value for name in DimensionName} <= set(DIMENSION_TAGS)
    assert all(tag.startswith("#") and " " not in tag for tag in DIMENSION_TAGS.values())
    assert {measure.value for measure in Measure} == set(VICTIMS_MEASURE_TAGS)


def test_the_api_csv_escapes_formulas_starting_with_any_sign(client: TestClient) -> None:
    for name in ("@SUM(A1)", "+1+1", "=1+1"):
        create_incident(client, admin1=name)
    rows = _csv_rows(client, group_by="admin1", hxl="true")
    names = {row[0] for row in rows[2:-1]}
    assert names == {"'@SUM(A1)", "'+1+1", "'=1+1", "(none recorded)"}


def test_the_hxl_victims_column_names_the_measure(client: TestClient) -> None:
    create_incident(client)
    rows = _csv_rows(client, group_by="year", hxl="true", measure="victims_referred")
    assert rows[0][-1] == "victims_referred"
    assert rows[1] == ["#date+year", "#indicator+incidents", "#affected+victims+referred"]

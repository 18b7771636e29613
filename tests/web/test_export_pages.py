"""Downloads from the pages: the incident list's export (identity offered only to those who
may have it) and the statistics workbook, in the page's language."""

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.exports.files import workbook_cells, zip_tables
from tests.factories import API, create_incident

ADVISER = Role.PROTECTION_ADVISER
IDENTITY_BOX = 'name="include_identity"'
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _export_form(html: str) -> str:
    start = html.index('action="/exports/incidents.csv"')
    return html[start : html.index("</form>", start)]


def test_the_list_offers_its_incidents_as_files_with_its_filters(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    kept = create_incident(client, admin1="Mopti", source="ngo")
    create_incident(client, admin1="Gao", source="ngo")
    browser = pages_for(ADVISER)
    form = _export_form(browser.get("/incidents?admin1=Mopti&source=ngo").text)
    assert 'formaction="/exports/incidents.xlsx"' in form
    fields = [(name, unescape(value)) for name, value in HIDDEN.findall(form)]
    assert sorted(fields) == [("admin1", "Mopti"), ("source", "ngo")]
    assert IDENTITY_BOX in form

    response = browser.get("/exports/incidents.csv", params=[*fields, ("include_identity", "true")])
    assert response.status_code == 200
    tables = zip_tables(response.content)
    assert [row["reference"] for row in tables["incidents"]] == [kept["reference"]]
    assert "summary" in tables["incidents"][0]
    workbook = browser.get("/exports/incidents.xlsx", params=fields)
    assert workbook.status_code == 200
    assert len(workbook_cells(workbook.content)["incidents"]) == 2


def test_identity_is_not_offered_to_an_adviser_kept_from_it(
    client: TestClient,
    client_for: Callable[..., TestClient],
    pages_for: Callable[..., TestClient],
) -> None:
    create_incident(client)
    admin = client_for(Role.ADMIN)
    policy = {"required_for_identity_readers": True}
    assert admin.put(f"{API}/auth/second-factor-policy", json=policy).status_code == 200
    browser = pages_for(ADVISER)  # no second factor enrolled: identity withheld
    form = _export_form(browser.get("/incidents").text)
    assert IDENTITY_BOX not in form
    assert browser.get("/exports/incidents.csv").status_code == 200
    refused = browser.get("/exports/incidents.csv", params={"include_identity": "true"})
    assert refused.status_code == 403


def test_the_export_form_is_in_french_on_a_french_page(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client)
    form = _export_form(pages_for(ADVISER, language="fr").get("/incidents").text)
    assert "Télécharger en XLSX" in form and "journal d&#39;audit" in form


def test_a_bad_filter_on_the_page_export_is_named(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    for language, named in (("en", "From: Enter a date"), ("fr", "Du : Saisissez une date")):
        browser = pages_for(ADVISER, language=language)
        for path in ("/exports/incidents.csv", "/exports/incidents.xlsx"):
            response = browser.get(f"{path}?occurred_from=2019-02-30")
            assert response.status_code == 422
            # By the label the list's filter has, not by the parameter's name.
            assert named in unescape(response.text).replace("\xa0", " "), (language, path)
            assert "occurred_from" not in response.text, (language, path)


def test_the_statistics_workbook_is_the_pages_csv(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client, source="ngo")
    create_incident(client, source="gbvims", perpetrators=[])
    browser = pages_for(Role.REPORT_WRITER, language="fr")
    query = "group_by=perpetrator_category&then_by=source"
    assert (
        f'href="/statistics.xlsx?{query.replace("&", "&amp;")}"'
        in browser.get(f"/statistics?{query}").text
    )
    csv_lines = browser.get(f"/statistics.csv?{query}").text.splitlines()
    response = browser.get(f"/statistics.xlsx?{query}")
    assert response.status_code == 200
    assert response.headers["content-language"] == "fr"
    sheets = workbook_cells(response.content)
    rows = [
        ",".join("" if cell.value is None else str(cell.value) for cell in row)
        for row in sheets["table"]
    ]
    assert rows == [line.replace('"', "") for line in csv_lines]
    assert "Incidents" in rows[0] and "Victimes" in rows[0]


def test_the_pages_csv_and_workbook_keep_formula_like_names_as_text(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client, admin1="=1+1")
    create_incident(client, admin1="@SUM(A1)")
    browser = pages_for(Role.REPORT_WRITER)
    lines = browser.get("/statistics.csv?group_by=admin1").text.splitlines()
    assert "'=1+1,'=1+1,1,1" in lines and "'@SUM(A1),'@SUM(A1),1,1" in lines
    workbook = browser.get("/statistics.xlsx?group_by=admin1").content
    names = [row[0] for row in workbook_cells(workbook)["table"][1:]]
    assert {cell.value for cell in names} >= {"=1+1", "@SUM(A1)"}
    assert {cell.data_type for cell in names} == {"s"}

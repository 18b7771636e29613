"""The Incident Recorder import page: check first, then import; the report in the language."""

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API
from tests.imports.workbooks import recorder_row, workbook_bytes
from tests.web.pages import csrf_of

PAGE = "/imports/incident-recorder"


def _post(browser: TestClient, content: bytes, action: str, **fields: str) -> object:
    token = csrf_of(browser.get(PAGE).text)
    data = {"csrf_token": token, "action": action, "country": "ML", **fields}
    return browser.post(PAGE, data=data, files={"file": ("recorder.xlsx", content)})


def test_an_adviser_checks_a_file_then_imports_it(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(Role.PROTECTION_ADVISER)
    content = workbook_bytes([recorder_row(), recorder_row(incident_id="IR-2")])
    checked = _post(browser, content, "check")
    assert checked.status_code == 200, checked.text[-3000:]  # type: ignore[attr-defined]
    assert "Incidents that would be created: 2." in checked.text  # type: ignore[attr-defined]
    assert '<p class="notice" role="status" id="report-summary">' in checked.text  # type: ignore[attr-defined]
    assert 'value="import"' in checked.text  # type: ignore[attr-defined]
    assert client.get(f"{API}/incidents").json()["items"] == []
    imported = _post(browser, content, "import")
    assert "Incidents created: 2." in imported.text  # type: ignore[attr-defined]
    assert len(client.get(f"{API}/incidents").json()["items"]) == 2


def test_the_page_lists_each_problem_in_french_and_imports_nothing(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(Role.PROTECTION_ADVISER, language="fr")
    content = workbook_bytes([recorder_row(), recorder_row(incident_id="IR-2", sex="X")])
    response = _post(browser, content, "import")
    assert response.status_code == 422  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "<td>G3</td>" in text
    assert (
        '<p class="notice refused" role="alert" id="report-summary">'
        "Problèmes trouvés : 1. Rien n&#39;a été importé.</p>"
    ) in text
    assert "une de ces valeurs était attendue" in text
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_a_missing_file_is_named(client: TestClient, pages_for: Callable[..., TestClient]) -> None:
    browser = pages_for(Role.PROTECTION_ADVISER)
    token = csrf_of(browser.get(PAGE).text)
    response = browser.post(PAGE, data={"csrf_token": token, "action": "check"})
    assert response.status_code == 422 and "Choose the file to import." in response.text


def test_the_place_columns_are_offered_by_their_headers_and_levels(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    english = pages_for(Role.PROTECTION_ADVISER).get(PAGE).text
    assert (
        '<option value="county,district,camp_town" selected>INCIDENT COUNTY → Region; '
        "INCIDENT DISTRICT → Cercle or district; INCIDENT CAMP / TOWN → Commune</option>"
    ) in english
    assert '<option value="district">INCIDENT DISTRICT → Region</option>' in english
    french = pages_for(Role.PROTECTION_ADVISER, language="fr").get(PAGE).text
    assert "District où a eu lieu l&#39;incident → Région</option>" in french
    assert ">county,district" not in french and ">county,district" not in english
    # The choice made stays chosen when the page answers.
    content = workbook_bytes([recorder_row(district="Bandiagara")])
    browser = pages_for(Role.PROTECTION_ADVISER)
    checked = _post(browser, content, "check", admin_levels="district,camp_town")
    assert '<option value="district,camp_town" selected>' in checked.text  # type: ignore[attr-defined]
    assert "Incidents that would be created: 1. Already imported: 0." in checked.text  # type: ignore[attr-defined]


def test_each_problem_comes_first_in_its_row_where_a_phone_shows_it(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(Role.PROTECTION_ADVISER)
    content = workbook_bytes([recorder_row(), recorder_row(incident_id="IR-2", sex="X")])
    text = _post(browser, content, "check").text  # type: ignore[attr-defined]
    table = re.search(r'<table id="problems">(.*?)</table>', text, re.S)
    assert table, "the page has no table of problems"
    headers = re.findall(r'<th scope="col">([^<]*)</th>', table.group(1))
    assert headers == ["Problem", "Sheet", "Row", "Cell", "Column"]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table.group(1).split("<tbody>", 1)[1])
    assert unescape(cells[0]).startswith('expected one of "F", "M"')
    assert cells[1:] == ["Incident Data", "3", "G3", "SEX"]


def test_import_pressed_without_choosing_the_file_again_keeps_the_import_button(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """A browser empties the file input with each page: after a check, "Import" without the
    file names it and keeps the button and the choices, rather than sending back to the check."""
    browser = pages_for(Role.PROTECTION_ADVISER)
    content = workbook_bytes([recorder_row()])
    checked = _post(browser, content, "check", skip_non_sexual="on")
    assert 'value="import"' in checked.text  # type: ignore[attr-defined]
    token = csrf_of(browser.get(PAGE).text)
    fields = {"csrf_token": token, "action": "import", "country": "ML", "skip_non_sexual": "on"}
    again = browser.post(PAGE, data=fields)
    assert again.status_code == 422 and "Choose the file to import." in again.text
    assert 'value="import"' in again.text and 'name="skip_non_sexual" checked' in again.text
    assert client.get(f"{API}/incidents").json()["items"] == []
    imported = _post(browser, content, "import", skip_non_sexual="on")
    assert "Incidents created: 1." in imported.text  # type: ignore[attr-defined]

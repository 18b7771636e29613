"""Partners' tables through the pages: recorded from the CSV typed in or uploaded, shown with what
each partner's label means to us, in English and in French; another organisation's is not found."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.aggregates.helpers import submit as submit_api
from tests.factories import NGO
from tests.web.pages import csrf_of, field_errors, submit

ADVISER = Role.PROTECTION_ADVISER
SEED_CSV = (
    "perpetrator_category,count\r\n"
    "Armed group/Non-state armed actor,264\r\n"
    "Security forces,58\r\n"
    "Unidentified armed element,412\r\n"
    "Para-military,0\r\n"
    ",11\r\n"
    "*,745\r\n"
)
FORM = {
    "partner_name": "GBVIMS Mali consolidated",
    "source_kind": "gbvims",
    "period_from": "2019-01-01",
    "period_to": "2019-12-31",
    "country": "ML",
    "measure": "incidents",
}


def test_a_table_typed_into_the_form_is_recorded_and_shown_with_our_categories(
    pages_for: Callable[..., TestClient],
) -> None:
    browser = pages_for(ADVISER)
    response = submit(browser, "/aggregates/new", "/aggregates/new", {**FORM, "table": SEED_CSV})
    assert response.status_code == 303, response.text
    page = browser.get(response.headers["location"]).text
    assert "The table was recorded." in page
    assert "Non-state armed group" in page and "Unidentified armed element" in page
    assert "Unattributed (no category)" in page and "745" in page
    assert "Unmapped: Para-military" in page
    listing = browser.get("/aggregates").text
    assert "GBVIMS Mali consolidated" in listing


def test_an_uploaded_file_that_does_not_add_up_is_refused_naming_its_line(
    pages_for: Callable[..., TestClient],
) -> None:
    browser = pages_for(ADVISER)
    token = csrf_of(browser.get("/aggregates/new").text)
    bad = SEED_CSV.replace("*,745", "*,700").encode()
    response = browser.post(
        "/aggregates/new",
        data={**FORM, "csrf_token": token},
        files={"file": ("gbvims.csv", bad, "text/csv")},
    )
    assert response.status_code == 422
    assert field_errors(response.text)["table"].startswith("line 7:")
    assert "No partner&#39;s table recorded." in browser.get("/aggregates").text


def test_the_pages_speak_french(pages_for: Callable[..., TestClient]) -> None:
    browser = pages_for(ADVISER, language="fr")
    form = browser.get("/aggregates/new").text
    assert "Enregistrer un tableau de partenaire" in form
    response = submit(browser, "/aggregates/new", "/aggregates/new", {**FORM, "period_to": "x"})
    assert response.status_code == 422
    assert "period_to" in field_errors(response.text)
    template = browser.get("/aggregates/template.csv?dimensions=gbv_type")
    assert template.text.splitlines()[0] == "gbv_type,count"


def test_another_organisations_table_is_not_found(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    table = submit_api(client)
    assert pages_for(ADVISER).get(f"/aggregates/{table['id']}").status_code == 200
    assert pages_for(ADVISER, organisation=NGO).get(f"/aggregates/{table['id']}").status_code == 404


def test_the_total_typed_into_the_form_is_recorded_and_checked_against_the_cells(
    pages_for: Callable[..., TestClient],
) -> None:
    browser = pages_for(ADVISER)
    table = SEED_CSV.replace("*,745\r\n", "")
    wrong = submit(
        browser, "/aggregates/new", "/aggregates/new", {**FORM, "total": "700", "table": table}
    )
    assert wrong.status_code == 422
    assert (
        "the cells add up to 745, not to the stated total 700" in field_errors(wrong.text)["total"]
    )
    response = submit(
        browser, "/aggregates/new", "/aggregates/new", {**FORM, "total": "745", "table": table}
    )
    assert response.status_code == 303, field_errors(response.text)
    page = browser.get(response.headers["location"]).text
    assert "<dd>745</dd>" in page

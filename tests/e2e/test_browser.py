"""What the three kinds of user do, in a real browser."""

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from app.models.enums import Role
from tests.factories import create_incident

NAME = "Aminata Traoré-Witness"  # stands for a survivor's name
PAGE_BUDGET = 200_000  # bytes, everything a page loads


def _fill_victim(page: Page, index: int, sex: str, age: str = "", age_group: str = "") -> None:
    row = page.locator("fieldset.victim").nth(index)
    row.get_by_label("Sex").select_option(sex)
    if age:
        row.get_by_label("Age", exact=True).fill(age)
    if age_group:
        row.get_by_label("Age group").select_option(age_group)


def test_an_adviser_records_an_incident_with_two_victims_and_sees_it_listed(
    open_page: Callable[..., Page],
) -> None:
    page = open_page(Role.PROTECTION_ADVISER)
    expect(page).to_have_url(re.compile(r"/incidents$"))
    page.get_by_role("link", name="Log an incident").click()

    page.get_by_label("Date of the incident").fill("2019-03-14")
    page.get_by_label("Date reported").fill("2019-03-20")
    page.get_by_label("Region").fill("Mopti")
    page.get_by_role("checkbox", name="Rape", exact=True).check()
    # The asterisk beside a required field's label is hidden from its accessible name.
    page.get_by_role("combobox", name="Source", exact=True).select_option("gbvims")
    _fill_victim(page, 0, "female", age="16")
    page.locator("fieldset.victim").nth(0).get_by_label("Name (stored encrypted)").fill(NAME)

    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Add a victim").click()
    expect(page.locator("fieldset.victim")).to_have_count(2)
    assert page.evaluate("window.notReloaded === true")  # added in the page, no round trip
    _fill_victim(page, 1, "female", age_group="adult")
    page.locator("fieldset.perpetrator").nth(0).get_by_label("Category").select_option(
        "non_state_armed_group"
    )
    page.get_by_role("button", name="Save the incident").click()

    expect(page.get_by_role("status")).to_have_text("The incident was saved.")
    reference = page.locator("h1").inner_text().removeprefix("Incident ").strip()
    assert re.fullmatch(r"ML-2019-[A-Z0-9]{2,8}-\d{6}", reference)
    # The survivor's name is in no URL, no title, no storage and no script-readable cookie.
    assert NAME not in page.url and NAME not in page.title()
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert "crsv_session" not in page.evaluate("document.cookie")
    assert NAME not in page.content()

    page.get_by_role("link", name="Incidents", exact=True).click()
    row = page.get_by_role("row", name=re.compile(reference))
    expect(row).to_contain_text("2: Girl, Woman")
    expect(row).to_contain_text("Non-state armed group")


def test_a_report_writer_sees_the_chart_and_counts_but_no_incident(
    open_page: Callable[..., Page], client: TestClient
) -> None:
    incident = create_incident(client, perpetrators=[{"category": "non_state_armed_group"}])
    for _ in range(2):
        create_incident(client, perpetrators=[{"category": "state_security_forces"}])
    create_incident(client, perpetrators=[])
    page = open_page(Role.REPORT_WRITER)
    expect(page).to_have_url(re.compile(r"/statistics$"))

    table = page.locator("#stats-table")
    expect(table.get_by_role("row", name=re.compile("^Non-state armed group"))).to_contain_text("1")
    expect(table.get_by_role("row", name=re.compile("^National security forces"))).to_contain_text(
        "2"
    )
    expect(table.get_by_role("row", name=re.compile("^Not recorded"))).to_contain_text("1")
    expect(page.locator("#total-1")).to_have_text("4")
    chart = page.get_by_role("img", name="Incidents by Perpetrator category")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar")).to_have_count(7)  # six categories and "not recorded"

    page.get_by_label("Count by").select_option("source")
    page.get_by_label("Verified only").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#total-1")).to_have_text("0")

    expect(page.get_by_role("link", name="Incidents", exact=True)).to_have_count(0)
    response = page.goto(f"/incidents/{incident['id']}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_have_text("Your role does not allow this page.")


def test_a_french_session_has_french_labels_and_french_errors(
    open_page: Callable[..., Page],
) -> None:
    page = open_page(Role.PROTECTION_ADVISER)
    page.get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("link", name="Enregistrer un incident").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enregistrer un incident")
    expect(page.get_by_label("Date de l'incident")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Esclavage sexuel")).to_be_visible()

    page.get_by_label("Date de l'incident").fill("2019-03-14")
    page.get_by_label("Date du signalement").fill("2019-03-01")  # before the incident
    page.locator("fieldset.victim").nth(0).get_by_label("Âge", exact=True).fill("130")
    # A hint in French as soon as the value is typed, before any round trip.
    expect(page.locator(".client-hint")).to_have_text("Doit être au plus 120.")
    page.get_by_role("button", name="Enregistrer l'incident").click()

    expect(page.get_by_role("alert")).to_contain_text("Veuillez corriger les points suivants")
    expect(page.locator("#err-source")).to_have_text("Ce champ est obligatoire.")
    expect(page.locator("#err-violations")).to_have_text("Choisissez-en au moins une.")
    expect(page.locator("#err-victims-0-age")).to_have_text("Doit être au plus 120.")
    # The field says which error is its own, for screen readers.
    source = page.get_by_role("combobox", name="Source", exact=True)
    described = source.get_attribute("aria-describedby") or ""
    assert "err-source" in described


def test_pages_stay_small_and_load_nothing_from_elsewhere(
    open_page: Callable[..., Page], live_url: str
) -> None:
    page = open_page(Role.PROTECTION_ADVISER)
    loaded: list[tuple[str, int]] = []
    page.on(
        "requestfinished",
        lambda request: loaded.append((request.url, request.sizes()["responseBodySize"])),
    )
    page.goto("/incidents/new")
    page.wait_for_load_state("networkidle")
    assert loaded and all(url.startswith(live_url) for url, _ in loaded)
    assert sum(size for _, size in loaded) < PAGE_BUDGET

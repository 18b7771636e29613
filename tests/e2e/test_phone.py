"""Every page fits a phone held upright: nothing wider than the screen, wide tables scrolling
inside their own box. Set SCREENSHOTS to a folder to keep a picture of each page as measured."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Page

from app.models.enums import Role
from tests.factories import (
    API,
    BEFORE_THE_COMPLAINT,
    PASSWORD,
    create_armed_party,
    create_case,
    create_court,
    create_incident,
    make_user,
)
from tests.imports.workbooks import recorder_row, workbook_bytes
from tests.referrals.helpers import create_point, refer

# A page's layout does not depend on the database; every page is rendered on both by tests/web.
pytestmark = pytest.mark.one_database("a page's layout on a phone")

PHONE = {"width": 390, "height": 844}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DESKTOP = {"width": 1280, "height": 900}
WIDE_VICTIMS = [
    {
        "sex": "female",
        "age": 16,
        "displacement_status": "idp",
        "consent": {"statistics": True, "justice": True, "referral": True},
    },
    {"sex": "female", "age_group": "adult", "disability": "yes", "consent": {"justice": True}},
]


@pytest.fixture
def records(
    app: FastAPI, client: TestClient, client_for: Callable[..., TestClient]
) -> dict[str, str]:
    """An incident with everything the list and the detail show, a year-only one, and a case."""
    incident = create_incident(
        client,
        **BEFORE_THE_COMPLAINT,
        admin1="Mopti",
        admin2="Bandiagara",
        admin3="Dourou",
        victims=WIDE_VICTIMS,
        perpetrators=[{"category": "unidentified_armed_element"}, {"category": "civilian"}],
    )
    create_incident(client, occurred_on="2019-05-10", date_precision="year")
    party = create_armed_party(client, "Groupe de soutien à l'islam et aux musulmans")
    create_incident(
        client,
        source="ngo",
        violations=["rape", "forced_marriage"],
        victims=[{"sex": "female", "age": 15, "consent": {"statistics": True}}],
        perpetrators=[{"armed_party_id": party["id"], "category": "non_state_armed_group"}],
    )
    tracker = client_for(Role.JUDICIAL_TRACKER)
    court = create_court(tracker, "Tribunal de grande instance de la Commune III de Bamako")
    case = create_case(
        tracker,
        court,
        [incident],
        docket_reference="RG 2014/0112",
        stage="judicial_investigation",
        stage_since="2015-01-10",
        last_act_on="2017-01-10",
    )
    point = create_point(client, name="Centre de santé de référence de Bandiagara (CSRéf)")
    victim = incident["victims"][0]["id"]
    referrals = f"/incidents/{incident['id']}/victims/{victim}/referrals"
    refer(client, f"{API}{referrals}", point, note="Accompagnée")
    for _ in range(3):  # a few events on the audit trail's page
        create_incident(client, admin1="Gao")
    return {
        "incident": incident["id"],
        "case": case["id"],
        "court": court["id"],
        "user": str(make_user(app, Role.REPORT_WRITER).id),
        "referrals": referrals,
        "identity": f"/incidents/{incident['id']}/victims/{victim}/identity",
    }


def _fits(page: Page, path: str, name: str, size: dict[str, int]) -> int:
    """Open `path` at this size; the page's scroll width (a picture kept if asked)."""
    page.set_viewport_size(size)
    response = page.goto(path)
    assert response is not None and response.status < 400, path
    if folder := os.environ.get("SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}-{size['width']}.png", full_page=True)
    return int(page.evaluate("document.documentElement.scrollWidth"))


# Captions of tables that scroll in their box whose text runs past the box's edge (cut).
CUT_CAPTIONS = """() => Array.from(document.querySelectorAll('.table-scroll caption'))
    .filter(c => c.getBoundingClientRect().right > c.closest('.table-scroll')
        .getBoundingClientRect().right + 1)
    .map(c => c.textContent.trim())"""


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_every_page_fits_a_phone_screen(
    open_page: Callable[..., Page], records: dict[str, str], locale: str
) -> None:
    pages = {
        Role.PROTECTION_ADVISER: {
            "list": "/incidents",
            "detail": f"/incidents/{records['incident']}",
            "form": "/incidents/new",
            "edit": f"/incidents/{records['incident']}/edit",
            "account": "/account",
            "referrals": records["referrals"],
            "identity": records["identity"],
            "services": "/services",
            "received": "/referrals/received",  # the point is the adviser's organisation's
            "aggregate-new": "/aggregates/new",
            "region-maps": "/statistics/maps",
            "pattern-rule": "/armed-parties/pattern-rule",
        },
        Role.REPORT_WRITER: {
            "statistics": "/statistics",
            "cross-table": "/statistics?group_by=source&then_by=victim_category",
            "filtered": "/statistics?group_by=victim_category&source=ngo&source=gbvims"
            "&violation=rape&country=ML",
            "wide-cross-table": "/statistics?group_by=violation&then_by=perpetrator_category",
            "72-hours": "/reports/72-hours?group_by=region",
            "service-gaps": "/reports/service-gaps",
            "trends": "/statistics/trends?country=ML",
            "paragraphs": "/reports/paragraphs?period=2019",
            "parties": "/armed-parties",
            "patterns": "/armed-parties/patterns?year=2019",
            "aggregates": "/aggregates",
        },
        Role.JUDICIAL_TRACKER: {
            "pending": "/judicial",
            "stalled": "/judicial/stalled",
            "case": f"/judicial/cases/{records['case']}",
            "case-new": "/judicial/cases/new",
            "case-edit": f"/judicial/cases/{records['case']}/edit",
            "courts": "/judicial/courts",
        },
        Role.ADMIN: {
            "users": "/admin/users",
            "user": f"/admin/users/{records['user']}",
            "organisation": "/admin/organisation",
            "audit": "/admin/audit",
        },
        Role.SYSTEM_ADMIN: {"court-edit": f"/judicial/courts/{records['court']}/edit"},
    }
    too_wide: dict[str, object] = {}
    for role, paths in pages.items():
        page = open_page(role, locale=locale)
        for name, path in paths.items():
            width = _fits(page, path, f"{locale[:2]}-{name}", PHONE)
            if width > PHONE["width"]:
                too_wide[name] = width
            if cut := page.evaluate(CUT_CAPTIONS):
                too_wide[f"{name} caption"] = cut
            if os.environ.get("SCREENSHOTS"):
                _fits(page, path, f"{locale[:2]}-{name}", DESKTOP)
    assert too_wide == {}, f"wider than a {PHONE['width']} px phone, or cut: {too_wide}"


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_second_factor_key_and_qr_code_fit_a_phone_under_the_page_policy(
    open_page: Callable[..., Page], locale: str
) -> None:
    """The enrolment's answer (a POST, shown once) fits, and its inline SVG breaks no CSP rule."""
    page = open_page(Role.PROTECTION_ADVISER, locale=locale)
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    for size in (PHONE, DESKTOP) if os.environ.get("SCREENSHOTS") else (PHONE,):
        page.set_viewport_size(size)
        page.goto("/account")
        page.fill("#f-password", PASSWORD)
        page.click("form[action='/account/second-factor'] button")
        qr_code = page.locator("figure.qr svg")
        qr_code.wait_for()
        box = qr_code.bounding_box()
        assert box is not None and 150 <= box["width"] <= size["width"]
        if folder := os.environ.get("SCREENSHOTS"):
            name = f"{folder}/{locale[:2]}-account-enrolment-{size['width']}.png"
            page.screenshot(path=name, full_page=True)
        width = int(page.evaluate("document.documentElement.scrollWidth"))
        assert width <= size["width"]
    assert not [text for text in refused if "Content Security Policy" in text], refused


def test_an_import_reports_each_problem_on_a_phone_screen_before_any_scrolling(
    open_page: Callable[..., Page],
) -> None:
    page = open_page(Role.PROTECTION_ADVISER)
    page.set_viewport_size(PHONE)
    page.goto("/imports/incident-recorder")
    content = workbook_bytes([recorder_row(incident_id="IR-2", sex="X")])
    page.set_input_files("#f-file", {"name": "recorder.xlsx", "mimeType": XLSX, "buffer": content})
    page.fill("#f-country", "ML")
    page.click("button[value='check']")
    problem = page.locator("#problems tbody td.problem").first
    problem.wait_for()
    box = problem.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert "expected one of" in problem.inner_text()
    if folder := os.environ.get("SCREENSHOTS"):
        page.screenshot(path=f"{folder}/en-import-problems-390.png", full_page=True)


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_navigation_is_one_row_on_a_phone_and_every_link_can_be_reached(
    open_page: Callable[..., Page], locale: str
) -> None:
    """Wrapped, a report writer's and adviser's links took eight rows, two fifths of the first
    screen: one row now, scrolling sideways, and its last link can be scrolled to and opened."""
    page = open_page(Role.PROTECTION_ADVISER, Role.REPORT_WRITER, locale=locale)
    page.set_viewport_size(PHONE)
    page.goto("/incidents")
    links = page.locator("header nav a")
    boxes = [links.nth(index).bounding_box() for index in range(links.count())]
    assert len(boxes) >= 8 and all(box is not None for box in boxes)
    assert len({round(box["y"]) for box in boxes if box}) == 1  # one row
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= PHONE["height"] / 5
    assert int(page.evaluate("document.documentElement.scrollWidth")) <= PHONE["width"]
    last = links.nth(links.count() - 1)
    href = last.get_attribute("href")
    last.click()
    page.wait_for_url(f"**{href}")

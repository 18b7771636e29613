"""A NUL character, refused before a page runs, is named by the field's label as the page shows
it ("Region:"), in the user's language, never by the parameter's internal name ("admin1:")."""

from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import create_incident
from tests.web.pages import incident_form, submit

ADVISER = Role.PROTECTION_ADVISER


def _text(html: str) -> str:
    return unescape(html).replace("\xa0", " ").replace("\u202f", " ")


def test_a_nul_in_the_incident_forms_names_the_field_by_its_label(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident(client)
    edit = f"/incidents/{incident['id']}/edit"
    for language, region, name in (
        ("en", "Region: Must not contain", "Name (stored encrypted) (victim 2): Must not"),
        ("fr", "Région : Ne doit pas contenir", "Nom (chiffré) (victime 2) : Ne doit pas"),
    ):
        browser = pages_for(ADVISER, language=language)
        for page in ("/incidents/new", edit):
            form = incident_form(admin1="Mo\x00pti", **{"victims-1-name": "N\x00"})
            response = submit(browser, page, page, form)
            assert response.status_code == 422, page
            text = _text(response.text)
            assert region in text and name in text, (language, page)
            assert "admin1" not in text and "victims-1-name:" not in text, (language, page)


def test_a_nul_in_the_list_and_audit_filters_names_the_filter_by_its_label(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    for language, reference, action in (
        ("en", "Reference: Must not contain", "Action: Must not contain"),
        ("fr", "Référence : Ne doit pas contenir", "Action : Ne doit pas contenir"),
    ):
        listing = pages_for(ADVISER, language=language).get("/incidents?reference=ML%00")
        assert listing.status_code == 422
        assert reference in _text(listing.text) and "reference:" not in listing.text
        trail = pages_for(Role.ADMIN, language=language).get("/admin/audit?action=a%00")
        assert trail.status_code == 422
        assert action in _text(trail.text) and "action:" not in trail.text


def test_a_nul_in_the_region_maps_address_is_named_by_its_label(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    page = pages_for(ADVISER).get("/statistics/maps?country=M%00")
    assert page.status_code == 422
    assert "Country code: Must not contain" in _text(page.text)


def test_a_nul_in_a_new_password_is_named_by_its_label(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(Role.REPORT_WRITER, language="fr")
    typed = "abcdefghijkl\x00m"
    fields = {"current_password": "x", "new_password": typed, "repeated_password": typed}
    response = submit(browser, "/account", "/account/password", fields)
    assert response.status_code == 422
    text = _text(response.text)
    assert "Nouveau mot de passe : Ne doit pas" in text and "new_password" not in text

"""The armed parties and service directory pages start empty on a new installation: those who
may add to them are told how (the API), in their language; those who may not are not."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role

PAGES = {"/armed-parties": "/api/v1/armed-parties", "/services": "/api/v1/service-points"}


def test_an_adviser_is_told_where_parties_and_service_points_are_added(
    pages_for: Callable[..., TestClient],
) -> None:
    for language, words in (("en", "no page"), ("fr", "aucune page")):
        browser = pages_for(Role.PROTECTION_ADVISER, language=language)
        for page, route in PAGES.items():
            shown = browser.get(page)
            assert shown.status_code == 200
            hint = shown.text.split('id="how-to-add">', 1)[1].split("</p>", 1)[0]
            assert f"POST {route}" in hint and words in hint, (language, page, hint)
            assert '<a href="/docs">' in hint


def test_a_report_writer_is_not_told_to_add_what_they_cannot(
    pages_for: Callable[..., TestClient],
) -> None:
    browser = pages_for(Role.REPORT_WRITER)
    for page in PAGES:
        shown = browser.get(page)
        assert shown.status_code == 200 and 'id="how-to-add"' not in shown.text

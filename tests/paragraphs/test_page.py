"""The drafted paragraphs' page: figures as links, the text to copy, in the chosen language."""

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import create_incident
from tests.web.pages import signed_in


def _seed(client: TestClient) -> None:
    for _ in range(2):
        create_incident(client, verification_status="verified")


def test_the_page_drafts_with_each_figure_a_link_and_the_text_to_copy(
    client: TestClient, client_for: Callable[..., TestClient], app
) -> None:
    _seed(client)
    page = signed_in(app, Role.REPORT_WRITER)
    response = page.get("/reports/paragraphs", params={"period": "2019"})
    assert response.status_code == 200
    html = response.text
    expected = (
        "The mission verified two cases of conflict-related sexual violence in 2019 against "
        "two women."
    )
    assert expected in html  # in the box to copy
    links = re.findall(r'<a href="([^"]+)" class="figure"[^>]*>([^<]+)</a>', html)
    assert "two" in [text for _, text in links]
    assert all(href.startswith("/statistics?") for href, _ in links)
    assert 'data-copy="paragraphs-text"' in html and "<script>" not in html


def test_the_page_drafts_in_french_when_asked(client: TestClient, app) -> None:
    _seed(client)
    page = signed_in(app, Role.REPORT_WRITER)
    response = page.get("/reports/paragraphs", params={"period": "2019", "lang": "fr"})
    assert "La mission a vérifié deux cas" in response.text


def test_a_bad_period_on_the_page_is_named(client: TestClient, app) -> None:
    page = signed_in(app, Role.REPORT_WRITER)
    response = page.get("/reports/paragraphs", params={"period": "2019-Q9"})
    assert response.status_code == 400
    assert 'id="f-period"' in response.text and "must be a year" in response.text


def test_the_page_without_a_period_shows_the_form_only(client: TestClient, app) -> None:
    page = signed_in(app, Role.PROTECTION_ADVISER)
    response = page.get("/reports/paragraphs")
    assert response.status_code == 200
    assert 'id="paragraphs"' not in response.text

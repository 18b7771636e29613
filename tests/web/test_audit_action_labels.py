"""The admin's audit trail page shows each action in words, in the user's language, with the
code that admins filter the trail by."""

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from app.web.audit_actions import AUDIT_ACTION_LABELS
from tests.factories import create_incident

CODES = ("incident.create", "user.create", "auth.login")


def test_the_trail_page_shows_each_action_in_words_with_its_code(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client)
    english = unescape(pages_for(Role.ADMIN).get("/admin/audit").text)
    french = unescape(pages_for(Role.ADMIN, language="fr").get("/admin/audit").text)
    for page, labels in (
        (english, ("Incident recorded", "Account created", "Logged in")),
        (french, ("Incident enregistré", "Compte créé", "Connexion")),
    ):
        for label, code in zip(labels, CODES, strict=True):
            assert f'{label}<br><small class="hint"><code>{code}</code></small>' in page, label


def test_the_filter_finds_events_by_the_code_shown(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client)
    browser = pages_for(Role.ADMIN)
    page = unescape(browser.get("/admin/audit").text)
    hint = re.search(r"e\.g\. ([a-z_.]+), ([a-z_.]+)", page)
    assert hint and {hint.group(1), hint.group(2)} <= set(AUDIT_ACTION_LABELS)
    filtered = unescape(browser.get("/admin/audit", params={"action": "incident.create"}).text)
    assert filtered.count("<code>incident.create</code>") == 1
    assert "<code>user.create</code>" not in filtered

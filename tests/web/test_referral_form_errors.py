"""The referral form's problems, in the list above it, name their field by its label and are in
the page's language, as every other form's are."""

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, create_incident
from tests.referrals.helpers import REFERRAL_VICTIM, create_point, refer, referrals_url
from tests.web.pages import field_errors, submit


def _summary(html: str) -> str:
    """The list's words, without its links' targets."""
    listed = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    return unescape(re.sub(r"<[^>]+>", "", listed))


def test_a_referral_dated_before_the_incident_is_named_in_french(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    point = create_point(client)
    incident = create_incident(client, victims=[REFERRAL_VICTIM])  # occurred 2019-03-14
    browser = pages_for(Role.PROTECTION_ADVISER, language="fr")
    page = referrals_url(incident).removeprefix(API)
    fields = {
        "service_kind": "health_medical",
        "service_point_id": point["id"],
        "referred_on": "2019-03-01",
        "next_follow_up_on": "2019-02-01",
        "note": "Accompagnée par sa tante",
    }
    refused = submit(browser, page, page, fields)
    assert refused.status_code == 422
    errors = field_errors(refused.text)
    assert errors["referred_on"] == "ne doit pas être antérieure à la date de l'incident"
    summary = _summary(refused.text)
    assert "Référée le : ne doit pas être antérieure à la date de l'incident" in summary
    assert "Prochain suivi :" in summary
    assert "must not" not in refused.text and "referred_on" not in summary
    assert 'value="Accompagnée par sa tante"' in unescape(refused.text)  # what was typed stays


def test_the_english_page_names_the_field_too(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident(client, victims=[REFERRAL_VICTIM])
    browser = pages_for(Role.PROTECTION_ADVISER)
    page = referrals_url(incident).removeprefix(API)
    fields = {
        "service_kind": "psychosocial",
        "outside_name": "CSCOM de Sangha",
        "referred_on": "2019-03-20",
        "next_follow_up_on": "2019-03-19",
    }
    refused = submit(browser, page, page, fields)
    assert refused.status_code == 422
    summary = _summary(refused.text)
    assert "Next follow-up: must not be before the day of the referral" in summary


def test_french_headings_put_a_space_before_their_colon(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    point = create_point(client)
    incident = create_incident(client, victims=[REFERRAL_VICTIM])
    referral = refer(client, referrals_url(incident), point).json()
    browser = pages_for(Role.PROTECTION_ADVISER, language="fr")
    page = unescape(browser.get(referrals_url(incident).removeprefix(API)).text)
    assert "<h1>Références : <a href" in page
    assert f"<summary>Enregistrer un suivi : {referral['code']}</summary>" in page
    received = unescape(browser.get("/referrals/received").text)
    assert f"<summary>Enregistrer un nouveau statut : {referral['code']}</summary>" in received
    english = unescape(pages_for(Role.PROTECTION_ADVISER).get("/referrals/received").text)
    assert f"<summary>Record a new status: {referral['code']}</summary>" in english

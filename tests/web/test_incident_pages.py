"""Advisers' incident pages: they go through the same service rules as the API."""

import re
from collections.abc import Callable
from html import unescape
from urllib.parse import urlencode

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_armed_party, create_incident, patch_incident
from tests.web.pages import field_errors, incident_form, submit

ADVISER = Role.PROTECTION_ADVISER
NAME = "Aminata Traoré-Witness"  # stands for a survivor's name in these tests


def _log(browser: TestClient, **overrides: str | list[str]) -> str:
    response = submit(browser, "/incidents/new", "/incidents/new", incident_form(**overrides))
    assert response.status_code == 303, field_errors(response.text) or response.text
    return response.headers["location"].split("?")[0].rsplit("/", 1)[1]


def test_an_incident_logged_through_the_form_is_stored_as_through_the_api(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    incident_id = _log(browser, **{"victims-0-name": NAME})
    stored = client.get(f"{API}/incidents/{incident_id}").json()
    assert stored["violations"] == ["rape", "sexual_slavery"]
    assert [v["category"] for v in stored["victims"]] == ["girl", "woman"]
    assert stored["victims"][0]["consent"]["statistics"]["granted"] is True
    assert stored["victims"][0]["has_identity"] is True
    assert stored["perpetrators"][0]["category"] == "unidentified_armed_element"
    listing = browser.get("/incidents").text
    assert stored["reference"] in listing and "Girl, Woman" in listing


def test_a_survivor_name_never_reaches_a_page_or_a_url(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    incident_id = _log(browser, **{"victims-0-name": NAME, "summary": f"Account by {NAME}"})
    for path in ("/incidents", f"/incidents/{incident_id}/edit"):
        assert NAME not in browser.get(path).text
    detail = browser.get(f"/incidents/{incident_id}").text
    title = re.search(r"<title>(.*?)</title>", detail, re.S)
    assert title and NAME not in title.group(1)
    assert "On file (encrypted)" in detail  # the name itself is shown nowhere


def test_a_resent_form_creates_one_incident(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    page = browser.get("/incidents/new").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert key and token
    fields = {**incident_form(), "idempotency_key": key.group(1), "csrf_token": token.group(1)}
    first = browser.post("/incidents/new", data=fields)
    again = browser.post("/incidents/new", data=fields)  # a double click, or a retry on a bad link
    assert first.headers["location"] == again.headers["location"]
    assert len(client.get(f"{API}/incidents").json()["items"]) == 1


def test_invalid_entries_are_shown_by_their_field_and_nothing_is_stored(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    form = incident_form(**{"victims-1-age": "130", "source": ""})
    response = submit(browser, "/incidents/new", "/incidents/new", form)
    assert response.status_code == 422
    assert field_errors(response.text) == {
        "source": "This field is required.",
        "victims-1-age": "Must be at most 120.",
    }
    assert 'value="Bandiagara"' in response.text  # what was typed is kept
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_the_service_rules_errors_come_back_by_field_too(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    form = incident_form(reported_on="2019-03-01", **{"victims-0-age_group": "adult"})
    response = submit(browser, "/incidents/new", "/incidents/new", form)
    assert response.status_code == 422
    assert field_errors(response.text) == {
        "reported_on": "must not be before the date of the incident",
        "victims-0-age_group": "contradicts the age given",
    }


def test_validation_errors_are_in_french_for_a_french_session(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER, language="fr")
    form = incident_form(**{"victims-1-age": "130", "source": ""})
    response = submit(browser, "/incidents/new", "/incidents/new", form)
    assert field_errors(response.text) == {
        "source": "Ce champ est obligatoire.",
        "victims-1-age": "Doit être au plus 120.",
    }
    assert "Veuillez corriger les points suivants" in response.text
    rule = submit(
        browser, "/incidents/new", "/incidents/new", incident_form(reported_on="2019-03-01")
    )
    assert field_errors(rule.text) == {
        "reported_on": "ne doit pas être antérieure à la date de l'incident"
    }


def test_without_javascript_add_a_victim_shows_one_more_row_and_saves_nothing(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    response = submit(
        browser, "/incidents/new", "/incidents/new", {**incident_form(), "add": "victims"}
    )
    assert response.status_code == 200
    assert 'name="victims-2-sex"' in response.text
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_an_edit_based_on_the_current_version_is_saved(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    incident = create_incident(client)
    edit_page = f"/incidents/{incident['id']}/edit"
    form = _edit_form(browser.get(edit_page).text, admin2="Douentza")
    response = submit(browser, edit_page, edit_page, form)
    assert response.status_code == 303
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert stored["admin2"] == "Douentza" and stored["version"] == incident["version"] + 1
    assert len(stored["victims"]) == len(incident["victims"])  # rows kept, with their ids


def test_a_stale_edit_shows_what_changed_and_overwrites_nothing(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    incident = create_incident(client)
    edit_page = f"/incidents/{incident['id']}/edit"
    form = _edit_form(browser.get(edit_page).text, admin2="Douentza")  # opened at version 1
    assert patch_incident(client, incident, admin1="Ségou").status_code == 200  # someone else
    response = submit(browser, edit_page, edit_page, form)
    assert response.status_code == 409
    assert "Changes saved by others since you opened this form" in response.text
    assert "Ségou" in response.text and 'value="Douentza"' in response.text
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert stored["admin1"] == "Ségou" and stored["admin2"] == incident["admin2"]
    # Saving again from the refreshed form (now at the new version) goes through.
    retry = _edit_form(response.text, admin2="Douentza")
    assert submit(browser, edit_page, edit_page, retry).status_code == 303


def test_the_detail_page_shows_history_and_records_a_verification_decision(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    incident = create_incident(client)
    page = f"/incidents/{incident['id']}"
    action = f"{page}/verification"
    moved = submit(browser, page, action, {"status": "pending_verification", "version": "1"})
    assert moved.status_code == 303
    refused = submit(browser, page, action, {"status": "verified", "version": "2"})
    assert refused.status_code == 422
    assert field_errors(refused.text) == {
        "standard": "is required for this conclusion",
        "sources": "name at least one source relied on",
    }
    verified = submit(
        browser,
        page,
        action,
        {
            "status": "verified",
            "version": "2",
            "standard": "reasonable grounds to believe",
            "sources": "interview\nmedical certificate",
        },
    )
    assert verified.status_code == 303
    detail = browser.get(page).text
    assert re.search(r'id="verification-status">Verified<', detail)
    assert "Verification decision" in detail and "Recorded" in detail  # the history


def test_another_organisations_incident_is_not_found(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    incident = create_incident(client)
    outsider = pages_for(ADVISER, organisation=NGO)
    assert outsider.get(f"/incidents/{incident['id']}").status_code == 404
    assert outsider.get(f"/incidents/{incident['id']}/edit").status_code == 404
    assert incident["reference"] not in outsider.get("/incidents").text


def test_the_list_filters_like_the_api(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    kept = create_incident(client, source="ngo")
    left_out = create_incident(client, source="gbvims")
    page = browser.get("/incidents?source=ngo&occurred_from=2019-01-01").text
    assert kept["reference"] in page and left_out["reference"] not in page
    bad = browser.get("/incidents?occurred_from=2019-13-01")
    assert bad.status_code == 400 and "occurred_from" in field_errors(bad.text)


def _edit_form(page: str, **changes: str) -> dict[str, str | list[str]]:
    """The edit form's fields as the page filled them in, with some changed."""
    fields: dict[str, str | list[str]] = {}
    for name, value in re.findall(
        r'<input id="f-([^"]+)" name="[^"]+" type="[^"]+" value="([^"]*)"', page
    ):
        fields[name] = value
    for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page):
        if name != "csrf_token":
            fields[name] = value
    for select, body in re.findall(
        r'<select id="f-([^"]+)" name="[^"]+"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        if chosen:
            fields[select] = chosen.group(1)
    fields["violations"] = re.findall(r'name="violations" value="([^"]+)" checked', page)
    fields.update(changes)
    return fields


def test_the_list_filters_by_country_and_named_armed_party(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    party = create_armed_party(client, "Katiba Macina", "non_state_armed_group")
    named = create_incident(client, perpetrators=[{"armed_party_id": party["id"]}])
    other = create_incident(client)
    browser = pages_for(ADVISER)
    page = browser.get(f"/incidents?armed_party_id={party['id']}&country=ml").text
    assert named["reference"] in page and other["reference"] not in page
    assert f'<option value="{party["id"]}" selected>Katiba Macina</option>' in page


def test_unknown_is_offered_once_for_displacement_and_disability_and_kept_on_edit(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    page = browser.get("/incidents/new").text
    for name in ("victims-0-displacement_status", "victims-0-disability"):
        select = re.search(rf'<select id="f-{name}".*?</select>', page, re.S)
        assert select, name
        labels = [label.strip() for label in re.findall(r">([^<]+)</option>", select.group(0))]
        assert labels.count("Unknown") == 1, (name, labels)
        assert labels[0] == "Unknown"  # the empty choice, which the service stores as unknown
    incident = create_incident(
        client, victims=[{"sex": "female", "age": 30, "disability": "unknown"}]
    )
    assert incident["victims"][0]["displacement_status"] == "unknown"
    edit_page = f"/incidents/{incident['id']}/edit"
    form = _edit_form(browser.get(edit_page).text, admin2="Douentza")
    assert submit(browser, edit_page, edit_page, form).status_code == 303
    victim = client.get(f"{API}/incidents/{incident['id']}").json()["victims"][0]
    assert (victim["displacement_status"], victim["disability"]) == ("unknown", "unknown")


def test_french_pages_put_a_space_before_the_colons_they_write(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    party = create_armed_party(client, "Katiba Macina", "non_state_armed_group")
    incident = create_incident(
        client,
        victims=[{"sex": "female", "age": 15, "country_of_origin": "BF"}],
        perpetrators=[{"armed_party_id": party["id"]}],
    )
    french = pages_for(ADVISER, language="fr")
    detail = french.get(f"/incidents/{incident['id']}").text
    assert "Groupe armé non étatique : Katiba Macina" in detail
    assert "Pays d&#39;origine : BF" in detail
    listing = french.get("/incidents").text
    assert "1 : Fille" in listing
    # The filters' empty choice agrees with feminine and masculine field names alike.
    assert ">Indifférent</option>" in listing and ">Tous</option>" not in listing
    english = pages_for(ADVISER)
    detail = english.get(f"/incidents/{incident['id']}").text
    assert "Non-state armed group: Katiba Macina" in detail
    assert "1: Girl" in english.get("/incidents").text


def test_the_history_shows_what_an_edit_changed_in_a_victim_its_consent_included(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """The victims' summary ("Girl (16), Woman") reads the same before and after an edit of a
    displacement or a consent: the history says what changed beside it."""
    browser = pages_for(ADVISER)
    incident_id = _log(browser, **{"victims-1-consent_referral": "no"})
    edit_page = f"/incidents/{incident_id}/edit"
    form = _edit_form(
        browser.get(edit_page).text,
        **{"victims-1-displacement_status": "resident", "victims-1-consent_referral": "yes"},
    )
    assert submit(browser, edit_page, edit_page, form).status_code == 303
    page = browser.get(f"/incidents/{incident_id}").text
    rows = re.findall(
        r'<tr class="victim-change"><th scope="row">(.*?)</th><td[^>]*>(.*?)</td>', page
    )
    assert [(who, unescape(what)) for who, what in rows] == [
        (
            "Victim 2",
            "Displacement: Unknown → Resident; "
            "Consent: Referral to other services: Refused → Given",
        )
    ]
    french = pages_for(ADVISER, language="fr").get(f"/incidents/{incident_id}").text
    assert "Déplacement : Inconnu → Résident" in unescape(french)


def test_an_empty_list_says_nothing_is_recorded_yet_unless_filters_hide_the_incidents(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    empty = browser.get("/incidents").text
    assert "Your organisation has recorded no incident yet." in empty
    assert '<a href="/incidents/new">Log the first one</a>' in empty
    assert "No incident matches these filters." not in empty
    create_incident(client, admin1="Mopti")
    filtered = browser.get("/incidents?admin1=Gao").text
    assert "No incident matches these filters." in filtered
    assert "recorded no incident yet" not in filtered


def test_each_victims_three_consents_are_shown_in_the_forms_order_not_asked_included(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(ADVISER)
    incident_id = _log(
        browser, **{"victims-0-consent_referral": "no", "victims-0-consent_justice": "yes"}
    )
    page = browser.get(f"/incidents/{incident_id}").text
    rows = re.findall(r'<td class="consent">(.*?)</td>', page)
    assert [unescape(row).split("<br>") for row in rows] == [
        [
            "Counted in shared statistics: Given",
            "Referral to other services: Refused",
            "Case passed to justice actors: Given",
        ],
        [
            "Counted in shared statistics: Not asked",
            "Referral to other services: Not asked",
            "Case passed to justice actors: Not asked",
        ],
    ]


def test_the_narrative_is_named_as_the_incidents_account_not_a_bare_account(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """A bare "Account" sat beside the navigation's "Your account" (the user's login)."""
    form = pages_for(ADVISER).get("/incidents/new").text
    assert '<label for="f-summary">Account of the incident (stored encrypted' in unescape(form)
    french = pages_for(ADVISER, language="fr").get("/incidents/new").text
    assert '<label for="f-summary">Récit de l\'incident (chiffré' in unescape(french)


def test_a_region_typed_without_its_case_or_accents_finds_its_incidents(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    menaka = create_incident(client, admin1="Ménaka")
    gao = create_incident(client, admin1="Gao")
    browser = pages_for(ADVISER)
    for typed, found, other in [("menaka", menaka, gao), ("GAO", gao, menaka)]:
        page = browser.get(f"/incidents?admin1={typed}").text
        assert found["reference"] in page and other["reference"] not in page, typed
        # The field and the export carry the region as recorded.
        assert f'name="admin1" type="text" value="{found["admin1"]}"' in page
        assert f'<input type="hidden" name="admin1" value="{found["admin1"]}">' in page
    assert "No incident matches these filters." in browser.get("/incidents?admin1=Kidal").text


def _browser_fields(page: str) -> list[tuple[str, str]]:
    """Every field a browser sends with the edit form: each input and select by its name (empty
    ones too), the checked boxes, and the form's hidden fields."""
    filled = _edit_form(page)
    sent: list[tuple[str, str]] = []
    for name in dict.fromkeys(
        re.findall(r'<(?:input|select|textarea) id="f-[^"]+" name="([^"]+)"', page)
    ):
        value = filled.get(name, "")
        sent.append((name, value if isinstance(value, str) else ""))
    sent += [("violations", value) for value in filled["violations"]]
    hidden = re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return sent + [(name, value) for name, value in hidden if name != "csrf_token"]


def test_an_incident_of_500_victims_and_500_perpetrators_is_saved_from_its_edit_form(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    """A form of over 1,000 fields (some 70 victims) was refused whole, 400 and nothing saved:
    an incident of mass rape could be neither logged nor edited on the web."""
    victims = [{"sex": "female", "age": 14 + n % 40} for n in range(500)]
    perpetrators = [{"category": "unidentified_armed_element"}] * 500
    incident = create_incident(client, victims=victims, perpetrators=perpetrators)
    browser = pages_for(ADVISER)
    edit_page = f"/incidents/{incident['id']}/edit"
    page = browser.get(edit_page).text
    fields = [(n, "Douentza" if n == "admin2" else v) for n, v in _browser_fields(page)]
    assert len(fields) > 5_000, len(fields)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    body = urlencode([*fields, ("csrf_token", token.group(1))])
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = browser.post(edit_page, content=body, headers=headers)
    assert response.status_code == 303, response.text[:500]
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert stored["admin2"] == "Douentza" and stored["version"] == incident["version"] + 1
    assert len(stored["victims"]) == 500 and len(stored["perpetrators"]) == 500

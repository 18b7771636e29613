"""Judicial trackers' court and case forms: through the same rules as the API, with every
problem beside its field, incidents named by reference within the tracker's organisation."""

import re
from collections.abc import Callable
from html import unescape
from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import (
    API,
    NGO,
    create_court,
    create_incident,
    create_incident_for_justice,
)
from tests.web.pages import field_errors, submit

TRACKER = Role.JUDICIAL_TRACKER
REASON = "Prosecutor's requisition of 12 March 2015 (ex officio proceedings)"


def _case_form(court: dict[str, Any], references: list[str], **fields: str) -> dict[str, str]:
    return {
        "court_id": court["id"],
        "docket_reference": "RG 2014/0112",
        "incident_ids": "\n".join(references),
        "stage": "judicial_investigation",
        "opened_on": "2014-03-05",
        "stage_since": "2015-02-10",
        "charges": "rape as a crime against humanity\ntorture",
        "accused_count": "3",
        **fields,
    }


def _open(browser: TestClient, form: dict[str, str]) -> Any:
    return submit(browser, "/judicial/cases/new", "/judicial/cases/new", form)


def test_a_tracker_adds_a_court_and_a_duplicate_is_named_beside_its_field(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    browser = pages_for(TRACKER)
    court = {"name": "Tribunal de Mopti", "jurisdiction": "national", "country": "ml"}

    added = submit(browser, "/judicial/courts", "/judicial/courts", court)
    again = submit(browser, "/judicial/courts", "/judicial/courts", court)
    empty = submit(browser, "/judicial/courts", "/judicial/courts", {"jurisdiction": "national"})

    assert added.status_code == 303
    listed = client.get(f"{API}/courts").json()
    assert [(c["name"], c["country"]) for c in listed] == [("Tribunal de Mopti", "ML")]
    assert again.status_code == 409
    assert field_errors(again.text) == {"name": "already registered"}
    assert empty.status_code == 422
    assert field_errors(empty.text) == {"name": "This field is required."}
    # Correcting or deleting is the registry's administrators' alone.
    court_id = listed[0]["id"]
    assert "Correct or delete" not in browser.get("/judicial/courts").text
    assert browser.get(f"/judicial/courts/{court_id}/edit").status_code == 403


def test_the_system_role_corrects_and_deletes_a_court(
    client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    court = create_court(client_for(TRACKER), "Tribunal de Mopit")
    browser = pages_for(Role.SYSTEM_ADMIN)
    assert browser.get("/").headers["location"] == "/judicial/courts"
    edit = f"/judicial/courts/{court['id']}/edit"

    renamed = submit(browser, edit, edit, {"name": "Tribunal de Mopti", "jurisdiction": "national"})
    deleted = submit(browser, edit, f"/judicial/courts/{court['id']}/delete", {})

    assert renamed.status_code == 303
    assert deleted.status_code == 303
    assert client.get(f"{API}/courts").json() == []


def test_a_tracker_opens_a_case_naming_incidents_by_reference(
    client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    tracker_api = client_for(TRACKER)
    court = create_court(tracker_api, "Tribunal de grande instance de la Commune III")
    first = create_incident_for_justice(client, occurred_on="2013-06-14", date_precision="month")
    second = create_incident_for_justice(client, occurred_on="2013-09-02", reported_on="2013-09-04")
    browser = pages_for(TRACKER)

    response = _open(browser, _case_form(court, [first["reference"].lower(), second["reference"]]))

    assert response.status_code == 303, field_errors(response.text)
    (case,) = tracker_api.get(f"{API}/judicial-cases").json()
    assert set(case["incident_ids"]) == {first["id"], second["id"]}
    assert case["charges"] == ["rape as a crime against humanity", "torture"]
    assert case["stage"] == "judicial_investigation" and case["accused_count"] == 3
    page = unescape(browser.get(response.headers["location"]).text)
    incidents = re.search(r'id="case-incidents">(.*?)</ul>', page, re.S)
    assert incidents
    listed = " ".join(re.sub(r"<[^>]+>", " ", incidents.group(1)).split())
    assert f"{first['reference']} · June 2013" in listed
    assert f"{second['reference']} · 2013-09-02" in listed


def test_every_problem_is_shown_beside_its_field_and_nothing_is_stored(
    client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    tracker_api = client_for(TRACKER)
    court = create_court(tracker_api, "Tribunal de Gao")
    incident = create_incident_for_justice(
        client, occurred_on="2015-08-01", reported_on="2015-08-03"
    )
    browser = pages_for(TRACKER)

    response = _open(
        browser,
        _case_form(
            court,
            [incident["reference"], "ML-2015-000404"],
            opened_on="2015-07-31",
            stage_since="2015-07-01",
            accused_count="many",
        ),
    )

    assert response.status_code == 422
    errors = field_errors(response.text)
    assert errors["accused_count"] == "Enter a whole number."
    assert errors["stage_since"] == "is before the date of the complaint"
    assert "ML-2015-000404: no incident of your organisation has this reference" in response.text
    assert tracker_api.get(f"{API}/judicial-cases").json() == []
    malformed = _open(browser, _case_form(court, [incident["reference"], "not-a-reference"]))
    assert "not-a-reference: is neither an incident" in unescape(malformed.text)
    # Once the references are right, the complaint's date is checked against the incident's.
    early = _open(browser, _case_form(court, [incident["reference"]], opened_on="2015-07-31"))
    assert early.status_code == 422
    assert field_errors(early.text)["opened_on"] == (
        f"is before the incident it concerns ({incident['reference']}, 2015-08-01)"
    )


def test_a_tracker_of_b_cannot_link_an_incident_of_a_by_reference(
    client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    incident_of_a = create_incident_for_justice(client)
    tracker_b = client_for(TRACKER, organisation=NGO)
    court = create_court(tracker_b, "Tribunal de Tombouctou")
    browser_b = pages_for(TRACKER, organisation=NGO)

    response = _open(browser_b, _case_form(court, [incident_of_a["reference"]]))

    assert response.status_code == 422
    message = f"{incident_of_a['reference']}: no incident of your organisation has this reference"
    assert message in unescape(response.text)
    assert tracker_b.get(f"{API}/judicial-cases").json() == []


def test_a_consent_refusal_is_shown_beside_the_incidents_with_the_override_field(
    client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    tracker_api = client_for(TRACKER)
    court = create_court(tracker_api, "Tribunal de Kidal")
    refused = create_incident(
        client,
        occurred_on="2013-06-14",
        reported_on="2013-06-20",
        victims=[{"sex": "female", "age": 17, "consent": {"justice": False}}],
    )
    browser = pages_for(TRACKER)
    form = _case_form(court, [refused["reference"]])
    assert 'name="consent_override_reason"' not in browser.get("/judicial/cases/new").text

    response = _open(browser, form)

    assert response.status_code == 409
    page = unescape(response.text)
    assert f"{refused['reference']}: victim 1 refused consent to justice" in page
    assert refused["victims"][0]["id"] not in page  # an identifier the tracker cannot use
    assert 'name="consent_override_reason"' in page
    assert tracker_api.get(f"{API}/judicial-cases").json() == []

    overridden = _open(browser, {**form, "consent_override_reason": REASON})

    assert overridden.status_code == 303
    (case,) = tracker_api.get(f"{API}/judicial-cases").json()
    assert case["consent_overrides"][0]["consent_override_reason"] == REASON
    assert REASON in unescape(browser.get(overridden.headers["location"]).text)


def test_a_tracker_changes_a_case_against_the_version_opened(
    client: TestClient, client_for, pages_for: Callable[..., TestClient]
) -> None:
    tracker_api = client_for(TRACKER)
    court = create_court(tracker_api, "Tribunal de Ségou")
    first = create_incident_for_justice(client)
    later = create_incident_for_justice(client, occurred_on="2016-02-02", reported_on="2016-02-03")
    browser = pages_for(TRACKER)
    _open(browser, _case_form(court, [first["reference"]]))
    (case,) = tracker_api.get(f"{API}/judicial-cases").json()
    edit = f"/judicial/cases/{case['id']}/edit"
    assert first["reference"] in browser.get(edit).text

    too_late = submit(
        browser,
        edit,
        edit,
        {
            "version": "1",
            "incident_ids": f"{first['reference']}\n{later['reference']}",
            "accused_count": "3",
        },
    )
    saved = submit(
        browser,
        edit,
        edit,
        {
            "version": "1",
            "incident_ids": first["reference"],
            "docket_reference": "RG 2014/0113",
            "charges": "rape",
            "accused_count": "4",
        },
    )
    stale = submit(browser, edit, edit, {"version": "1", "incident_ids": first["reference"]})

    assert too_late.status_code == 422
    assert f"{later['reference']}: occurred after the complaint (2014-03-05)" in too_late.text
    assert saved.status_code == 303
    now = tracker_api.get(f"{API}/judicial-cases/{case['id']}").json()
    assert (now["docket_reference"], now["charges"], now["accused_count"]) == (
        "RG 2014/0113",
        ["rape"],
        4,
    )
    assert stale.status_code == 409
    assert tracker_api.get(f"{API}/judicial-cases/{case['id']}").json()["version"] == 2

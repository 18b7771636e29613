"""A case names its incidents by id or by the reference people read off a page, within the
caller's organisation only; and a complaint cannot precede the incident it concerns."""

from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_court, create_incident_for_justice


def _body(court: dict[str, Any], keys: list[str], **extra: Any) -> dict[str, Any]:
    return {"court_id": court["id"], "incident_ids": keys, "opened_on": "2014-03-05", **extra}


def _problems(response: Any) -> dict[str, str]:
    return {problem["field"]: problem["message"] for problem in response.json()["errors"]}


def test_a_case_names_its_incidents_by_reference_or_id(client: TestClient, client_for) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER)
    court = create_court(tracker, "Tribunal de Mopti")
    first, second = create_incident_for_justice(client), create_incident_for_justice(client)

    # Lower case and spaces as typed are accepted: references are printed upper case.
    typed = f"  {first['reference'].lower()} "
    response = tracker.post(f"{API}/judicial-cases", json=_body(court, [typed, second["id"]]))

    assert response.status_code == 201, response.text
    assert set(response.json()["incident_ids"]) == {first["id"], second["id"]}


def test_an_unknown_or_malformed_reference_is_refused_naming_its_place(
    client: TestClient, client_for
) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER)
    court = create_court(tracker, "Tribunal de Gao")
    incident = create_incident_for_justice(client)

    unknown = tracker.post(
        f"{API}/judicial-cases", json=_body(court, [incident["reference"], "ML-2013-000999"])
    )
    malformed = tracker.post(f"{API}/judicial-cases", json=_body(court, ["case one"]))

    assert unknown.status_code == 422
    assert _problems(unknown) == {
        "incident_ids[1]": "no incident of your organisation has this reference"
    }
    assert malformed.status_code == 422
    assert "incident_ids[0]" in _problems(malformed)
    assert tracker.get(f"{API}/judicial-cases").json() == []


def test_another_organisations_reference_reads_as_one_that_does_not_exist(
    client: TestClient, client_for
) -> None:
    theirs = create_incident_for_justice(client_for(Role.PROTECTION_ADVISER, organisation=NGO))
    tracker = client_for(Role.JUDICIAL_TRACKER)
    court = create_court(tracker, "Tribunal de Tombouctou")

    by_reference = tracker.post(f"{API}/judicial-cases", json=_body(court, [theirs["reference"]]))
    by_id = tracker.post(f"{API}/judicial-cases", json=_body(court, [theirs["id"]]))
    nonexistent = tracker.post(f"{API}/judicial-cases", json=_body(court, ["ML-2013-NGO-000777"]))

    assert by_reference.status_code == by_id.status_code == nonexistent.status_code == 422
    assert _problems(by_reference) == _problems(nonexistent)
    assert tracker.get(f"{API}/judicial-cases").json() == []


def test_a_complaint_dated_before_the_incident_is_refused(client: TestClient, client_for) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER)
    court = create_court(tracker, "Tribunal de Kidal")
    incident = create_incident_for_justice(
        client, occurred_on="2015-08-01", reported_on="2015-08-03"
    )

    response = tracker.post(
        f"{API}/judicial-cases", json=_body(court, [incident["reference"]], opened_on="2015-07-31")
    )

    assert response.status_code == 422
    assert _problems(response) == {
        "opened_on": f"is before the incident it concerns ({incident['reference']}, 2015-08-01)"
    }
    same_day = _body(court, [incident["reference"]], opened_on="2015-08-01")
    assert tracker.post(f"{API}/judicial-cases", json=same_day).status_code == 201


def test_an_incident_added_after_the_complaint_is_refused(client: TestClient, client_for) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER)
    court = create_court(tracker, "Tribunal de Ségou")
    early = create_incident_for_justice(client)
    later = create_incident_for_justice(client, occurred_on="2016-02-02", reported_on="2016-02-03")
    case = tracker.post(f"{API}/judicial-cases", json=_body(court, [early["id"]])).json()

    change = {"incident_ids": [early["id"], later["reference"]], "version": case["version"]}
    response = tracker.patch(f"{API}/judicial-cases/{case['id']}", json=change)

    assert response.status_code == 422
    assert _problems(response) == {"incident_ids[1]": "occurred after the complaint (2014-03-05)"}
    assert tracker.get(f"{API}/judicial-cases/{case['id']}").json()["incident_ids"] == [early["id"]]

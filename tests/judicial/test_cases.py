"""Judicial cases: opened against a court and incidents, moved only along the stage table."""

from itertools import pairwise

from fastapi.testclient import TestClient

from app.judicial.stages import NEXT_STAGES
from app.models.enums import JudicialStage, Role
from tests.factories import (
    API,
    NGO,
    case_event,
    create_case,
    create_court,
    create_incident,
    create_incident_for_justice,
)

PATH = [
    "complaint_filed",
    "judicial_investigation",
    "committed_for_trial",
    "trial",
    "verdict",
    "appeal",
    "convicted",
]


def _setup(client: TestClient, client_for) -> tuple[TestClient, dict, dict]:
    tracker = client_for(Role.JUDICIAL_TRACKER)
    court = create_court(tracker, "Tribunal de la Commune III", country="ML", place="Bamako")
    incident = create_incident_for_justice(client, summary="identifying account")
    return tracker, court, incident


def test_a_case_walks_from_complaint_to_conviction(client: TestClient, client_for) -> None:
    tracker, court, incident = _setup(client, client_for)
    case = create_case(tracker, court, [incident], charges=["rape"], accused_count=2)
    assert case["stage"] == "complaint_filed" and case["last_act_on"] == "2014-03-05"
    for year, (_, stage) in enumerate(pairwise(PATH), start=2015):
        response = case_event(tracker, case, "stage_change", f"{year}-06-01", stage=stage)
        assert response.status_code == 200, response.text
    act = case_event(tracker, case, "act", "2022-01-10", note="sentence served")
    final = act.json()
    assert final["stage"] == "convicted" and final["stage_since"] == "2020-06-01"
    assert final["last_act_on"] == "2022-01-10"
    assert [e["to_stage"] for e in final["events"] if e["kind"] == "stage_change"] == PATH


def test_every_move_follows_the_table(client: TestClient, client_for) -> None:
    tracker, court, incident = _setup(client, client_for)
    for current in JudicialStage:
        case = create_case(tracker, court, [incident], stage=current.value, opened_on="2015-01-01")
        for target in JudicialStage:
            if target == current:
                continue
            response = case_event(tracker, case, "stage_change", "2016-01-01", stage=target.value)
            allowed = target in NEXT_STAGES[current]
            assert response.status_code == (200 if allowed else 409), (current, target)
            if allowed:  # put it back for the next target, with an explicit correction
                back = case_event(
                    tracker, case, "correction", "2016-01-01", stage=current.value, note="test"
                )
                assert back.status_code == 200


def test_invalid_moves_and_dates_are_refused_and_change_nothing(
    client: TestClient, client_for
) -> None:
    tracker, court, incident = _setup(client, client_for)
    case = create_case(
        tracker, court, [incident], stage="judicial_investigation", stage_since="2016-02-01"
    )
    path = f"{API}/judicial-cases/{case['id']}"
    verdict = case_event(tracker, case, "stage_change", "2018-01-01", stage="verdict")
    assert verdict.status_code == 409
    assert "allowed: committed_for_trial, dismissed, withdrawn" in verdict.json()["detail"]
    before = case_event(tracker, case, "act", "2013-12-31", note="hearing")
    assert before.status_code == 422 and "before the complaint" in before.text
    earlier = case_event(tracker, case, "stage_change", "2015-06-01", stage="committed_for_trial")
    assert earlier.status_code == 422 and "before the current stage began" in earlier.text
    future = case_event(tracker, case, "act", "2999-01-01", note="hearing")
    assert future.status_code == 422
    back = case_event(tracker, case, "stage_change", "2018-01-01", stage="complaint_filed")
    assert back.status_code == 409
    unexplained = case_event(tracker, case, "correction", "2018-01-01", stage="complaint_filed")
    assert unexplained.status_code == 422 and "why" in unexplained.text
    assert tracker.get(path).json() == case


def test_a_correction_goes_back_and_is_audited(client: TestClient, client_for) -> None:
    tracker, court, incident = _setup(client, client_for)
    case = create_case(tracker, court, [incident], stage="trial", stage_since="2019-01-01")
    response = case_event(
        tracker,
        case,
        "correction",
        "2019-01-01",
        stage="committed_for_trial",
        note="trial date was postponed; entered too early",
    )
    assert response.status_code == 200
    assert response.json()["stage"] == "committed_for_trial"
    events = (
        client_for(Role.ADMIN)
        .get(f"{API}/audit", params={"record_id": case["id"], "action": "judicial_case.correction"})
        .json()["items"]
    )
    assert len(events) == 1


def test_case_creation_checks_its_court_incidents_and_dates(client: TestClient, client_for) -> None:
    tracker, _court, incident = _setup(client, client_for)
    other_org_incident = create_incident(client_for(Role.PROTECTION_ADVISER, organisation=NGO))
    response = tracker.post(
        f"{API}/judicial-cases",
        json={
            "court_id": incident["id"],
            "incident_ids": [incident["id"], other_org_incident["id"]],
            "opened_on": "2016-01-01",
            "stage_since": "2015-01-01",
        },
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "court_id",
        "incident_ids[1]",
        "stage_since",
    }
    assert tracker.get(f"{API}/judicial-cases").json() == []


def test_trackers_see_linked_incidents_without_survivor_identity(
    client: TestClient, client_for
) -> None:
    tracker, court, incident = _setup(client, client_for)
    unlinked = create_incident(client)
    assert tracker.get(f"{API}/incidents/{incident['id']}").status_code == 404
    create_case(tracker, court, [incident])
    seen = tracker.get(f"{API}/incidents/{incident['id']}")
    assert seen.status_code == 200 and seen.json()["summary"] is None
    assert "identifying account" not in seen.text
    assert tracker.get(f"{API}/incidents/{unlinked['id']}").status_code == 404
    listed = [item["id"] for item in tracker.get(f"{API}/incidents").json()["items"]]
    assert listed == [incident["id"]]
    victim = incident["victims"][0]["id"]
    identity = tracker.get(f"{API}/incidents/{incident['id']}/victims/{victim}/identity")
    assert identity.status_code == 403


def test_case_details_change_with_their_version(client: TestClient, client_for) -> None:
    tracker, court, incident = _setup(client, client_for)
    second = create_incident_for_justice(client)
    case = create_case(tracker, court, [incident])
    path = f"{API}/judicial-cases/{case['id']}"
    updated = tracker.patch(
        path, json={"version": case["version"], "accused_count": 4, "incident_ids": [second["id"]]}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["incident_ids"] == [second["id"]]
    stale = tracker.patch(path, json={"version": case["version"], "accused_count": 9})
    assert stale.status_code == 409
    assert tracker.get(path).json()["accused_count"] == 4


def test_courts_can_be_corrected_and_unused_ones_deleted(client: TestClient, client_for) -> None:
    tracker, court, incident = _setup(client, client_for)
    system = client_for(Role.SYSTEM_ADMIN, organisation="Registry operators")
    spare = create_court(tracker, "Tribunal de Commune III (doublon)")
    renamed = system.patch(f"{API}/courts/{court['id']}", json={"place": "Bamako, Commune III"})
    assert renamed.status_code == 200 and renamed.json()["place"] == "Bamako, Commune III"
    taken = system.patch(f"{API}/courts/{spare['id']}", json={"name": court["name"]})
    assert taken.status_code == 409
    create_case(tracker, court, [incident])
    assert system.delete(f"{API}/courts/{court['id']}").status_code == 409
    assert system.delete(f"{API}/courts/{spare['id']}").status_code == 204
    assert [c["name"] for c in tracker.get(f"{API}/courts").json()] == [court["name"]]


def test_the_shared_court_registry_is_changed_by_the_system_role_only(
    client: TestClient, client_for
) -> None:
    """Reproduction: the NGO renamed the mission's court and learnt from DELETE that some
    organisation had cases there."""
    tracker, court, incident = _setup(client, client_for)
    create_case(tracker, court, [incident])
    unused = create_court(tracker, "Tribunal de Kidal")
    path = f"{API}/courts/{court['id']}"
    for role in (Role.JUDICIAL_TRACKER, Role.ADMIN):
        outsider = client_for(role, organisation=NGO)
        assert outsider.get(path).json()["name"] == court["name"]  # everyone reads the registry
        assert outsider.patch(path, json={"name": "Renamed"}).status_code == 403
        # The same answer for a court with cases, one without, and one that does not exist.
        for target in (court["id"], unused["id"], "00000000-0000-0000-0000-000000000000"):
            response = outsider.delete(f"{API}/courts/{target}")
            assert response.status_code == 403, target
    # The court's own organisation may not change it either: other organisations use it.
    assert tracker.patch(path, json={"name": "Renamed"}).status_code == 403
    assert tracker.get(path).json()["name"] == court["name"]
    assert len(tracker.get(f"{API}/courts").json()) == 2


def test_a_case_can_be_deleted_only_while_nothing_is_recorded_on_it(
    client: TestClient, client_for
) -> None:
    tracker, court, incident = _setup(client, client_for)
    mistaken = create_case(tracker, court, [incident])
    kept = create_case(tracker, court, [incident])
    assert case_event(tracker, kept, "act", "2016-01-01", note="hearing").status_code == 200
    assert tracker.delete(f"{API}/judicial-cases/{kept['id']}").status_code == 409
    assert tracker.delete(f"{API}/judicial-cases/{mistaken['id']}").status_code == 204
    assert [c["id"] for c in tracker.get(f"{API}/judicial-cases").json()] == [kept["id"]]


def test_an_act_without_a_description_is_refused_naming_the_field(
    client: TestClient, client_for
) -> None:
    tracker, court, incident = _setup(client, client_for)
    case = create_case(tracker, court, [incident], last_act_on="2014-03-05")
    for note in ({}, {"note": ""}, {"note": "   "}):
        refused = case_event(tracker, case, "act", "2016-01-01", **note)
        assert refused.status_code == 422
        assert [error["field"] for error in refused.json()["errors"]] == ["note"]
    stored = tracker.get(f"{API}/judicial-cases/{case['id']}").json()
    assert stored["last_act_on"] == "2014-03-05"

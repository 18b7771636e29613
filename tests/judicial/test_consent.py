"""A judicial case concerns an incident only with its victims' consent to justice, or an
override whose reason is recorded and audited."""

from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import (
    API,
    BEFORE_THE_COMPLAINT,
    NGO,
    create_case,
    create_court,
    create_incident,
)

CONSENTING = {"sex": "female", "age": 30, "consent": {"justice": True}}
REFUSING = {"sex": "female", "age": 17, "consent": {"justice": False, "statistics": True}}
NEVER_ASKED = {"sex": "male", "age": 40}
REASON = "Prosecutor's requisition of 12 March 2015 (ex officio proceedings)"


def _case_body(court: dict[str, Any], incidents: list[dict[str, Any]], **extra: Any) -> Any:
    return {
        "court_id": court["id"],
        "incident_ids": [incident["id"] for incident in incidents],
        "opened_on": "2015-03-12",
        **extra,
    }


def _setup(client: TestClient, client_for) -> tuple[TestClient, dict[str, Any]]:
    tracker = client_for(Role.JUDICIAL_TRACKER)
    return tracker, create_court(tracker, "Tribunal de grande instance de Mopti")


def test_a_case_is_refused_for_victims_who_refused_or_were_never_asked(
    client: TestClient, client_for
) -> None:
    """Reproduction: `justice` consent was never checked."""
    tracker, court = _setup(client, client_for)
    agreed = create_incident(client, **BEFORE_THE_COMPLAINT, victims=[CONSENTING])
    mixed = create_incident(
        client, **BEFORE_THE_COMPLAINT, victims=[CONSENTING, REFUSING, NEVER_ASKED]
    )

    response = tracker.post(f"{API}/judicial-cases", json=_case_body(court, [agreed, mixed]))

    assert response.status_code == 409
    assert "consent" in response.json()["detail"]
    refused_id, never_asked_id = mixed["victims"][1]["id"], mixed["victims"][2]["id"]
    assert [(e["field"], e["type"], e["message"]) for e in response.json()["errors"]] == [
        ("incident_ids[1]", "consent", f"victim 2 ({refused_id}) refused consent to justice"),
        (
            "incident_ids[1]",
            "consent",
            f"victim 3 ({never_asked_id}) was never asked for consent to justice",
        ),
    ]
    assert tracker.get(f"{API}/judicial-cases").json() == []
    assert create_case(tracker, court, [agreed])["consent_overrides"] == []


def test_an_override_with_a_reason_is_kept_on_the_link_and_audited(
    client: TestClient, client_for
) -> None:
    tracker, court = _setup(client, client_for)
    refused = create_incident(client, **BEFORE_THE_COMPLAINT, victims=[REFUSING])
    blank = tracker.post(
        f"{API}/judicial-cases", json=_case_body(court, [refused], consent_override_reason="  ")
    )
    assert blank.status_code == 422
    assert {e["field"] for e in blank.json()["errors"]} == {"consent_override_reason"}

    case = create_case(tracker, court, [refused], consent_override_reason=REASON)

    me = tracker.get(f"{API}/auth/me").json()
    [override] = case["consent_overrides"]
    assert override["incident_id"] == refused["id"]
    assert override["consent_override_reason"] == REASON
    assert override["consent_override_by_id"] == me["user_id"]
    audit = client_for(Role.ADMIN).get(
        f"{API}/audit", params={"record_id": case["id"], "action": "judicial_case.consent_override"}
    )
    [event] = audit.json()["items"]
    assert event["actor_user_id"] == me["user_id"]
    assert event["details"] == {
        "incident_ids": [refused["id"]],
        "victim_ids": [refused["victims"][0]["id"]],
    }
    assert REASON not in audit.text  # the reason stays with the case, not in the trail
    # The override and whose consent it concerns are the owning organisation's business.
    outsider = client_for(Role.ADMIN, organisation=NGO)
    assert outsider.get(f"{API}/audit", params={"record_id": case["id"]}).json()["items"] == []


def test_incidents_added_to_a_case_are_checked_too(client: TestClient, client_for) -> None:
    tracker, court = _setup(client, client_for)
    first = create_incident(client, **BEFORE_THE_COMPLAINT, victims=[CONSENTING])
    case = create_case(tracker, court, [first])
    never_asked = create_incident(client, **BEFORE_THE_COMPLAINT, victims=[NEVER_ASKED])
    path = f"{API}/judicial-cases/{case['id']}"
    body = {"version": case["version"], "incident_ids": [first["id"], never_asked["id"]]}

    refused = tracker.patch(path, json=body)
    assert refused.status_code == 409
    assert [e["field"] for e in refused.json()["errors"]] == ["incident_ids[1]"]
    assert tracker.get(path).json()["incident_ids"] == [first["id"]]

    overridden = tracker.patch(path, json={**body, "consent_override_reason": REASON})
    assert overridden.status_code == 200, overridden.text
    assert [o["incident_id"] for o in overridden.json()["consent_overrides"]] == [never_asked["id"]]


def test_an_incident_without_recorded_victims_needs_no_consent(
    client: TestClient, client_for
) -> None:
    tracker, court = _setup(client, client_for)
    no_victims = create_incident(client, **BEFORE_THE_COMPLAINT, victims=[])
    assert create_case(tracker, court, [no_victims])["consent_overrides"] == []


def test_another_organisations_incident_is_refused_before_consent_is_looked_at(
    client: TestClient, client_for
) -> None:
    """The 409 names victims: it must never answer for an incident the caller may not see."""
    tracker, court = _setup(client, client_for)
    theirs = create_incident(
        client_for(Role.PROTECTION_ADVISER, organisation=NGO), victims=[REFUSING]
    )
    nobody = {"id": "00000000-0000-0000-0000-000000000000"}
    for incidents in ([theirs], [nobody]):
        response = tracker.post(
            f"{API}/judicial-cases",
            json=_case_body(court, incidents, consent_override_reason=REASON),
        )
        assert response.status_code == 422
        assert theirs["victims"][0]["id"] not in response.text
        assert [e["field"] for e in response.json()["errors"]] == ["incident_ids[0]"]

"""Verification moves only along the transition table, with its grounds, by those allowed."""

import pytest
from fastapi.testclient import TestClient

from app.incidents.verification import TRANSITIONS, Move
from app.models.enums import Role, VerificationStatus
from tests.factories import API, create_incident, field_names, verify

ALLOWED = sorted((frm.value, to.value) for frm, to in TRANSITIONS)
REFUSED = sorted(
    (frm.value, to.value)
    for frm in VerificationStatus
    for to in VerificationStatus
    if (frm, to) not in TRANSITIONS
)


def _grounds(frm: str, to: str) -> dict[str, object]:
    move = TRANSITIONS[(VerificationStatus(frm), VerificationStatus(to))]
    return {"reopen": True, "note": "new information"} if move is Move.REOPEN else {}


@pytest.mark.parametrize(("frm", "to"), ALLOWED)
def test_every_allowed_transition_is_recorded_with_its_grounds(
    client: TestClient, frm: str, to: str
) -> None:
    incident = create_incident(client, verification_status=frm)
    response = verify(client, incident, to, **_grounds(frm, to))
    assert response.status_code == 200, response.text
    assert response.json()["verification_status"] == to
    assert response.json()["version"] == incident["version"] + 1
    decisions = client.get(f"{API}/incidents/{incident['id']}/verification").json()
    assert (decisions[-1]["from_status"], decisions[-1]["to_status"]) == (frm, to)


@pytest.mark.parametrize(("frm", "to"), REFUSED)
def test_every_other_transition_is_refused_and_changes_nothing(
    client: TestClient, frm: str, to: str
) -> None:
    incident = create_incident(client, verification_status=frm)
    response = verify(client, incident, to, reopen=True, note="trying")
    assert response.status_code == 409, response.text
    assert f"from {frm} to {to}" in response.json()["detail"]
    after = client.get(f"{API}/incidents/{incident['id']}").json()
    assert (after["verification_status"], after["version"]) == (frm, incident["version"])


def test_conclusions_need_a_standard_and_sources(client: TestClient) -> None:
    incident = create_incident(client, verification_status="pending_verification")
    response = verify(client, incident, "verified", standard=None, sources=[])
    assert response.status_code == 422
    assert field_names(response) == {"standard", "sources"}


def test_discarding_needs_a_reason_and_reopening_must_be_explicit(client: TestClient) -> None:
    incident = create_incident(client)
    assert field_names(verify(client, incident, "discarded", note=None)) == {"note"}
    concluded = create_incident(client, verification_status="verified")
    refused = verify(client, concluded, "pending_verification", note="new witness")
    assert refused.status_code == 422 and field_names(refused) == {"reopen"}
    reopened = verify(client, concluded, "pending_verification", note="new witness", reopen=True)
    assert reopened.status_code == 200


def test_only_roles_allowed_to_verify_may(client: TestClient, client_for) -> None:
    incident = create_incident(client)
    for role in (Role.REPORT_WRITER, Role.JUDICIAL_TRACKER, Role.ADMIN):
        assert verify(client_for(role), incident, "pending_verification").status_code == 403
    assert client.get(f"{API}/incidents/{incident['id']}").json()["verification_status"] == (
        "reported"
    )


def test_patch_cannot_change_the_verification_status(client: TestClient) -> None:
    incident = create_incident(client)
    response = client.patch(
        f"{API}/incidents/{incident['id']}",
        json={"version": incident["version"], "verification_status": "verified"},
    )
    assert response.status_code == 422
    assert "POST /incidents/{id}/verification" in response.json()["errors"][0]["message"]

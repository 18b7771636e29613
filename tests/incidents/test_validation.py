"""Bad input gets a clear 4xx naming the field, and nothing stored changes."""

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import (
    API,
    create_armed_party,
    create_incident,
    field_names,
    incident_payload,
    patch_incident,
)


def _all_incidents(client: TestClient) -> list[dict[str, Any]]:
    page = client.get(f"{API}/incidents", params={"include_archived": "true", "limit": 200})
    return page.json()["items"]


BAD_BODIES = [
    pytest.param({"source": "radio"}, "source", "gbvims", id="unknown enum"),
    pytest.param(
        {"violations": ["rape", "looting"]}, "violations[1]", "sexual_slavery", id="enum in list"
    ),
    pytest.param({"violations": []}, "violations", "at least 1", id="no violation"),
    pytest.param({"occurred_on": "2019-02-30"}, "occurred_on", "date", id="malformed date"),
    pytest.param({"reported_on": "14/03/2019"}, "reported_on", "date", id="date in wrong format"),
    pytest.param({"country": "Mali"}, "country", "ISO 3166-1", id="country name not code"),
    pytest.param({"pcode": "BF01"}, "pcode", "country code", id="pcode of another country"),
    pytest.param(
        {"victims": [{"sex": "female", "age": 250}]}, "victims[0].age", "120", id="age 250"
    ),
    pytest.param(
        {"victims": [{"sex": "female", "age": -1}]}, "victims[0].age", "0", id="negative age"
    ),
    pytest.param(
        {"victims": [{"sex": "female", "age": 15, "age_group": "adult"}]},
        "victims[0].age_group",
        "contradicts",
        id="age contradicts age group",
    ),
    pytest.param({"victims": [{"age": 20}]}, "victims[0].sex", "required", id="victim without sex"),
    pytest.param(
        {"victims": [{"sex": "female", "name": "A. T."}]},
        "victims[0].name",
        "not permitted",
        id="identifying field refused",
    ),
    pytest.param(
        {"perpetrators": [{}]}, "perpetrators[0].category", "required", id="empty perpetrator"
    ),
    pytest.param(
        {"perpetrators": [{"armed_party_id": str(uuid.uuid4())}]},
        "perpetrators[0].armed_party_id",
        "no armed party",
        id="unknown armed party",
    ),
    pytest.param(
        {"reported_on": "2019-03-01"}, "reported_on", "before the incident", id="reported before"
    ),
    pytest.param(
        {"occurred_on": "2999-01-01", "reported_on": "2999-01-02"},
        "occurred_on",
        "future",
        id="future date",
    ),
    pytest.param(
        {"verification": "verified"}, "verification", "not permitted", id="misspelt field"
    ),
]


@pytest.mark.parametrize(("change", "field", "message_part"), BAD_BODIES)
def test_bad_incident_is_refused_naming_the_field_and_nothing_is_stored(
    client: TestClient, change: dict[str, Any], field: str, message_part: str
) -> None:
    existing = create_incident(client)
    response = client.post(f"{API}/incidents", json=incident_payload(**change))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert field in field_names(response)
    messages = " ".join(error["message"] for error in body["errors"])
    assert message_part in messages
    assert field in body["detail"]
    assert _all_incidents(client) == [existing]
    # A refused incident does not use up a reference number.
    assert create_incident(client)["reference"] == "ML-2019-MHRAPD-000002"


def test_missing_required_fields_are_all_named(client: TestClient) -> None:
    response = client.post(f"{API}/incidents", json={"country": "ML"})
    assert response.status_code == 422
    assert field_names(response) == {"occurred_on", "reported_on", "violations", "source"}


def test_malformed_json_is_a_clear_422(client: TestClient) -> None:
    response = client.post(
        f"{API}/incidents",
        content=b'{"country": "ML",',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "json_invalid"


def test_errors_never_echo_the_submitted_value(client: TestClient) -> None:
    secret = "Aminata T., tel 70 00 00 00"
    response = client.post(
        f"{API}/incidents", json=incident_payload(victims=[{"sex": secret}], summary=1)
    )
    assert response.status_code == 422
    assert secret not in response.text


def test_unknown_incident_id_is_404_and_malformed_id_is_422(client: TestClient) -> None:
    missing = client.get(f"{API}/incidents/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Incident not found"
    assert client.patch(f"{API}/incidents/{uuid.uuid4()}", json={}).status_code == 404
    assert client.delete(f"{API}/incidents/{uuid.uuid4()}").status_code == 404
    malformed = client.get(f"{API}/incidents/ML-2019-000001")
    assert malformed.status_code == 422 and field_names(malformed) == {"incident_id"}


BAD_PATCHES = [
    pytest.param({"occurred_on": None}, "occurred_on", id="required field nulled"),
    pytest.param({"source": "rumour"}, "source", id="unknown enum"),
    pytest.param({"reported_on": "2019-01-01"}, "reported_on", id="reported before occurred"),
    pytest.param({"violations": []}, "violations", id="no violation left"),
    pytest.param(
        {"victims": [{"id": str(uuid.uuid4()), "sex": "female"}]},
        "victims[0].id",
        id="foreign victim id",
    ),
    pytest.param(
        {"victims": [{"sex": "female", "age": 8, "age_group": "41-60"}]},
        "victims[0].age_group",
        id="age contradicts group",
    ),
    pytest.param(
        {"perpetrators": [{"category": "aliens"}]}, "perpetrators[0].category", id="bad category"
    ),
    pytest.param({"reference": "ML-2019-999999"}, "reference", id="reference is not editable"),
    pytest.param(
        {"verification_status": "verified"}, "verification_status", id="verified elsewhere"
    ),
]


@pytest.mark.parametrize(("change", "field"), BAD_PATCHES)
def test_bad_patch_is_refused_and_the_incident_is_unchanged(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    created = create_incident(client, victims=[{"sex": "female", "age": 30}])
    response = patch_incident(client, created, **change)
    assert response.status_code == 422, response.text
    assert field in field_names(response)
    assert client.get(f"{API}/incidents/{created['id']}").json() == created


def test_perpetrator_category_contradicting_its_armed_party_is_refused(client: TestClient) -> None:
    party = create_armed_party(client, "Forces armées maliennes", "state_security_forces")
    response = client.post(
        f"{API}/incidents",
        json=incident_payload(
            perpetrators=[{"armed_party_id": party["id"], "category": "non_state_armed_group"}]
        ),
    )
    assert response.status_code == 422
    assert field_names(response) == {"perpetrators[0].category"}
    assert "state_security_forces" in response.json()["errors"][0]["message"]

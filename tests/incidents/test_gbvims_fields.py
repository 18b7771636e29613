"""The GBVIMS intake fields through the API: recorded, read, changed and cleared, kept in the
versions, refused by name when wrong, and the GBVIMS type checked against the forms of violence
with a warning, never a refusal."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.incidents.crosswalk import CONSISTENT_TYPES, ESTABLISHED_TYPE
from app.models.enums import Violation
from tests.factories import API, create_incident, field_names, incident_payload, patch_incident

INCIDENT_INTAKE = {
    "time_of_day": "evening_night",
    "place_type": "water_point",
    "displacement_stage": "during_refuge",
    "abduction": "forced_conscription",
    "goods_money_exchanged": "no",
    "reported_elsewhere": "gbvims_organisation",
    "previous_gbv_incidents": "yes",
    "perpetrator_count": "more_than_3",
}
VICTIM = {
    "sex": "female",
    "age": 16,
    "displacement_status": "asylum_seeker",
    "disability_kind": "physical",
    "marital_status": "married_cohabiting",
    "unaccompanied_separated": "separated",
    "country_of_origin": "bf",
}
PERPETRATOR = {
    "category": "non_state_armed_group",
    "sex": "male",
    "age_group": "26-40",
    "relationship": "no_relation",
    "occupation": " Armed group member ",
    "involvement": "primary",
}


def test_intake_fields_are_recorded_read_and_listed(client: TestClient) -> None:
    made = create_incident(client, **INCIDENT_INTAKE, victims=[VICTIM], perpetrators=[PERPETRATOR])
    read = client.get(f"{API}/incidents/{made['id']}").json()
    assert {name: read[name] for name in INCIDENT_INTAKE} == INCIDENT_INTAKE
    assert read["reporting_delay"] == "6_14_days"  # 14 to 20 March 2019: six days
    victim = read["victims"][0]
    assert victim["displacement_status"] == "asylum_seeker"
    assert victim["disability"] == "yes"  # the kind alone answers it
    assert victim["disability_kind"] == "physical"
    assert victim["marital_status"] == "married_cohabiting"
    assert victim["unaccompanied_separated"] == "separated"
    assert victim["country_of_origin"] == "BF"
    perpetrator = read["perpetrators"][0]
    assert {name: perpetrator[name] for name in PERPETRATOR} == {
        **PERPETRATOR,
        "occupation": "Armed group member",
    }
    listed = client.get(f"{API}/incidents").json()["items"][0]
    read["summary"] = None
    assert listed == read


def test_an_incident_without_them_reads_them_as_not_recorded(client: TestClient) -> None:
    made = create_incident(client, date_precision="month")
    assert all(made[name] is None for name in INCIDENT_INTAKE)
    assert made["reporting_delay"] is None  # the day is not known: never guessed
    assert made["victims"][0]["marital_status"] is None
    assert made["perpetrators"][0]["relationship"] is None


def test_intake_fields_change_and_clear_and_the_versions_keep_both(client: TestClient) -> None:
    made = create_incident(client, **INCIDENT_INTAKE, victims=[VICTIM])
    victim_id = made["victims"][0]["id"]
    response = patch_incident(
        client,
        made,
        place_type="market",
        time_of_day=None,
        reported_on="2019-05-01",
        victims=[{**VICTIM, "id": victim_id, "marital_status": "widowed"}],
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["place_type"] == "market" and changed["time_of_day"] is None
    assert changed["abduction"] == "forced_conscription"  # not sent: kept
    assert changed["reporting_delay"] == "over_1_month"  # follows the dates
    assert changed["victims"][0]["marital_status"] == "widowed"

    versions = client.get(f"{API}/incidents/{made['id']}/history").json()
    changes = versions[-1]["changes"]
    assert changes["place_type"] == {"old": "water_point", "new": "market"}
    assert changes["time_of_day"] == {"old": "evening_night", "new": None}
    assert changes["reporting_delay"] == {"old": "6_14_days", "new": "over_1_month"}
    assert changes["victims"]["old"][0]["marital_status"] == "married_cohabiting"
    assert changes["victims"]["new"][0]["marital_status"] == "widowed"
    assert versions[0]["changes"]["perpetrator_count"] == {"old": None, "new": "more_than_3"}


BAD_INTAKE = [
    pytest.param({"place_type": "mosque"}, "place_type", id="unknown place type"),
    pytest.param({"time_of_day": "noon"}, "time_of_day", id="unknown time of day"),
    pytest.param({"perpetrator_count": 4}, "perpetrator_count", id="count not in the bands"),
    pytest.param({"reporting_delay": "0_3_days"}, "reporting_delay", id="derived, not entered"),
    pytest.param(
        {"victims": [{"sex": "female", "displacement_status": "host_community"}]},
        "victims[0].displacement_status",
        id="old displacement vocabulary",
    ),
    pytest.param(
        {"victims": [{"sex": "female", "disability": "no", "disability_kind": "sensory"}]},
        "victims[0].disability_kind",
        id="kind of a disability said not to exist",
    ),
    pytest.param(
        {"victims": [{"sex": "female", "age": 30, "unaccompanied_separated": "unaccompanied"}]},
        "victims[0].unaccompanied_separated",
        id="unaccompanied adult",
    ),
    pytest.param(
        {"victims": [{"sex": "female", "country_of_origin": "Mali"}]},
        "victims[0].country_of_origin",
        id="country name not code",
    ),
    pytest.param(
        {"perpetrators": [{"category": "civilian", "occupation": "x" * 121}]},
        "perpetrators[0].occupation",
        id="occupation too long",
    ),
    pytest.param(
        {"perpetrators": [{"category": "civilian", "relationship": "husband"}]},
        "perpetrators[0].relationship",
        id="unknown relationship",
    ),
]


@pytest.mark.parametrize(("change", "field"), BAD_INTAKE)
def test_a_bad_intake_value_is_refused_naming_its_field(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    response = client.post(f"{API}/incidents", json=incident_payload(**change))
    assert response.status_code == 422, response.text
    assert field in field_names(response)
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_a_type_contradicting_the_forms_is_stored_with_a_warning(client: TestClient) -> None:
    made = create_incident(client, violations=["rape"], gbv_type="physical_assault")
    assert made["gbv_type"] == "physical_assault"
    assert [(w["code"], w["field"]) for w in made["warnings"]] == [
        ("gbv_type_not_consistent_with_forms", "gbv_type")
    ]
    assert "physical_assault" in made["warnings"][0]["message"]
    read = client.get(f"{API}/incidents/{made['id']}").json()
    assert read["warnings"] == made["warnings"]
    assert client.get(f"{API}/incidents").json()["items"][0]["warnings"] == made["warnings"]

    fixed = patch_incident(client, read, gbv_type="rape").json()
    assert fixed["warnings"] == []


def test_a_type_after_the_one_the_forms_establish_is_flagged(client: TestClient) -> None:
    made = create_incident(
        client, violations=["rape", "forced_marriage"], gbv_type="forced_marriage"
    )
    assert [w["code"] for w in made["warnings"]] == ["gbv_type_after_established_type"]
    assert made["warnings"][0]["values"] == {"gbv_type": "forced_marriage", "expected": "rape"}
    consistent = create_incident(client, violations=["sexual_slavery"], gbv_type="sexual_assault")
    assert consistent["warnings"] == []
    untyped = create_incident(client, violations=["rape"])
    assert untyped["warnings"] == []


def test_the_crosswalk_covers_every_form_and_each_established_type_is_consistent() -> None:
    assert set(CONSISTENT_TYPES) == set(Violation)
    for form, established in ESTABLISHED_TYPE.items():
        assert established in CONSISTENT_TYPES[form]

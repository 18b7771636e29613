"""Recording, reading, updating and archiving incidents through the HTTP API."""

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import (
    API,
    NGO,
    create_armed_party,
    create_incident,
    incident_payload,
    patch_incident,
)


def test_created_incident_is_returned_with_reference_and_derived_victim_categories(
    client: TestClient,
) -> None:
    created = create_incident(
        client,
        victims=[
            {"sex": "female", "age": 16, "displacement_status": "idp", "disability": "no"},
            {"sex": "female", "age_group": "adult"},
            {"sex": "male", "age": 9},
            {"sex": "unknown", "age": 30},
        ],
    )
    assert created["reference"] == "ML-2019-MHRAPD-000001"
    assert [(v["category"], v["age_group"]) for v in created["victims"]] == [
        ("girl", "12-17"),
        ("woman", "adult"),
        ("boy", "0-11"),
        ("unknown", "26-40"),
    ]
    fetched = client.get(f"{API}/incidents/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == created


def test_references_count_up_per_country_and_year(client: TestClient) -> None:
    references = [
        create_incident(client)["reference"],
        create_incident(client)["reference"],
        create_incident(client, reported_on="2020-01-05")["reference"],
        create_incident(client, country="cd", admin1="Ituri")["reference"],
    ]
    assert references == [
        "ML-2019-MHRAPD-000001",
        "ML-2019-MHRAPD-000002",
        "ML-2020-MHRAPD-000001",
        "CD-2019-MHRAPD-000001",
    ]


def test_incident_with_no_known_victim_or_perpetrator_is_accepted(client: TestClient) -> None:
    created = create_incident(client, victims=[], perpetrators=[])
    assert created["victims"] == [] and created["perpetrators"] == []


def test_month_precision_is_stored_as_the_first_day_of_the_month(client: TestClient) -> None:
    created = create_incident(
        client, occurred_on="2019-07-23", date_precision="month", reported_on="2019-08-02"
    )
    assert created["occurred_on"] == "2019-07-01"
    assert created["date_precision"] == "month"


def test_repeated_violations_are_recorded_once(client: TestClient) -> None:
    created = create_incident(client, violations=["rape", "forced_marriage", "rape"])
    assert sorted(created["violations"]) == ["forced_marriage", "rape"]


def test_perpetrator_linked_to_armed_party_takes_its_category(client: TestClient) -> None:
    party = create_armed_party(client, acronym="AE")
    created = create_incident(client, perpetrators=[{"armed_party_id": party["id"]}])
    [perpetrator] = created["perpetrators"]
    assert perpetrator["category"] == "non_state_armed_group"
    assert perpetrator["armed_party"] == {
        "id": party["id"],
        "name": "Ansar Eddine",
        "acronym": "AE",
    }


def test_patch_changes_only_the_fields_sent_and_bumps_the_version(client: TestClient) -> None:
    created = create_incident(client, summary="Reported at the health centre.")
    response = patch_incident(client, created, admin2="Djenné")
    assert response.status_code == 200
    updated = response.json()
    assert updated["admin2"] == "Djenné"
    assert response.headers["ETag"] == f'"{updated["version"]}"'
    assert updated["has_summary"] is True
    fetched = client.get(f"{API}/incidents/{created['id']}").json()
    assert fetched["summary"] == "Reported at the health centre."
    assert updated["version"] == created["version"] + 1
    assert updated["reference"] == created["reference"]


def test_patch_with_null_clears_an_optional_field(client: TestClient) -> None:
    created = create_incident(client, summary="To be removed")
    updated = patch_incident(client, created, summary=None).json()
    assert updated["has_summary"] is False
    assert client.get(f"{API}/incidents/{created['id']}").json()["summary"] is None


def test_patch_that_changes_nothing_keeps_the_version(client: TestClient) -> None:
    created = create_incident(client)
    same = patch_incident(client, created, admin1="Mopti").json()
    assert same["version"] == created["version"]


def test_patch_victims_updates_by_id_adds_new_and_removes_the_rest(client: TestClient) -> None:
    created = create_incident(
        client, victims=[{"sex": "female", "age": 15}, {"sex": "female", "age": 30}]
    )
    kept, dropped = created["victims"]
    response = patch_incident(
        client,
        created,
        victims=[{"id": kept["id"], "sex": "female", "age": 19}, {"sex": "male", "age": 40}],
    )
    assert response.status_code == 200, response.text
    victims = response.json()["victims"]
    assert victims[0]["id"] == kept["id"] and victims[0]["category"] == "woman"
    assert victims[1]["id"] not in (kept["id"], dropped["id"]) and victims[1]["category"] == "man"
    assert len(victims) == 2


def test_patch_violations_replaces_the_set(client: TestClient) -> None:
    created = create_incident(client, violations=["rape", "sexual_slavery"])
    updated = patch_incident(
        client, created, violations=["sexual_slavery", "forced_marriage"]
    ).json()
    assert sorted(updated["violations"]) == ["forced_marriage", "sexual_slavery"]


def test_archived_incident_is_kept_but_leaves_the_list(client: TestClient) -> None:
    kept = create_incident(client)
    archived = create_incident(client)
    response = client.delete(f"{API}/incidents/{archived['id']}", params={"reason": "duplicate"})
    assert response.status_code == 204

    record = client.get(f"{API}/incidents/{archived['id']}").json()
    assert record["archived_at"] is not None and record["archive_reason"] == "duplicate"
    listed = [item["id"] for item in client.get(f"{API}/incidents").json()["items"]]
    assert listed == [kept["id"]]
    with_archived = client.get(f"{API}/incidents", params={"include_archived": "true"}).json()
    assert {item["id"] for item in with_archived["items"]} == {kept["id"], archived["id"]}


def test_archiving_twice_is_harmless_and_archived_incidents_cannot_be_edited(
    client: TestClient,
) -> None:
    created = create_incident(client)
    assert client.delete(f"{API}/incidents/{created['id']}").status_code == 204
    assert client.delete(f"{API}/incidents/{created['id']}").status_code == 204
    response = patch_incident(client, created, admin1="Gao")
    assert response.status_code == 409
    assert client.get(f"{API}/incidents/{created['id']}").json()["admin1"] == "Mopti"


def test_openapi_documents_the_incident_example(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    create = schema["components"]["schemas"]["IncidentCreate"]
    assert create["examples"][0]["violations"] == ["rape", "sexual_slavery"]
    assert "/api/v1/stats.csv" in schema["paths"]


def test_health_reports_the_database(client: TestClient, backend: str) -> None:
    assert client.get("/health").json() == {"status": "ok", "database": backend}


def test_incident_payload_builder_is_valid(client: TestClient) -> None:
    # Guards the other tests: the default body must be accepted as is.
    assert client.post(f"{API}/incidents", json=incident_payload()).status_code == 201


def test_another_organisations_first_reference_reveals_nothing_of_ours(
    client: TestClient, client_for
) -> None:
    """Reproduction: the NGO's first CD incident was CD-2021-000004, after the mission's three."""
    mission = [create_incident(client, country="CD", admin1="Ituri", reported_on="2021-02-01")]
    mission += [create_incident(client, country="CD", admin1="Ituri", reported_on="2021-03-01")]
    create_incident(client, country="CD", admin1="Ituri", reported_on="2021-04-01")
    client.delete(f"{API}/incidents/{mission[0]['id']}", params={"reason": "entered twice"})
    ngo = client_for(Role.PROTECTION_ADVISER, organisation=NGO)

    first = create_incident(ngo, country="CD", admin1="Ituri", reported_on="2021-05-01")

    assert first["reference"] == "CD-2021-WAM-000001"  # its own count, its own code
    fourth = create_incident(client, country="CD", admin1="Ituri", reported_on="2021-06-01")
    assert fourth["reference"] == "CD-2021-MHRAPD-000004"

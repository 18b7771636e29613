"""Finding an incident in the list by its reference: the whole reference, whatever its case and
surrounding spaces, among the incidents the caller may read; never a statistics filter."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import (
    API,
    NGO,
    create_case,
    create_court,
    create_incident,
    create_incident_for_justice,
    field_names,
)


def _listed(client: TestClient, params: Any) -> list[str]:
    response = client.get(f"{API}/incidents", params=params)
    assert response.status_code == 200, response.text
    return [item["reference"] for item in response.json()["items"]]


def test_a_whole_reference_finds_its_incident_whatever_its_case_and_spaces(
    client: TestClient,
) -> None:
    wanted, other = create_incident(client), create_incident(client)
    reference = wanted["reference"]
    for typed in (reference, reference.lower(), f"  {reference.lower()}\t"):
        assert _listed(client, {"reference": typed}) == [reference], typed
    assert other["reference"] != reference
    assert len(_listed(client, {})) == 2


def test_a_part_of_a_reference_finds_nothing(client: TestClient) -> None:
    reference = create_incident(client)["reference"]  # ML-2019-<code>-000001
    for part in (reference[:-1], reference[1:], reference.rsplit("-", 1)[1], "ML-2019", "%"):
        assert _listed(client, {"reference": part}) == [], part


def test_the_reference_combines_with_the_other_filters(client: TestClient) -> None:
    incident = create_incident(client, source="ngo", admin1="Gao")
    reference = incident["reference"]
    assert _listed(client, {"reference": reference, "source": "ngo"}) == [reference]
    assert _listed(client, {"reference": reference, "source": "gbvims"}) == []
    assert _listed(client, {"reference": reference, "admin1": "Mopti"}) == []


def test_an_archived_incident_is_found_by_reference_only_with_the_archived(
    client: TestClient,
) -> None:
    incident = create_incident(client)
    assert client.delete(f"{API}/incidents/{incident['id']}").status_code == 204
    reference = incident["reference"]
    assert _listed(client, {"reference": reference}) == []
    assert _listed(client, {"reference": reference, "include_archived": "true"}) == [reference]


def test_another_organisations_reference_finds_nothing(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    ngo_adviser = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    theirs = create_incident(ngo_adviser)["reference"]
    ours = create_incident(client)["reference"]
    assert _listed(ngo_adviser, {"reference": theirs}) == [theirs]
    assert _listed(client, {"reference": theirs}) == []
    assert _listed(client, {"reference": theirs.lower(), "include_archived": "true"}) == []
    assert _listed(ngo_adviser, {"reference": ours}) == []


def test_a_judicial_tracker_finds_only_the_incidents_linked_to_a_case(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER)
    linked = create_incident_for_justice(client)
    unlinked = create_incident_for_justice(client)
    create_case(tracker, create_court(tracker, "Tribunal de Mopti"), [linked])
    assert _listed(tracker, {"reference": linked["reference"]}) == [linked["reference"]]
    assert _listed(tracker, {"reference": unlinked["reference"]}) == []


def test_a_bad_reference_is_refused_by_name(client: TestClient) -> None:
    cases = [
        {"reference": "M" * 65},
        {"reference": "ML-2019-\x00"},
        {"reference": "   "},
        [("reference", "ML-2019-000001"), ("reference", "ML-2019-000002")],
    ]
    for params in cases:
        response = client.get(f"{API}/incidents", params=params)
        assert response.status_code == 422, (params, response.text)
        assert field_names(response) == {"reference"}, params
    spaced = client.get(f"{API}/incidents", params={"reference": f"  {'M' * 64}  "})
    assert spaced.status_code == 200  # the spaces around do not count


def test_the_statistics_refuse_a_reference_as_any_unknown_filter(client: TestClient) -> None:
    """Naming one record would let a figure single it out past the small-cell protection."""
    reference = create_incident(client)["reference"]
    for path in ("stats", "stats.csv", "stats.xlsx"):
        response = client.get(
            f"{API}/{path}", params={"group_by": "source", "reference": reference}
        )
        unknown = client.get(f"{API}/{path}", params={"group_by": "source", "nonsense": "1"})
        assert response.status_code == unknown.status_code == 422, (path, response.text)
        assert field_names(response) == {"reference"}, path
        assert response.json()["errors"][0]["type"] == unknown.json()["errors"][0]["type"]


def test_the_record_export_does_not_take_a_reference(client: TestClient) -> None:
    """The list's filter only: an export of a single record goes through its own page."""
    reference = create_incident(client)["reference"]
    response = client.get(f"{API}/exports/incidents.csv", params={"reference": reference})
    assert response.status_code == 422 and field_names(response) == {"reference"}


def test_the_list_documents_the_reference_filter(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    parameters = document["paths"][f"{API}/incidents"]["get"]["parameters"]
    reference = next(p for p in parameters if p["name"] == "reference")
    assert reference["in"] == "query" and not reference.get("required")
    assert "whole reference" in reference["description"]
    stats_parameters = document["paths"][f"{API}/stats"]["get"]["parameters"]
    assert "reference" not in {p["name"] for p in stats_parameters}

"""Recording a partner's table through the API: what it keeps, what it refuses, who reads it."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.aggregates.helpers import AGGREGATES, field_names, gbvims_2019, submit
from tests.factories import API, NGO


def test_the_seed_gbvims_table_keeps_the_partners_labels_and_its_unattributed_remainder(
    client: TestClient,
) -> None:
    response = client.post(AGGREGATES, json=gbvims_2019())
    assert response.status_code == 201, response.text
    table = response.json()
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(table["id"])
    assert (table["total"], table["cells_sum"], table["unattributed"]) == (745, 745, 11)
    assert table["origin"] == "partner_table"
    categories = {
        cell["labels"]["perpetrator_category"]: (
            cell["categories"]["perpetrator_category"],
            cell["count"],
        )
        for cell in table["cells"]
    }
    assert categories == {
        "Armed group/Non-state armed actor": ("non_state_armed_group", 264),
        "Security forces": ("state_security_forces", 58),
        "Unidentified armed element": ("unidentified_armed_element", 412),
        None: (None, 11),
    }
    assert client.get(f"{AGGREGATES}/{table['id']}").json() == table


def test_a_stated_total_the_cells_do_not_add_up_to_is_refused_naming_it(
    client: TestClient,
) -> None:
    response = client.post(AGGREGATES, json=gbvims_2019(total=746))
    assert response.status_code == 422
    assert field_names(response) == ["total"]
    assert "745" in response.json()["errors"][0]["message"]
    assert client.get(AGGREGATES).json() == []


def test_a_margin_that_does_not_add_up_is_refused_naming_its_cell(client: TestClient) -> None:
    cells = [
        {"labels": {"gbv_type": "Rape", "victim_category": "Girl"}, "count": 7},
        {"labels": {"gbv_type": "Rape", "victim_category": "Woman"}, "count": 9},
        {"labels": {"gbv_type": "Rape", "victim_category": "*"}, "count": 15},
    ]
    body = gbvims_2019(dimensions=["gbv_type", "victim_category"], cells=cells, total=16)
    response = client.post(AGGREGATES, json=body)
    assert response.status_code == 422
    assert field_names(response) == ["cells[2].count"]
    cells[2]["count"] = 16
    assert client.post(AGGREGATES, json=body).status_code == 201


def test_cells_repeating_labels_or_naming_another_dimension_are_refused(
    client: TestClient,
) -> None:
    repeated = gbvims_2019(total=None)
    repeated["cells"].append({"labels": {"perpetrator_category": " security  FORCES "}, "count": 1})
    response = client.post(AGGREGATES, json=repeated)
    assert response.status_code == 422
    assert field_names(response) == ["cells[4]"]
    foreign = gbvims_2019(total=None)
    foreign["cells"][0]["labels"]["gbv_type"] = "Rape"
    response = client.post(AGGREGATES, json=foreign)
    assert field_names(response) == ["cells[0].labels.gbv_type"]


def test_counts_are_whole_numbers_from_zero(client: TestClient) -> None:
    for count in (-1, 1.5, "12", True):
        body = gbvims_2019(total=None)
        body["cells"][1]["count"] = count
        response = client.post(AGGREGATES, json=body)
        assert response.status_code == 422, count
        assert field_names(response) == ["cells[1].count"], count


def test_periods_are_bounded_and_in_order(client: TestClient) -> None:
    for changes, field in (
        ({"period_from": "1899-12-31"}, "period_from"),
        ({"period_to": "2101-01-01"}, "period_to"),
        ({"period_from": "2019-06-01", "period_to": "2019-05-31"}, "period_to"),
        ({"period_from": "2099-01-01", "period_to": "2099-12-31"}, "period_from"),
    ):
        response = client.post(AGGREGATES, json=gbvims_2019(**changes))
        assert response.status_code == 422, changes
        assert field_names(response) == [field], changes


def test_a_nul_character_is_refused_naming_the_field(client: TestClient) -> None:
    response = client.post(AGGREGATES, json=gbvims_2019(partner_name="GBVIMS\x00"))
    assert response.status_code == 422
    assert field_names(response) == ["partner_name"]


def test_labels_the_mapping_does_not_know_are_kept_as_unmapped(client: TestClient) -> None:
    body = gbvims_2019(total=None)
    body["cells"].append({"labels": {"perpetrator_category": "Para-military"}, "count": 6})
    table = client.post(AGGREGATES, json=body).json()
    assert table["unmapped_labels"] == ["Para-military"]
    [cell] = [c for c in table["cells"] if c["labels"]["perpetrator_category"] == "Para-military"]
    assert cell["categories"] == {"perpetrator_category": "unmapped"}
    assert cell["count"] == 6


def test_changes_name_the_version_they_are_based_on(client: TestClient) -> None:
    table = submit(client)
    url = f"{AGGREGATES}/{table['id']}"
    assert client.patch(url, json={"note": "revised"}).status_code == 428
    stale = client.patch(url, json={"note": "revised"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert client.patch(url, json={"note": "revised", "version": 7}).status_code == 409
    changed = client.patch(url, json={"note": "revised"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200
    assert (changed.json()["version"], changed.headers["ETag"]) == (2, '"2"')
    wrong_total = client.patch(url, json={"total": 700, "version": 2})
    assert wrong_total.status_code == 422
    assert field_names(wrong_total) == ["total"]
    cells = [{"labels": {"perpetrator_category": "Security forces"}, "count": 58}]
    recut = client.patch(url, json={"cells": cells, "total": 58, "version": 2})
    assert recut.status_code == 200
    assert (recut.json()["cells_sum"], recut.json()["version"]) == (58, 3)
    assert client.get(url).json()["note"] == "revised"


def test_archiving_keeps_the_table_out_of_the_list(client: TestClient) -> None:
    table = submit(client)
    url = f"{AGGREGATES}/{table['id']}"
    assert client.delete(url, headers={"If-Match": '"9"'}).status_code == 412
    assert client.delete(f"{url}?reason=entered twice").status_code == 204
    assert client.get(AGGREGATES).json() == []
    assert client.get(url).json()["archived_at"] is not None
    assert client.patch(url, json={"note": "x", "version": 2}).status_code == 422


def test_another_organisation_neither_reads_nor_changes_a_table(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    table = submit(client)
    url = f"{AGGREGATES}/{table['id']}"
    other = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    assert other.get(url).status_code == 404
    assert other.patch(url, json={"note": "x", "version": 1}).status_code == 404
    assert other.delete(url).status_code == 404
    assert other.get(AGGREGATES).json() == []
    assert client.get(url).json()["version"] == 1
    writer = client_for(Role.REPORT_WRITER)
    assert writer.get(url).status_code == 200  # the same organisation's report writer reads it
    assert writer.post(AGGREGATES, json=gbvims_2019()).status_code == 403


def test_an_admin_records_a_table_on_behalf_of_a_partner_and_every_change_is_audited(
    client_for: Callable[..., TestClient],
) -> None:
    admin = client_for(Role.ADMIN)
    table = submit(admin)
    url = f"{AGGREGATES}/{table['id']}"
    assert admin.patch(url, json={"note": "checked", "version": 1}).status_code == 200
    assert admin.delete(url).status_code == 204
    events = admin.get(f"{API}/audit", params={"record_id": table["id"]}).json()["items"]
    assert sorted(e["action"] for e in events) == [
        "aggregate.archive",
        "aggregate.create",
        "aggregate.update",
    ]
    update = next(e for e in events if e["action"] == "aggregate.update")
    assert update["fields"] == ["note"]
    assert "checked" not in str(events)  # names of fields, never their values

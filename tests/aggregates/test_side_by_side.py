"""Partners' tables reported beside the records, never added to them."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.aggregates.helpers import SIDE_BY_SIDE, gbvims_2019, submit
from tests.factories import API, NGO, create_incident
from tests.fixtures.mali_2019 import verified_mission_incidents

YEAR_2019 = {"period_from": "2019-01-01", "period_to": "2019-12-31", "country": "ML"}


def _report(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get(SIDE_BY_SIDE, params={**YEAR_2019, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _by_category(column: dict[str, Any]) -> dict[str | None, Any]:
    return {group["category"]: group["count"] for group in column["groups"]}


def _all_numbers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _all_numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _all_numbers(item)]
    return [value] if isinstance(value, int) and not isinstance(value, bool) else []


def test_the_gbvims_table_is_reported_beside_the_25_verified_records_and_never_added(
    client: TestClient,
) -> None:
    submit(client)
    for body in verified_mission_incidents():
        assert client.post(f"{API}/incidents", json=body).status_code == 201
    report = _report(client, basis="verified_only", group_by="perpetrator_category")
    [table] = report["partner_tables"]
    assert (table["origin"], table["total"], table["total_stated"]) == ("partner_table", 745, True)
    assert _by_category(table) == {
        "non_state_armed_group": 264,
        "state_security_forces": 58,
        "unidentified_armed_element": 412,
        "international_forces": 0,
        "civilian": 0,
        "other": 0,
        None: 11,
    }
    assert all(group["origin"] == "partner_table" for group in table["groups"])
    records = report["records"]
    assert (records["origin"], records["total_incidents"], records["total_victims"]) == (
        "records",
        25,
        35,
    )
    assert all(group["origin"] == "records" for group in records["groups"])
    assert report["summary"] == (
        "745 incidents reported through GBVIMS Mali consolidated (gbvims, aggregate table)"
        " | 25 incidents verified (records)"
    )
    assert report["added_together"] is False
    assert 745 + 25 not in _all_numbers(report)
    [overlap] = report["overlaps"]
    assert overlap["partner_name"] == "GBVIMS Mali consolidated"
    assert "may count the same cases" in overlap["notice"]


def test_source_gbvims_is_answered_from_the_submission_and_says_so(client: TestClient) -> None:
    submit(client)
    submit(client, source_kind="ngo", partner_name="Another partner")
    report = _report(client, source="gbvims")
    assert [t["partner_name"] for t in report["partner_tables"]] == ["GBVIMS Mali consolidated"]
    assert report["partner_tables"][0]["source_kind"] == "gbvims"
    assert report["records"]["total_incidents"] == 0  # no record from the GBVIMS
    assert report["summary"].startswith("745 incidents reported through GBVIMS")
    assert report["overlaps"] == []  # no records of ours in that period and area


def test_records_in_the_tables_period_and_area_raise_the_overlap_notice(
    client: TestClient,
) -> None:
    submit(client, admin1="Mopti", period_from="2019-03-01", period_to="2019-03-31")
    create_incident(client, admin1="Gao")
    assert _report(client)["overlaps"] == []  # another region
    create_incident(client, occurred_on="2019-04-02", reported_on="2019-04-03")
    assert _report(client)["overlaps"] == []  # another month
    create_incident(client, occurred_on="2019-01-01", date_precision="year")
    report = _report(client)
    assert len(report["overlaps"]) == 1  # known only to the year: it may be in March
    assert any("not added" in note for note in report["notes"])


def test_another_organisations_small_counts_are_hidden_and_the_owners_exact(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    cells = [
        {"labels": {"gbv_type": "Rape"}, "count": 40},
        {"labels": {"gbv_type": "Sexual assault"}, "count": 3},
        {"labels": {"gbv_type": "Forced marriage"}, "count": 12},
    ]
    submit(client, dimensions=["gbv_type"], cells=cells, total=55)
    mine = _report(client, group_by="gbv_type")["partner_tables"][0]
    assert (_by_category(mine)["sexual_assault"], mine["exact"]) == (3, True)
    other = client_for(Role.REPORT_WRITER, organisation=NGO)
    theirs = _report(other, group_by="gbv_type")["partner_tables"][0]
    counts = _by_category(theirs)
    assert counts["sexual_assault"] == "<5"
    # With the total shown, the single hidden count would be 55 - 40 - 12: one more is hidden.
    assert counts["forced_marriage"] == "suppressed"
    assert (counts["rape"], theirs["total"], theirs["exact"]) == (40, 55, False)
    assert theirs["submission_id"] is None
    assert "3 gbv" not in str(theirs)


def test_a_table_not_broken_down_by_the_dimension_asked_gives_its_total(
    client: TestClient,
) -> None:
    submit(client)
    report = _report(client, group_by="gbv_type")
    [table] = report["partner_tables"]
    assert (table["groups"], table["total"]) == (None, 745)
    assert table["notes"] == ["This table is not broken down by gbv_type."]
    # The records are broken down by the GBVIMS type the incidents were given.
    records = {group["category"]: group["incidents"] for group in report["records"]["groups"]}
    assert records["rape"] == 0 and "physical_assault" in records


def test_unmapped_labels_are_shown_as_their_own_group(client: TestClient) -> None:
    body = gbvims_2019(total=751)
    body["cells"].append({"labels": {"perpetrator_category": "Para-military"}, "count": 6})
    assert client.post(f"{API}/aggregates", json=body).status_code == 201
    [table] = _report(client, group_by="perpetrator_category")["partner_tables"]
    [unmapped] = [g for g in table["groups"] if g["category"] == "unmapped"]
    assert (unmapped["partner_labels"], unmapped["count"]) == (["Para-military"], 6)


def test_archived_tables_leave_the_report(client: TestClient) -> None:
    table = submit(client)
    assert client.delete(f"{API}/aggregates/{table['id']}").status_code == 204
    assert _report(client)["partner_tables"] == []


def test_a_period_ending_before_it_starts_is_refused_by_name(client: TestClient) -> None:
    response = client.get(
        SIDE_BY_SIDE, params={"period_from": "2019-06-01", "period_to": "2019-01-01"}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["period_to"]


def _as_another_organisation(
    client: TestClient,
    client_for: Callable[..., TestClient],
    dimension: str,
    cells: list[tuple[str, int]],
    total: int,
) -> dict[str, Any]:
    body = [{"labels": {dimension: label}, "count": count} for label, count in cells]
    submit(client, dimensions=[dimension], cells=body, total=total)
    other = client_for(Role.REPORT_WRITER, organisation=NGO)
    column: dict[str, Any] = _report(other, group_by=dimension)["partner_tables"][0]
    return column


def test_two_hidden_counts_are_not_left_adding_up_to_the_total_minus_the_shown_ones(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    # Shown 32 and 30, the two hidden counts would add up to 2: each would be 1.
    cells = [("Security forces", 1), ("Armed group/Non-state armed actor", 1)]
    column = _as_another_organisation(
        client,
        client_for,
        "perpetrator_category",
        [*cells, ("Unidentified armed element", 30)],
        32,
    )
    counts = _by_category(column)
    assert counts["state_security_forces"] == counts["non_state_armed_group"] == "<5"
    assert counts["unidentified_armed_element"] == "suppressed"
    assert column["total"] == 32


def test_a_hidden_count_beside_one_withheld_just_above_k_is_not_worked_out(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    # Hiding only the 5 would leave 46 - 40 = 6 = the hidden count + at least 5: it is 1.
    column = _as_another_organisation(
        client,
        client_for,
        "gbv_type",
        [("Rape", 40), ("Sexual assault", 1), ("Forced marriage", 5)],
        46,
    )
    counts = _by_category(column)
    assert counts["sexual_assault"] == "<5"
    assert counts["forced_marriage"] == counts["rape"] == "suppressed"


def test_a_breakdown_whose_small_count_the_total_would_give_away_is_not_shown(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    # 6 = 5 + 1: whatever is withheld, the hidden count is the total minus at least 5.
    column = _as_another_organisation(
        client, client_for, "gbv_type", [("Rape", 5), ("Sexual assault", 1)], 6
    )
    assert (column["total"], column["groups"]) == (6, None)
    assert column["notes"] == [
        "This table's breakdown by gbv_type is not shown: its small counts could be worked "
        "out from its total."
    ]
    mine = _report(client, group_by="gbv_type")["partner_tables"][0]
    assert _by_category(mine)["sexual_assault"] == 1


def test_a_hidden_count_along_forms_of_violence_is_not_bounded_by_the_total(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    # An incident may count under several forms, so forms add up to at least the total:
    # with 12 and 8 shown, the hidden count would be at least 4, that is 4.
    column = _as_another_organisation(
        client, client_for, "violation", [("rape", 8), ("sexual_slavery", 4)], 12
    )
    counts = _by_category(column)
    assert counts["sexual_slavery"] == "<5"
    assert counts["rape"] == "suppressed"


def test_a_records_table_says_when_partners_tables_cover_its_period_and_place(
    client: TestClient,
) -> None:
    submit(client)
    create_incident(client, occurred_on="2019-05-02", reported_on="2019-05-03", source="gbvims")
    params = {
        "group_by": "perpetrator_category",
        "source": "gbvims",
        "occurred_from": "2019-01-01",
        "occurred_to": "2019-12-31",
    }
    table = client.get(f"{API}/stats", params=params).json()
    assert table["total"]["incidents"] == 1  # records only: 745 is never added in
    [note] = [note for note in table["notes"] if "partner's aggregate table" in note]
    assert note.startswith("1 partner's aggregate table(s) cover this period and area")
    link = note.rsplit(": ", 1)[1]
    beside = client.get(link)
    assert beside.status_code == 200, beside.text
    assert [column["total"] for column in beside.json()["partner_tables"]] == [745]
    elsewhere = client.get(
        f"{API}/stats",
        params={**params, "occurred_from": "2018-01-01", "occurred_to": "2018-12-31"},
    ).json()
    assert not [note for note in elsewhere["notes"] if "partner's aggregate table" in note]

"""Statistics seen from another organisation: consent honoured, small cells suppressed."""

import csv
import io
from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident, group_counts, patch_incident, stats

CONSENTING = {"sex": "female", "age": 25, "consent": {"statistics": True}}
DECLINING = {"sex": "female", "age": 25, "consent": {"statistics": False}}
NOT_ASKED = {"sex": "female", "age": 31}


def _record(client: TestClient, count: int, **fields: Any) -> None:
    for _ in range(count):
        create_incident(client, **{"victims": [CONSENTING], **fields})


def test_other_organisations_see_only_data_shared_with_consent(
    client: TestClient, client_for
) -> None:
    _record(client, 5)
    _record(client, 2, victims=[DECLINING])
    _record(client, 1, victims=[NOT_ASKED])
    _record(client, 1, victims=[CONSENTING, DECLINING])  # counted, with its consenting victim
    _record(client, 1, victims=[])  # no victim recorded: nobody's consent to ask

    own = stats(client_for(Role.REPORT_WRITER), group_by="source")
    assert own["total"] == {"incidents": 10, "victims": 10}
    assert own["suppression"]["applies_to_other_organisations"] is False

    other = stats(client_for(Role.REPORT_WRITER, organisation=NGO), group_by="source")
    assert other["total"] == {"incidents": 7, "victims": 6}
    assert other["suppression"]["applies_to_other_organisations"] is True


def test_small_cell_and_the_one_that_would_give_it_away_are_suppressed(
    client: TestClient, client_for
) -> None:
    _record(client, 30, admin1="Mopti")
    _record(client, 3, admin1="Gao")
    _record(client, 12, admin1="Tombouctou")
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    result = stats(outsider, group_by="admin1")

    counts = group_counts(result, "admin1")
    assert counts["Mopti"] == (30, 30)
    assert counts["Gao"] == ("<5", "<5")
    # 45 - 30 would otherwise give Gao's 3 by subtraction, so the next smallest goes too.
    assert counts["Tombouctou"] == ("suppressed", "suppressed")
    assert counts[None] == (0, 0)
    assert result["total"] == {"incidents": 45, "victims": 45}
    assert result["suppression"]["applied"] is True
    assert result["suppression"]["small_marker"] == "<5"
    assert "3" not in " ".join(result["notes"])

    insider = stats(client_for(Role.REPORT_WRITER), group_by="admin1")
    assert group_counts(insider, "admin1")["Gao"] == (3, 3)
    assert insider["suppression"]["applied"] is False


def test_sums_over_groups_are_hidden_when_they_would_reveal_a_cell(
    client: TestClient, client_for
) -> None:
    _record(client, 20, violations=["rape"])
    _record(client, 2, violations=["forced_marriage"])
    result = stats(client_for(Role.REPORT_WRITER, organisation=NGO), group_by="violation")
    counts = group_counts(result, "violation")
    assert counts["rape"] == (20, 20) and counts["forced_marriage"] == ("<5", "<5")
    coverage = result["dimensions"][0]["coverage"]
    assert coverage["incidents_sum_over_groups"] == "suppressed"


def test_cross_table_keeps_the_one_dimension_margins_and_protects_rows(
    client: TestClient, client_for
) -> None:
    _record(client, 20, admin1="Mopti", source="gbvims")
    _record(client, 2, admin1="Mopti", source="ngo")
    _record(client, 15, admin1="Gao", source="gbvims")
    _record(client, 9, admin1="Gao", source="ngo")
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    result = stats(outsider, group_by="admin1,source")
    cells = {(g["key"]["admin1"], g["key"]["source"]): g["incidents"] for g in result["groups"]}
    assert cells[("Mopti", "ngo")] == "<5"
    # Mopti's row total (22) is published, so one more Mopti cell must go; and the ngo column
    # total (11) is published, so one more ngo cell must go.
    assert cells[("Mopti", "gbvims")] == "suppressed"
    assert cells[("Gao", "ngo")] == "suppressed"
    one_dimension = group_counts(stats(outsider, group_by="admin1"), "admin1")
    margin = {g["key"]["admin1"]: g["incidents"] for g in result["margins"]["admin1"]}
    assert margin["Mopti"] == one_dimension["Mopti"][0] == 22


def test_a_mixed_cell_hides_a_small_part_from_another_organisation(
    client: TestClient, client_for
) -> None:
    ngo_adviser = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    _record(ngo_adviser, 20, admin1="Mopti")  # the NGO's own
    _record(client, 2, admin1="Mopti")  # the mission's: two more would be visible by difference
    _record(client, 30, admin1="Gao")
    result = stats(client_for(Role.REPORT_WRITER, organisation=NGO), group_by="admin1")
    counts = group_counts(result, "admin1")
    assert counts["Mopti"][0] == "suppressed"
    assert counts["Gao"][0] == "suppressed"  # else 52 - 30 gives Mopti's 22 back


def test_csv_carries_the_markers(client: TestClient, client_for) -> None:
    _record(client, 30, admin1="Mopti")
    _record(client, 3, admin1="Gao")
    _record(client, 12, admin1="Tombouctou")
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    response = outsider.get(f"{API}/stats.csv", params={"group_by": "admin1"})
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(response.text))}
    assert rows["Gao"] == ["<5", "<5"]
    assert rows["Tombouctou"] == ["suppressed", "suppressed"]
    assert rows["(total: each counted once)"] == ["45", "45"]


def test_consent_changes_and_edited_victims_show_in_the_next_statistics(
    client: TestClient, client_for
) -> None:
    _record(client, 5, victims=[CONSENTING, DECLINING])  # enough that no total is suppressed
    incident = create_incident(client, victims=[CONSENTING, DECLINING, NOT_ASKED])
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    assert stats(outsider, group_by="source")["total"]["victims"] == 6

    declined = incident["victims"][1]["id"]
    path = f"{API}/incidents/{incident['id']}/victims/{declined}/consent"
    assert client.put(path, json={"statistics": True}).status_code == 200
    assert stats(outsider, group_by="source")["total"]["victims"] == 7

    current = client.get(f"{API}/incidents/{incident['id']}").json()
    kept = [{"id": v["id"], "sex": v["sex"], "age": v["age"]} for v in current["victims"][1:]]
    response = patch_incident(client, current, victims=kept)
    assert response.status_code == 200, response.text
    own = stats(client_for(Role.REPORT_WRITER), group_by="source")["total"]
    assert own == {"incidents": 6, "victims": 12}
    assert stats(outsider, group_by="source")["total"]["victims"] == 6
    history = client.get(f"{API}/incidents/{incident['id']}/history").json()
    assert [v["action"] for v in history] == ["create", "consent", "update"]

"""The briefing note's 2019 figures, loaded through the API, come back exactly from /stats."""

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.conftest import wipe
from tests.factories import API, MISSION, group_counts, log_in, make_user, stats
from tests.fixtures.mali_2019 import (
    GBVIMS_BY_PERPETRATOR,
    gbvims_incidents,
    verified_mission_incidents,
)


@pytest.fixture(scope="module")
def seeded(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        adviser = make_user(app, Role.PROTECTION_ADVISER, organisation=MISSION)
        client.headers["Authorization"] = f"Bearer {log_in(client, adviser)}"
        for body in gbvims_incidents() + verified_mission_incidents():
            response = client.post(f"{API}/incidents", json=body)
            assert response.status_code == 201, response.text
        yield client
    wipe(app)


def test_gbvims_incidents_by_perpetrator_category_show_the_remainder(seeded: TestClient) -> None:
    result = stats(
        seeded,
        group_by="perpetrator_category",
        source="gbvims",
        occurred_from="2019-01-01",
        occurred_to="2019-12-31",
    )
    assert result["total"] == {"incidents": 745, "victims": 745}
    counts = group_counts(result, "perpetrator_category")
    assert counts["non_state_armed_group"] == (264, 264)
    assert counts["state_security_forces"] == (58, 58)
    assert counts["unidentified_armed_element"] == (412, 412)
    assert counts[None] == (11, 11)  # no perpetrator recorded: shown, not hidden
    assert counts["international_forces"] == (0, 0)
    [dimension] = result["dimensions"]
    assert dimension["coverage"]["incidents_without_value"] == 11
    assert dimension["coverage"]["incidents_sum_over_groups"] == 734
    assert any(
        "11 incidents have no value (no perpetrator recorded)" in note for note in result["notes"]
    )


def test_verified_incidents_by_victim_category_count_victims_and_incidents(
    seeded: TestClient,
) -> None:
    result = stats(
        seeded,
        group_by="victim_category",
        source="mission_human_rights",
        verification_status="verified",
    )
    assert result["total"] == {"incidents": 25, "victims": 35}
    counts = group_counts(result, "victim_category")
    # Victims: 15 women, 19 girls and one man. Incidents: an incident with a woman and a girl
    # counts in both groups, so the groups' incidents (15 + 15 + 1) exceed the 25 in total.
    assert counts["woman"] == (15, 15)
    assert counts["girl"] == (15, 19)
    assert counts["man"] == (1, 1)
    assert counts["boy"] == (0, 0)
    assert counts[None] == (0, 0)
    [dimension] = result["dimensions"]
    assert dimension["incidents_in_several_groups"] is True
    assert dimension["victims_in_several_groups"] is False
    assert dimension["coverage"]["victims_sum_over_groups"] == 35


def test_both_figures_side_by_side_by_source_and_verification_status(seeded: TestClient) -> None:
    result = stats(seeded, group_by="source,verification_status")
    assert result["total"] == {"incidents": 770, "victims": 780}
    cells = {
        (g["key"]["source"], g["key"]["verification_status"]): (g["incidents"], g["victims"])
        for g in result["groups"]
    }
    assert cells == {
        ("gbvims", "reported"): (745, 745),
        ("mission_human_rights", "verified"): (25, 35),
    }
    source_margin = {g["key"]["source"]: g["incidents"] for g in result["margins"]["source"]}
    assert source_margin["gbvims"] == 745 and source_margin["mission_human_rights"] == 25


def test_perpetrator_filter_matches_the_group_counts(seeded: TestClient) -> None:
    for category, count in GBVIMS_BY_PERPETRATOR.items():
        if category is None:
            continue
        result = stats(seeded, group_by="source", source="gbvims", perpetrator_category=category)
        assert result["total"]["incidents"] == count


def test_csv_holds_the_same_table_with_the_remainder_and_total(seeded: TestClient) -> None:
    response = seeded.get(
        f"{API}/stats.csv", params={"group_by": "perpetrator_category", "source": "gbvims"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["perpetrator_category", "incidents", "victims"]
    table = {row[0]: row[1] for row in rows[1:]}
    assert table["non_state_armed_group"] == "264"
    assert table["state_security_forces"] == "58"
    assert table["unidentified_armed_element"] == "412"
    assert table["(none recorded)"] == "11"
    assert rows[-1] == ["(total: each counted once)", "745", "745"]

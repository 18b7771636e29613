"""The service gaps report never tells in which district another organisation's too few
incidents happened: not by naming the district, not by how the caller's own district is shown
beside them, not by how many districts are left out as the caller records, and not by spelling
the caller's district as the other organisation wrote it."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident
from tests.stats.record_keys import rekey

SHARED_VICTIM = {"sex": "female", "age": 24, "consent": {"statistics": True}}
DAY = {"occurred_on": "2019-05-02", "reported_on": "2019-05-03"}
PERIOD = {"occurred_from": "2019-05-02", "occurred_to": "2019-05-02"}
KEYS_WITHHOLDING_THREE = 0


def _gaps(client: TestClient) -> tuple[dict[tuple[str, str], dict[str, Any]], int]:
    response = client.get(f"{API}/reports/service-gaps", params=PERIOD)
    assert response.status_code == 200, response.text
    gaps = response.json()
    rows = {(row["admin1"], row["admin2"]): row for row in gaps["localities"]}
    return rows, gaps["localities_left_out"]


def test_own_districts_show_nothing_of_another_organisations_hidden_incidents(
    client: TestClient, client_for: Any
) -> None:
    # The mission: one incident in Bourem that day, its survivor consenting to statistics.
    create_incident(client, admin1="Gao", admin2="BOUREM", victims=[SHARED_VICTIM], **DAY)
    other = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    _, left_out_before = _gaps(other)
    assert left_out_before == "<5"
    # The other organisation records one incident of its own in Bourem and one in Ansongo.
    for admin2 in ("Bourem", "Ansongo"):
        create_incident(other, admin1="Gao", admin2=admin2, **DAY)
    rows, left_out = _gaps(other)
    bourem, ansongo = rows.get(("Gao", "Bourem")), rows[("Gao", "Ansongo")]
    assert bourem is not None, rows  # spelt as the caller spelt it
    # Both districts look alike: the caller's own incident, exactly, and nothing protected.
    assert (ansongo["incidents"], ansongo["victims"], ansongo["protected"]) == (1, 1, False)
    assert (bourem["incidents"], bourem["victims"], bourem["protected"]) == (1, 1, False)
    # Recording in Bourem did not move the mission's incident out of the districts left out.
    assert left_out == left_out_before


def test_the_districts_left_out_give_no_lower_bound_on_a_hidden_count(
    app: FastAPI, client: TestClient, client_for: Any
) -> None:
    # The mission: three incidents in Gao that day, each in a district of its own.
    for admin2 in ("Bourem", "Ansongo", "Gao"):
        create_incident(client, admin1="Gao", admin2=admin2, victims=[SHARED_VICTIM], **DAY)
    # Record keys of a fixed draw: with random ones the cell-key noise shows three incidents as
    # 5 now and then, and the premise below (the statistics withhold the total) would not hold.
    rekey(app, seed=KEYS_WITHHOLDING_THREE)
    other = client_for(Role.REPORT_WRITER, organisation=NGO)
    stats = other.get(f"{API}/stats", params={"group_by": "admin1", **PERIOD}).json()
    assert stats["total"]["incidents"] == "<5"  # one to four, the statistics say
    # Three districts left out would say: at least three incidents. A small number of them is
    # withheld as the statistics withhold a small count.
    rows, left_out = _gaps(other)
    assert rows == {} and left_out == "<5"


def test_two_periods_count_of_districts_left_out_gives_no_hidden_count_back(
    app: FastAPI, client: TestClient, client_for: Any
) -> None:
    """Eight districts left out the day before, ten with the day: were the number of districts
    left out exact, the difference would say that the mission recorded at least two incidents
    that day, in two districts it had not recorded in, where the statistics say only "<5". It is
    a count of other organisations' data: published as every such figure is, perturbed by the
    key of the incidents it stands for, so the difference moves from draw to draw."""
    for number in range(8):
        create_incident(
            client,
            admin1="Gao",
            admin2=f"Commune {number}",
            victims=[SHARED_VICTIM],
            occurred_on="2019-05-01",
            reported_on="2019-05-03",
        )
    for admin2 in ("Bourem", "Ansongo"):
        create_incident(client, admin1="Gao", admin2=admin2, victims=[SHARED_VICTIM], **DAY)
    other = client_for(Role.REPORT_WRITER, organisation=NGO)
    differences = []
    for seed in range(12):
        rekey(app, seed)
        counts = [
            other.get(
                f"{API}/reports/service-gaps",
                params={"occurred_from": "2019-05-01", "occurred_to": last},
            ).json()["localities_left_out"]
            for last in ("2019-05-01", "2019-05-02")
        ]
        if all(isinstance(count, int) for count in counts):
            differences.append(counts[1] - counts[0])
    assert len(differences) >= 6, differences
    assert differences.count(2) <= len(differences) // 2, differences
    assert len(set(differences)) >= 3, differences

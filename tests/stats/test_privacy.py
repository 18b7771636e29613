"""Statistics seen from another organisation: consent honoured, figures perturbed by the
cell-key method, small cells suppressed; the caller's own figures exact."""

import csv
import io
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import and_, func, select

from app.models import Victim, VictimConsent
from app.models.enums import ConsentKind, Role
from app.stats.cellkey import MAX_ADJUSTMENT, cell_key, perturbed
from tests.factories import API, NGO, create_incident, group_counts, patch_incident, stats

CONSENTING = {"sex": "female", "age": 25, "consent": {"statistics": True}}
DECLINING = {"sex": "female", "age": 25, "consent": {"statistics": False}}
NOT_ASKED = {"sex": "female", "age": 31}


def _record(client: TestClient, count: int, **fields: Any) -> None:
    for _ in range(count):
        create_incident(client, **{"victims": [CONSENTING], **fields})


def near(figure: Any, truth: int) -> bool:
    """Whether a protected figure is the truth moved by at most the table's adjustment."""
    return isinstance(figure, int) and abs(figure - truth) <= MAX_ADJUSTMENT


def test_other_organisations_see_only_data_shared_with_consent(
    client: TestClient, client_for
) -> None:
    _record(client, 12)
    _record(client, 2, victims=[DECLINING])
    _record(client, 1, victims=[NOT_ASKED])
    _record(client, 1, victims=[CONSENTING, DECLINING])  # counted, with its consenting victim
    _record(client, 1, victims=[])  # no victim recorded: nobody's consent to ask

    own = stats(client_for(Role.REPORT_WRITER), group_by="source")
    assert own["total"] == {"incidents": 17, "victims": 17}
    assert own["suppression"]["applies_to_other_organisations"] is False
    assert own["protection"]["applied"] is False and own["protection"]["tables_add_up"] is True

    other = stats(client_for(Role.REPORT_WRITER, organisation=NGO), group_by="source")
    # 14 incidents and 13 victims shared, published perturbed.
    assert near(other["total"]["incidents"], 14) and near(other["total"]["victims"], 13)
    assert other["suppression"]["applies_to_other_organisations"] is True
    assert other["protection"]["applied"] is True
    assert other["protection"]["method"] == "cell_key"
    assert other["protection"]["max_adjustment"] == MAX_ADJUSTMENT
    assert any("adjusted by at most 2" in note for note in other["notes"])


def test_small_cells_are_hidden_and_larger_ones_perturbed_not_suppressed(
    client: TestClient, client_for
) -> None:
    _record(client, 30, admin1="Mopti")
    _record(client, 2, admin1="Gao")  # 2 is published as 1 to 3: always hidden
    _record(client, 12, admin1="Tombouctou")
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    result = stats(outsider, group_by="admin1")

    counts = group_counts(result, "admin1")
    assert near(counts["Mopti"][0], 30) and near(counts["Mopti"][1], 30)
    assert counts["Gao"] == ("<5", "<5")
    # The total is perturbed on its own: it minus the shown cells no longer gives Gao's 2, so
    # no other cell needs to be hidden for it.
    assert near(counts["Tombouctou"][0], 12)
    assert counts[None] == (0, 0)  # nothing stays nothing
    assert near(result["total"]["incidents"], 44)
    assert result["suppression"]["applied"] is True
    assert result["suppression"]["small_marker"] == "<5"
    assert result["protection"]["tables_add_up"] is False

    insider = stats(client_for(Role.REPORT_WRITER), group_by="admin1")
    assert group_counts(insider, "admin1")["Gao"] == (2, 2)
    assert group_counts(insider, "admin1")["Mopti"] == (30, 30)
    assert insider["suppression"]["applied"] is False


def test_sums_over_groups_are_hidden_when_a_group_is(client: TestClient, client_for) -> None:
    _record(client, 20, violations=["rape"])
    _record(client, 2, violations=["forced_marriage"])
    result = stats(client_for(Role.REPORT_WRITER, organisation=NGO), group_by="violation")
    counts = group_counts(result, "violation")
    assert near(counts["rape"][0], 20) and counts["forced_marriage"] == ("<5", "<5")
    coverage = result["dimensions"][0]["coverage"]
    assert coverage["incidents_sum_over_groups"] == "suppressed"


def test_cross_table_margins_are_the_one_dimension_tables(client: TestClient, client_for) -> None:
    _record(client, 20, admin1="Mopti", source="gbvims")
    _record(client, 2, admin1="Mopti", source="ngo")
    _record(client, 15, admin1="Gao", source="gbvims")
    _record(client, 9, admin1="Gao", source="ngo")
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    result = stats(outsider, group_by="admin1,source")
    cells = {(g["key"]["admin1"], g["key"]["source"]): g["incidents"] for g in result["groups"]}
    assert cells[("Mopti", "ngo")] == "<5"
    assert near(cells[("Mopti", "gbvims")], 20) and near(cells[("Gao", "ngo")], 9)
    # A margin is the same cell as in the one-dimension table, so it gets the same figure.
    one_dimension = group_counts(stats(outsider, group_by="admin1"), "admin1")
    margin = {g["key"]["admin1"]: g["incidents"] for g in result["margins"]["admin1"]}
    assert margin["Mopti"] == one_dimension["Mopti"][0]
    assert near(margin["Mopti"], 22)
    # And the same incidents filtered rather than grouped are the same cell again.
    filtered = stats(outsider, group_by="source", admin1="Mopti")
    assert filtered["total"]["incidents"] == margin["Mopti"]


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
    assert near(counts["Gao"][0], 30)
    # The total is the NGO's own 20, exact, and the mission's 32, perturbed.
    assert near(result["total"]["incidents"], 52)


def test_csv_carries_the_markers_and_the_same_figures(client: TestClient, client_for) -> None:
    _record(client, 30, admin1="Mopti")
    _record(client, 2, admin1="Gao")
    _record(client, 12, admin1="Tombouctou")
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    response = outsider.get(f"{API}/stats.csv", params={"group_by": "admin1"})
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(response.text))}
    assert rows["Gao"] == ["<5", "<5"]
    result = stats(outsider, group_by="admin1")
    counts = group_counts(result, "admin1")
    assert rows["Tombouctou"] == [str(figure) for figure in counts["Tombouctou"]]
    assert rows["(total: each counted once)"] == [
        str(result["total"]["incidents"]),
        str(result["total"]["victims"]),
    ]


def _shared_victims_figure(app: FastAPI) -> int:
    """What another organisation is shown for the victims consenting to statistics: their number
    perturbed by their cell key (every incident here is the mission's)."""
    consenting = and_(
        VictimConsent.victim_id == Victim.id,
        VictimConsent.kind == ConsentKind.STATISTICS,
        VictimConsent.granted.is_(True),
    )
    with app.state.engine.connect() as connection:
        count, keys = connection.execute(
            select(func.count(), func.coalesce(func.sum(Victim.record_key), 0)).join(
                VictimConsent, consenting
            )
        ).one()
    return perturbed(count, cell_key(keys))


def test_consent_changes_and_edited_victims_show_in_the_next_statistics(
    app: FastAPI, client: TestClient, client_for
) -> None:
    _record(client, 10, victims=[CONSENTING, DECLINING])  # enough that no total is suppressed
    incident = create_incident(client, victims=[CONSENTING, DECLINING, NOT_ASKED])
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    before = stats(outsider, group_by="source")["total"]["victims"]
    assert before == _shared_victims_figure(app) and near(before, 11)

    declined = incident["victims"][1]["id"]
    path = f"{API}/incidents/{incident['id']}/victims/{declined}/consent"
    assert client.put(path, json={"statistics": True}).status_code == 200
    after_consent = stats(outsider, group_by="source")["total"]["victims"]
    assert after_consent == _shared_victims_figure(app) and near(after_consent, 12)

    current = client.get(f"{API}/incidents/{incident['id']}").json()
    kept = [{"id": v["id"], "sex": v["sex"], "age": v["age"]} for v in current["victims"][1:]]
    response = patch_incident(client, current, victims=kept)
    assert response.status_code == 200, response.text
    own = stats(client_for(Role.REPORT_WRITER), group_by="source")["total"]
    assert own == {"incidents": 11, "victims": 22}
    after_edit = stats(outsider, group_by="source")["total"]["victims"]
    assert after_edit == _shared_victims_figure(app) and near(after_edit, 11)
    history = client.get(f"{API}/incidents/{incident['id']}/history").json()
    assert [v["action"] for v in history] == ["create", "consent", "update"]


def test_record_keys_are_never_shown(client: TestClient, client_for) -> None:
    incident = create_incident(client, victims=[CONSENTING])
    current = client.get(f"{API}/incidents/{incident['id']}").json()
    assert patch_incident(client, current, admin1="Gao").status_code == 200
    shown = [
        client.get(f"{API}/incidents/{incident['id']}").text,
        client.get(f"{API}/incidents/{incident['id']}/history").text,
        client.get(f"{API}/incidents").text,
        client_for(Role.REPORT_WRITER, organisation=NGO).get(f"{API}/stats?group_by=source").text,
    ]
    assert not any("record_key" in text for text in shown)

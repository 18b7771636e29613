"""How /stats counts: distinct incidents and victims, overlapping groups, the no-value bucket."""

from fastapi.testclient import TestClient

from app.stats.dimensions import DimensionName
from tests.factories import (
    API,
    create_armed_party,
    create_incident,
    field_names,
    group_counts,
    stats,
)


def test_incident_with_two_perpetrator_categories_counts_in_both_and_once_in_total(
    client: TestClient,
) -> None:
    create_incident(
        client,
        victims=[{"sex": "female", "age": 12}, {"sex": "female", "age": 40}],
        perpetrators=[
            {"category": "non_state_armed_group"},
            {"category": "non_state_armed_group"},
            {"category": "state_security_forces"},
        ],
    )
    create_incident(client, perpetrators=[{"category": "state_security_forces"}])
    result = stats(client, group_by="perpetrator_category")
    counts = group_counts(result, "perpetrator_category")
    assert result["total"] == {"incidents": 2, "victims": 3}
    assert counts["non_state_armed_group"] == (1, 2)  # two perpetrators of the group: counted once
    assert counts["state_security_forces"] == (2, 3)
    coverage = result["dimensions"][0]["coverage"]
    assert coverage["incidents_sum_over_groups"] == 3  # more than the 2 incidents: overlap shown
    assert result["dimensions"][0]["incidents_in_several_groups"] is True


def test_incidents_without_victims_fall_in_the_no_victim_bucket(client: TestClient) -> None:
    create_incident(client, victims=[])
    create_incident(client, victims=[{"sex": "male", "age": 15}])
    counts = group_counts(stats(client, group_by="victim_category"), "victim_category")
    assert counts[None] == (1, 0)
    assert counts["boy"] == (1, 1)


def test_month_is_unknown_for_incidents_known_only_to_the_year(client: TestClient) -> None:
    create_incident(client, occurred_on="2019-03-14")
    create_incident(client, occurred_on="2019-03-02")
    create_incident(
        client, occurred_on="2019-06-30", date_precision="year", reported_on="2019-12-01"
    )
    create_incident(client, occurred_on="2020-01-09", reported_on="2020-01-10")
    months = group_counts(stats(client, group_by="month"), "month")
    assert months == {"2019-03": (2, 2), "2020-01": (1, 1), None: (1, 1)}
    years = group_counts(stats(client, group_by="year"), "year")
    assert years == {2019: (3, 3), 2020: (1, 1), None: (0, 0)}


def test_armed_party_groups_by_name_and_leaves_unnamed_perpetrators_in_the_bucket(
    client: TestClient,
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    other = create_armed_party(client, "Mouvement national de libération de l'Azawad")
    create_incident(client, perpetrators=[{"armed_party_id": party["id"]}])
    create_incident(
        client, perpetrators=[{"armed_party_id": party["id"]}, {"armed_party_id": other["id"]}]
    )
    create_incident(client, perpetrators=[{"category": "non_state_armed_group"}])
    counts = group_counts(stats(client, group_by="armed_party"), "armed_party")
    assert counts == {
        "Ansar Eddine": (2, 2),
        "Mouvement national de libération de l'Azawad": (1, 1),
        None: (1, 1),
    }


def test_violation_groups_overlap_and_two_dimensions_cross(client: TestClient) -> None:
    create_incident(client, violations=["rape", "sexual_slavery"], admin1="Gao")
    create_incident(client, violations=["rape"], admin1="Mopti")
    create_incident(client, violations=["forced_marriage"], admin1=None)
    result = stats(client, group_by=["violation", "admin1"])
    cells = {(g["key"]["violation"], g["key"]["admin1"]): g["incidents"] for g in result["groups"]}
    assert cells == {
        ("rape", "Gao"): 1,
        ("rape", "Mopti"): 1,
        ("sexual_slavery", "Gao"): 1,
        ("forced_marriage", None): 1,
    }
    assert result["total"]["incidents"] == 3
    regions = {g["key"]["admin1"]: g["incidents"] for g in result["margins"]["admin1"]}
    assert regions == {"Gao": 1, "Mopti": 1, None: 1}


def test_archived_incidents_leave_the_statistics(client: TestClient) -> None:
    create_incident(client)
    archived = create_incident(client)
    client.delete(f"{API}/incidents/{archived['id']}")
    assert stats(client, group_by="source")["total"] == {"incidents": 1, "victims": 1}


def test_filters_narrow_the_statistics(client: TestClient) -> None:
    create_incident(client, occurred_on="2018-12-31", reported_on="2019-01-02")
    create_incident(client, violations=["forced_marriage"])
    create_incident(client, country="BF", admin1="Sahel")
    assert stats(client, group_by="source", occurred_from="2019-01-01")["total"]["incidents"] == 2
    assert stats(client, group_by="source", violation="forced_marriage")["total"]["incidents"] == 1
    assert stats(client, group_by="source", country="bf")["total"]["incidents"] == 1
    assert stats(client, group_by="source", admin1=["Sahel", "Mopti"])["total"]["incidents"] == 3


def test_empty_database_gives_zero_counts_with_every_group_listed(client: TestClient) -> None:
    result = stats(client, group_by="verification_status")
    assert result["total"] == {"incidents": 0, "victims": 0}
    assert [g["key"]["verification_status"] for g in result["groups"]] == [
        "reported",
        "pending_verification",
        "verified",
        "not_verified",
        "discarded",
        None,
    ]


def test_unknown_dimension_is_refused_with_the_allowed_values(client: TestClient) -> None:
    response = client.get(f"{API}/stats", params={"group_by": "ethnicity"})
    assert response.status_code == 422
    assert field_names(response) == {"group_by[0]"}
    assert "perpetrator_category" in response.json()["errors"][0]["message"]


def test_more_than_two_dimensions_or_none_are_refused(client: TestClient) -> None:
    too_many = client.get(f"{API}/stats", params={"group_by": "source,year,month"})
    assert too_many.status_code == 422 and field_names(too_many) == {"group_by"}
    missing = client.get(f"{API}/stats")
    assert missing.status_code == 422 and field_names(missing) == {"group_by"}


def test_period_in_the_wrong_order_is_refused(client: TestClient) -> None:
    response = client.get(
        f"{API}/stats",
        params={"group_by": "source", "occurred_from": "2020-01-01", "occurred_to": "2019-01-01"},
    )
    assert response.status_code == 422
    assert field_names(response) == {"occurred_to"}


def test_basis_counts_verified_only_or_all_reported_without_discarded(client: TestClient) -> None:
    create_incident(client, verification_status="verified")
    create_incident(client, verification_status="pending_verification")
    create_incident(client)
    create_incident(client, verification_status="discarded")
    everything = stats(client, group_by="verification_status")
    assert everything["basis"] == "all_reported"
    assert everything["total"]["incidents"] == 3
    assert group_counts(everything, "verification_status")["discarded"] == (0, 0)
    verified = stats(client, group_by="source", basis="verified_only")
    assert verified["total"]["incidents"] == 1
    assert verified["basis_meaning"].startswith("Only incidents verified")


def test_every_cross_table_agrees_with_its_one_dimension_tables(client: TestClient) -> None:
    party = create_armed_party(client)
    create_incident(
        client, perpetrators=[{"armed_party_id": party["id"]}, {"category": "civilian"}]
    )
    create_incident(client, victims=[], violations=["rape", "forced_marriage"], admin1=None)
    create_incident(
        client,
        victims=[{"sex": "female", "age": 9}, {"sex": "male", "age": 40}, {"sex": "unknown"}],
        source="ngo",
        occurred_on="2018-05-02",
        date_precision="year",
        reported_on="2018-09-01",
    )
    create_incident(client, perpetrators=[], verification_status="verified", admin1="Gao")
    one_dimension = {name.value: stats(client, group_by=name.value) for name in DimensionName}
    for first in DimensionName:
        for second in DimensionName:
            if first == second:
                continue
            crossed = stats(client, group_by=f"{first.value},{second.value}")
            assert crossed["total"] == one_dimension[first.value]["total"], (first, second)
            for name in (first, second):
                expected = group_counts(one_dimension[name.value], name.value)
                margin = {
                    g["key"][name.value]: (g["incidents"], g["victims"])
                    for g in crossed["margins"][name.value]
                }
                assert margin == expected, (first, second, name)


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client: TestClient) -> None:
    create_incident(client, admin1='=HYPERLINK("http://example.org","x")')
    create_incident(client, admin1="-Mopti")
    response = client.get(f"{API}/stats.csv", params={"group_by": "admin1"})
    rows = [line.split(",")[0] for line in response.text.splitlines()[1:]]
    assert all(not row.lstrip('"').startswith(("=", "-", "+", "@")) for row in rows)
    assert "'-Mopti" in response.text

"""The pattern rule, set by each organisation as data, on parties across three years."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.armed_parties.dossier_helpers import (
    dossier,
    names,
    party_incident,
    party_incidents,
    patterns,
    set_rule,
)
from tests.factories import API, NGO, create_armed_party, field_names


def _three_years(client: TestClient) -> dict[str, dict]:
    """Four parties over 2017-2019, against "2 verified a year in 2 of the last 3 years"."""
    parties = {
        name: create_armed_party(client, name)
        for name in ("Ansar Eddine", "MUJAO", "Katiba Macina", "Groupe d'autodéfense")
    }
    party_incidents(client, parties["Ansar Eddine"], {2017: 2, 2019: 2})  # exactly enough
    party_incidents(client, parties["MUJAO"], {2018: 2, 2019: 1})  # one incident short
    party_incidents(client, parties["Katiba Macina"], {2016: 3, 2019: 2})  # 2016 is outside
    # Verified in one year, only reported in the other: reports are not verified incidents.
    party_incidents(client, parties["Groupe d'autodéfense"], {2018: 2})
    party_incidents(client, parties["Groupe d'autodéfense"], {2019: 2}, status="reported")
    return parties


def test_parties_meet_the_rule_exactly_at_its_boundary_and_not_one_incident_below(
    client: TestClient,
) -> None:
    parties = _three_years(client)
    assert set_rule(client, 2, 2, 3).status_code == 200

    table = patterns(client, 2019)
    assert names(table["meeting"]) == ["Ansar Eddine"]
    assert table["undetermined"] == []
    meeting = table["meeting"][0]["pattern"]
    assert [(y["year"], y["incidents"], y["status"]) for y in meeting["years"]] == [
        (2017, 2, "met"),
        (2018, 0, "not_met"),
        (2019, 2, "met"),
    ]
    expected = {
        "Ansar Eddine": "meets",
        "MUJAO": "does_not_meet",
        "Katiba Macina": "does_not_meet",
        "Groupe d'autodéfense": "does_not_meet",
    }
    for name, party in parties.items():
        assert dossier(client, party, year=2019)["pattern"]["status"] == expected[name], name


def test_the_rule_is_evaluated_for_the_year_asked_about(client: TestClient) -> None:
    parties = _three_years(client)
    set_rule(client, 2, 2, 3)
    assert names(patterns(client, 2018)["meeting"]) == []  # window 2016-2018
    set_rule(client, 2, 1, 1, version=1)  # "at least 2 a year": that year alone
    assert names(patterns(client, 2019)["meeting"]) == ["Ansar Eddine", "Katiba Macina"]
    assert names(patterns(client, 2016)["meeting"]) == ["Katiba Macina"]
    assert dossier(client, parties["MUJAO"], year=2018)["pattern"]["status"] == "meets"


def test_without_a_rule_of_its_own_an_organisation_gets_two_of_the_last_three_years(
    client: TestClient,
) -> None:
    rule = client.get(f"{API}/armed-parties/pattern-rule").json()
    assert (rule["min_incidents_per_year"], rule["years_required"], rule["window_years"]) == (
        1,
        2,
        3,
    )
    assert rule["is_default"] is True
    party = create_armed_party(client, "Ansar Eddine")
    party_incidents(client, party, {2018: 1, 2019: 1})
    assert names(patterns(client, 2019)["meeting"]) == ["Ansar Eddine"]
    assert names(patterns(client, 2021)["meeting"]) == []


def test_each_organisation_sets_its_own_rule(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    party_incidents(client, party, {2019: 2})
    set_rule(client, 2, 1, 1)
    ngo_adviser = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    set_rule(ngo_adviser, 3, 1, 1)
    assert client.get(f"{API}/armed-parties/pattern-rule").json()["min_incidents_per_year"] == 2
    assert dossier(client, party, year=2019)["pattern"]["status"] == "meets"
    assert ngo_adviser.get(f"{API}/armed-parties/pattern-rule").json()["version"] == 1
    # To the NGO the mission's two incidents are another organisation's, hidden ("<5"): they
    # may be three or more as far as it can tell, so its rule of three cannot be decided.
    theirs = dossier(ngo_adviser, party, year=2019)["pattern"]
    assert (theirs["years"][0]["incidents"], theirs["status"]) == ("<5", "undetermined")


def test_changing_the_rule_needs_the_version_it_is_based_on_and_is_audited(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    created = set_rule(client, 1, 2, 3)
    assert created.status_code == 200
    assert created.headers["ETag"] == '"1"'
    assert set_rule(client, 2, 2, 3).status_code == 428
    assert set_rule(client, 2, 2, 3, version=5).status_code == 409
    stale = client.put(
        f"{API}/armed-parties/pattern-rule",
        json={"min_incidents_per_year": 2, "years_required": 2, "window_years": 3},
        headers={"If-Match": '"4"'},
    )
    assert stale.status_code == 412
    changed = set_rule(client, 2, 2, 3, version=1)
    assert changed.json()["version"] == 2
    assert changed.json()["is_default"] is False
    admin = client_for(Role.ADMIN)
    events = admin.get(f"{API}/audit", params={"record_type": "pattern_rule"}).json()["items"]
    actions = sorted((e["action"], tuple(e["fields"])) for e in events)
    assert actions == [
        ("pattern_rule.create", ("min_incidents_per_year", "window_years", "years_required")),
        ("pattern_rule.update", ("min_incidents_per_year",)),
    ]


def test_a_rule_that_cannot_be_met_is_refused_naming_the_field(client: TestClient) -> None:
    response = set_rule(client, 1, 3, 2)
    assert response.status_code == 422
    assert field_names(response) == {"window_years"}
    response = set_rule(client, 0, 1, 1)
    assert field_names(response) == {"min_incidents_per_year"}
    assert client.get(f"{API}/armed-parties/pattern-rule").json()["is_default"] is True


def test_report_writers_read_the_rule_and_the_table_but_do_not_set_the_rule(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    writer = client_for(Role.REPORT_WRITER)
    assert set_rule(writer, 1, 1, 1).status_code == 403
    assert writer.get(f"{API}/armed-parties/pattern-rule").status_code == 200
    party = create_armed_party(client, "Ansar Eddine")
    party_incident(client, party, "2019-03-10")
    party_incident(client, party, "2018-03-10")
    assert names(patterns(writer, 2019)["meeting"]) == ["Ansar Eddine"]
    assert set_rule(client_for(Role.ADMIN), 1, 1, 1).status_code == 200


def test_a_window_reaching_before_1900_finds_nothing_there_rather_than_failing(
    client: TestClient,
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    party_incident(client, party, "1900-03-10")
    set_rule(client, 1, 1, 3)
    table = patterns(client, 1900)
    assert names(table["meeting"]) == ["Ansar Eddine"]
    assert [y["year"] for y in table["meeting"][0]["pattern"]["years"]] == [1898, 1899, 1900]

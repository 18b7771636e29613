"""A party's dossier: every figure is the one /stats publishes for the party, other
organisations' data counted only with consent and protected, and their references never shown."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.armed_parties.dossier_helpers import (
    dossier,
    names,
    party_incident,
    patterns,
    set_rule,
)
from tests.factories import API, NGO, create_armed_party, field_names

TABLES = ("by_year", "by_quarter", "by_violation", "by_region", "by_victim_category")


def _mixed_records(client: TestClient, ngo: TestClient) -> dict:
    party = create_armed_party(client, "Ansar Eddine")
    other = create_armed_party(client, "MUJAO")
    party_incident(
        client,
        party,
        "2018-02-03",
        admin1="Gao",
        violations=["rape", "forced_marriage"],
        victims=[{"sex": "female", "age": 15}, {"sex": "female", "age": 30}],
    )
    party_incident(client, party, "2019-08-14", admin1="Mopti")
    party_incident(client, party, "2019-01-01", date_precision="year")  # no quarter
    party_incident(client, party, "2019-05-05", status="reported")  # not verified
    party_incident(client, other, "2019-05-05")  # another party
    for day in ("2019-04-02", "2019-07-09", "2019-10-10", "2017-03-03", "2019-11-11"):
        party_incident(ngo, party, day, admin1="Tombouctou")
    return party


def test_every_table_of_the_dossier_is_the_one_stats_publishes_for_the_party(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    ngo = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    party = _mixed_records(client, ngo)
    for caller in (client, client_for(Role.REPORT_WRITER), ngo):
        result = dossier(caller, party, year=2019)
        for name in TABLES:
            table = result[name]
            assert "armed_party_id=" in table["stats_query"]
            assert "basis=verified_only" in table["stats_query"]
            stats = caller.get(table["stats_query"])
            assert stats.status_code == 200, stats.text
            assert table["groups"] == stats.json()["groups"], name
            assert table["total"] == stats.json()["total"], name
        assert result["total"] == result["by_year"]["total"]


def test_the_callers_own_figures_are_exact_and_only_verified_incidents_count(
    client: TestClient,
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    party_incident(
        client,
        party,
        "2018-02-03",
        admin1="Gao",
        violations=["rape", "forced_marriage"],
        victims=[{"sex": "female", "age": 15}, {"sex": "female", "age": 30}],
    )
    party_incident(client, party, "2019-08-14", admin1="Mopti")
    party_incident(client, party, "2019-01-01", date_precision="year")
    party_incident(client, party, "2019-05-05", status="reported")
    result = dossier(client, party, year=2019)
    assert result["total"] == {"incidents": 3, "victims": 4}
    by_year = {
        g["key"]["year"]: (g["incidents"], g["victims"]) for g in result["by_year"]["groups"]
    }
    assert by_year == {2018: (1, 2), 2019: (2, 2), None: (0, 0)}
    quarters = {g["key"]["quarter"]: g["incidents"] for g in result["by_quarter"]["groups"]}
    assert quarters == {"2018-Q1": 1, "2019-Q3": 1, None: 1}  # known only to the year
    forms = {g["key"]["violation"]: g["incidents"] for g in result["by_violation"]["groups"]}
    assert (forms["rape"], forms["forced_marriage"]) == (3, 1)
    victims = {
        g["key"]["victim_category"]: g["victims"] for g in result["by_victim_category"]["groups"]
    }
    assert (victims["woman"], victims["girl"]) == (3, 1)
    assert result["protection"]["applied"] is False
    first, last = result["first_verified"], result["last_verified"]
    assert (first["year"], first["quarter"]) == (2018, "2018-Q1")
    assert (last["year"], last["quarter"]) == (2019, "2019-Q3")
    assert first["own_incident"]["occurred_on"] == "2018-02-03"
    assert first["own_incident"]["reference"].startswith("ML-2018-")
    assert last["own_incident"]["occurred_on"] == "2019-08-14"


def test_other_organisations_data_is_protected_and_their_references_never_shown(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    ngo = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    party = create_armed_party(client, "Ansar Eddine")
    theirs = party_incident(ngo, party, "2019-04-02")
    unconsented = {"sex": "female", "age": 30, "consent": {"statistics": False}}
    party_incident(ngo, party, "2018-04-02", victims=[unconsented])
    response = client.get(f"{API}/armed-parties/{party['id']}/dossier", params={"year": 2019})
    result = response.json()
    assert theirs["reference"] not in response.text
    by_year = {g["key"]["year"]: g["incidents"] for g in result["by_year"]["groups"]}
    assert by_year == {2019: "<5", None: 0}  # 2018's survivor did not consent
    assert result["suppression"]["applied"] is True
    assert result["protection"]["applied"] is True
    assert result["first_verified"]["own_incident"] is None
    assert result["first_verified"]["year"] == 2019  # a hidden figure is never 0
    assert result["first_verified"]["quarter"] == "2019-Q2"


def test_the_rule_read_from_a_hidden_figure_says_undetermined_rather_than_reveal_it(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    """One incident of the NGO for one party, two for the other: both figures are hidden, and
    the verdict on "at least 2 in 2019" is the same for both, so it tells neither count."""
    ngo = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    one, two = create_armed_party(client, "Ansar Eddine"), create_armed_party(client, "MUJAO")
    party_incident(ngo, one, "2019-04-02")
    party_incident(ngo, two, "2019-04-02")
    party_incident(ngo, two, "2019-06-02")
    set_rule(client, 2, 1, 1)
    verdicts = [dossier(client, party, year=2019)["pattern"] for party in (one, two)]
    assert [v["status"] for v in verdicts] == ["undetermined", "undetermined"]
    assert [v["years"][0]["incidents"] for v in verdicts] == ["<5", "<5"]
    table = patterns(client, 2019)
    assert table["meeting"] == []
    assert names(table["undetermined"]) == ["Ansar Eddine", "MUJAO"]
    # One a year is reached by any hidden figure (it is at least 1): that much it may say.
    set_rule(client, 1, 1, 1, version=1)
    assert names(patterns(client, 2019)["meeting"]) == ["Ansar Eddine", "MUJAO"]
    # The NGO's own figures are exact for it.
    set_rule(ngo, 2, 1, 1)
    assert names(patterns(ngo, 2019)["meeting"]) == ["MUJAO"]


def test_the_patterns_table_reads_the_same_figures_as_each_dossier(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    ngo = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    party = _mixed_records(client, ngo)
    set_rule(client, 1, 1, 3)
    row = next(r for r in patterns(client, 2019)["meeting"] if r["party"]["id"] == party["id"])
    assert row["pattern"] == dossier(client, party, year=2019)["pattern"]
    assert row["dossier"] == f"{API}/armed-parties/{party['id']}/dossier?year=2019"


def test_bad_dossier_and_patterns_requests_are_refused_naming_the_parameter(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    url = f"{API}/armed-parties/{party['id']}/dossier"
    for year in ("abc", "1899", "2101"):
        response = client.get(url, params={"year": year})
        assert response.status_code == 422
        assert field_names(response) == {"year"}
    assert field_names(client.get(url, params={"yaer": 2019})) == {"yaer"}
    assert field_names(client.get(f"{API}/armed-parties/patterns")) == {"year"}
    unknown = client.get(f"{API}/armed-parties/00000000-0000-0000-0000-000000000000/dossier")
    assert unknown.status_code == 404
    assert client.get(f"{API}/armed-parties/not-an-id/dossier").status_code == 422
    judge = client_for(Role.JUDICIAL_TRACKER)
    assert judge.get(url).status_code == 403

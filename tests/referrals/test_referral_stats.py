"""/stats by service_kind and referral_status, and the measures victims referred and victims who
received a service: each victim counted once per group and once in the total, exact for the
caller's own records, protected by the cell key for another organisation's."""

import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Victim
from app.models.enums import Role
from app.stats.cellkey import cell_key, perturbed
from app.stats.kept import kept_counts_answer
from app.stats.schemas import StatsQuery
from tests.factories import API, NGO, create_incident, group_counts, stats
from tests.referrals.helpers import move, refer, referrals_url

SHARED = {"consent": {"referral": True, "statistics": True}}
WOMAN = {"sex": "female", "age": 30, **SHARED}
GIRL = {"sex": "female", "age": 12, **SHARED}


def _refer(client: TestClient, incident: dict[str, Any], index: int, kind: str) -> dict[str, Any]:
    url = referrals_url(incident, index)
    response = refer(client, url, None, outside_name="CSCOM", service_kind=kind)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _serve(client: TestClient, referral: dict[str, Any]) -> None:
    accepted = move(client, referral, "accepted", "2019-03-21")
    assert move(client, accepted.json(), "service_provided", "2019-03-22").status_code == 200


def _fixture(client: TestClient) -> None:
    """Four incidents: a woman referred to health (provided) and to psychosocial care, beside a
    girl never referred; a woman referred to psychosocial care; nobody recorded; a woman never
    referred."""
    first = create_incident(client, victims=[WOMAN, GIRL])
    _serve(client, _refer(client, first, 0, "health_medical"))
    _refer(client, first, 0, "psychosocial")
    second = create_incident(client, victims=[WOMAN])
    _refer(client, second, 0, "psychosocial")
    _refer(client, second, 0, "psychosocial")  # twice to the same kind: still one victim there
    create_incident(client, victims=[])
    create_incident(client, victims=[WOMAN])


def test_victims_count_once_per_service_kind_and_once_in_the_total(client: TestClient) -> None:
    _fixture(client)
    result = stats(client, group_by="service_kind")
    groups = group_counts(result, "service_kind")
    assert groups["health_medical"] == (1, 1)
    assert groups["psychosocial"] == (2, 2)
    assert groups["education"] == (0, 0)
    # The never referred: the girl and the last woman, and the incident with nobody recorded.
    assert groups[None] == (3, 2)
    assert (result["total"]["incidents"], result["total"]["victims"]) == (4, 4)
    [info] = result["dimensions"]
    assert info["victims_in_several_groups"] and info["incidents_in_several_groups"]
    assert info["coverage"]["victims_sum_over_groups"] == 3  # the first woman in two groups
    assert result["measure"] == "all_victims"
    statuses = group_counts(stats(client, group_by="referral_status"), "referral_status")
    assert statuses["referred"] == (2, 2)  # the first woman's psychosocial referral, the second's
    assert statuses["service_provided"] == (1, 1)
    assert statuses["accepted"] == (0, 0)
    assert statuses[None] == (3, 2)


def test_victims_referred_and_served_are_measures_of_any_table(client: TestClient) -> None:
    _fixture(client)
    referred = stats(client, group_by="victim_category", measure="victims_referred")
    assert referred["measure"] == "victims_referred" and referred["measure_meaning"]
    assert group_counts(referred, "victim_category")["woman"] == (2, 2)
    assert group_counts(referred, "victim_category")["girl"] == (0, 0)
    assert (referred["total"]["incidents"], referred["total"]["victims"]) == (2, 2)
    by_year = stats(client, group_by="year", measure="victims_served")
    assert group_counts(by_year, "year")[2019] == (1, 1)
    assert (by_year["total"]["incidents"], by_year["total"]["victims"]) == (1, 1)
    served = group_counts(
        stats(client, group_by="service_kind", measure="victims_served"), "service_kind"
    )
    # Only the referrals whose service was provided give a victim a kind.
    assert served["health_medical"] == (1, 1) and served["psychosocial"] == (0, 0)
    assert served[None] == (0, 0)
    crossed = stats(client, group_by="service_kind,victim_category")
    cells = {
        (g["key"]["service_kind"], g["key"]["victim_category"]): g["victims"]
        for g in crossed["groups"]
    }
    assert cells[("psychosocial", "woman")] == 2 and cells[(None, "girl")] == 1
    assert cells[(None, "woman")] == 1 and ("health_medical", "girl") not in cells
    margins = {
        g["key"]["victim_category"]: g["victims"] for g in crossed["margins"]["victim_category"]
    }
    assert margins["woman"] == 3 and margins["girl"] == 1
    csv = client.get(
        f"{API}/stats.csv", params={"group_by": "service_kind", "measure": "victims_referred"}
    )
    assert csv.status_code == 200
    assert csv.text.splitlines()[0] == "service_kind,incidents,victims_referred"
    assert "health_medical,1,1" in csv.text.splitlines()


def test_an_unknown_measure_is_named(client: TestClient) -> None:
    response = client.get(f"{API}/stats", params={"group_by": "year", "measure": "victims_fed"})
    assert response.status_code == 422
    assert any(e["field"] == "measure" for e in response.json()["errors"]), response.text


def test_the_kept_counts_never_answer_for_referrals() -> None:
    assert kept_counts_answer(StatsQuery(group_by=["year"]))
    assert not kept_counts_answer(StatsQuery(group_by=["year"], measure="victims_referred"))
    assert not kept_counts_answer(StatsQuery(group_by=["service_kind"]))
    assert not kept_counts_answer(StatsQuery(group_by=["referral_status", "year"]))


def _victim_keys(app: FastAPI, incidents: list[dict[str, Any]]) -> int:
    ids = [uuid.UUID(incident["victims"][0]["id"]) for incident in incidents]
    with app.state.session_factory() as session:
        keys = session.scalars(select(Victim.record_key).where(Victim.id.in_(ids))).all()
    return sum(keys)


def test_another_organisation_gets_the_referral_figures_protected(
    client: TestClient, client_for: Any, app: FastAPI
) -> None:
    consented = [create_incident(client, victims=[WOMAN]) for _ in range(7)]
    for incident in consented:
        _refer(client, incident, 0, "health_medical")
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)

    def theirs() -> dict[str, Any]:
        result = stats(outsider, group_by="service_kind", measure="victims_referred")
        return {"health": group_counts(result, "service_kind")["health_medical"], **result}

    before = theirs()
    # Survivors who did not consent to statistics change nothing another organisation sees.
    for _ in range(3):
        hidden = create_incident(
            client, victims=[{"sex": "female", "age": 30, "consent": {"referral": True}}]
        )
        _refer(client, hidden, 0, "health_medical")
    after = theirs()
    assert after["health"] == before["health"]
    assert after["total"] == before["total"]
    # The figure is the cell key's: the count perturbed by the sum of the victims' record keys.
    expected = perturbed(7, cell_key(_victim_keys(app, consented)))
    assert after["health"][1] == expected and abs(expected - 7) <= 2
    assert after["protection"]["applied"] is True
    # The owner's figures are exact, the victims without consent included.
    mine = group_counts(
        stats(client, group_by="service_kind", measure="victims_referred"), "service_kind"
    )
    assert mine["health_medical"] == (10, 10)


def test_a_few_other_organisations_victims_are_hidden_never_shown(
    client: TestClient, client_for: Any
) -> None:
    incident = create_incident(client, victims=[WOMAN, GIRL])
    _serve(client, _refer(client, incident, 0, "health_medical"))
    _refer(client, incident, 1, "psychosocial")
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)
    for params in (
        {"group_by": "service_kind"},
        {"group_by": "referral_status", "measure": "victims_referred"},
        {"group_by": "victim_category", "measure": "victims_served"},
    ):
        result = stats(outsider, **params)
        figures = [g[m] for g in result["groups"] for m in ("incidents", "victims")]
        figures += [result["total"]["incidents"], result["total"]["victims"]]
        assert set(figures) <= {0, "<5"}, (params, figures)
        assert "<5" in figures and result["suppression"]["applied"] is True

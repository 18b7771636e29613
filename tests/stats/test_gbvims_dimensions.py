"""Statistics by the GBVIMS intake dimensions: exact for the caller's own organisation, with the
no-value bucket shown; protected by the cell-key method for another organisation, victims counted
per victim with statistics consent exactly as by victim category."""

from collections import defaultdict
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import and_, select

from app.models import Incident, Victim, VictimConsent
from app.models.enums import ConsentKind, Role
from app.stats.cellkey import cell_key, perturbed
from app.stats.kept import kept_counts_answer
from app.stats.schemas import StatsQuery
from tests.factories import NGO, create_incident, group_counts, stats

CONSENTING = {"sex": "female", "age": 25, "consent": {"statistics": True}}
DECLINING = {"sex": "female", "age": 30, "consent": {"statistics": False}}
NEW_DIMENSIONS = (
    "time_of_day",
    "place_type",
    "displacement_stage",
    "reporting_delay",
    "gbv_type",
    "country",
    "displacement_status",
    "disability",
    "age_group",
)


def test_own_figures_by_incident_dimensions_are_exact_with_the_no_value_bucket(
    client: TestClient, client_for
) -> None:
    create_incident(client, time_of_day="morning", place_type="market", gbv_type="rape")
    create_incident(client, time_of_day="morning", place_type="farm", gbv_type="rape")
    create_incident(client, time_of_day="evening_night", displacement_stage="during_flight")
    create_incident(client, victims=[], country="BF")
    writer = client_for(Role.REPORT_WRITER)

    by_time = group_counts(stats(writer, group_by="time_of_day"), "time_of_day")
    assert by_time["morning"] == (2, 2) and by_time["evening_night"] == (1, 1)
    assert by_time["afternoon"] == (0, 0) and by_time[None] == (1, 0)
    by_place = group_counts(stats(writer, group_by="place_type"), "place_type")
    assert by_place["market"] == (1, 1) and by_place["farm"] == (1, 1)
    assert by_place[None] == (2, 1) and by_place["water_point"] == (0, 0)
    by_stage = group_counts(stats(writer, group_by="displacement_stage"), "displacement_stage")
    assert by_stage["during_flight"] == (1, 1) and by_stage[None] == (3, 2)
    by_type = group_counts(stats(writer, group_by="gbv_type"), "gbv_type")
    assert by_type["rape"] == (2, 2) and by_type[None] == (2, 1)
    by_country = group_counts(stats(writer, group_by="country"), "country")
    assert by_country == {"ML": (3, 3), "BF": (1, 0), None: (0, 0)}


def test_reporting_delay_is_banded_from_the_dates_and_unknown_for_imprecise_dates(
    client: TestClient, client_for
) -> None:
    for reported_on in ("2019-03-17", "2019-03-19", "2019-03-28", "2019-04-13", "2019-04-14"):
        create_incident(client, occurred_on="2019-03-14", reported_on=reported_on)
    create_incident(client, occurred_on="2019-03-14", date_precision="month")
    create_incident(client, occurred_on="2019-03-14", date_precision="year")

    result = stats(client_for(Role.REPORT_WRITER), group_by="reporting_delay")
    assert group_counts(result, "reporting_delay") == {
        "0_3_days": (1, 1),  # 3 days
        "4_5_days": (1, 1),  # 5 days
        "6_14_days": (1, 1),  # 14 days
        "2_weeks_1_month": (1, 1),  # 30 days
        "over_1_month": (1, 1),  # 31 days
        None: (2, 2),  # known only to the month or the year: never guessed
    }


def test_own_figures_by_victim_dimensions_count_each_victim_once(
    client: TestClient, client_for
) -> None:
    create_incident(
        client,
        victims=[
            {"sex": "female", "age": 8, "displacement_status": "idp", "disability": "yes"},
            {"sex": "female", "age_group": "child", "displacement_status": "resident"},
            {"sex": "male", "age": 70, "disability_kind": "sensory"},
        ],
    )
    create_incident(client, victims=[{"sex": "female", "age_group": "26-40"}])
    create_incident(client, victims=[])
    writer = client_for(Role.REPORT_WRITER)

    by_age = group_counts(stats(writer, group_by="age_group"), "age_group")
    assert by_age["0-11"] == (1, 1) and by_age["61+"] == (1, 1) and by_age["26-40"] == (1, 1)
    assert by_age["unknown"] == (1, 1)  # known only as a child: no band
    assert "child" not in by_age and by_age[None] == (1, 0)
    by_status = group_counts(stats(writer, group_by="displacement_status"), "displacement_status")
    assert by_status["idp"] == (1, 1) and by_status["resident"] == (1, 1)
    assert by_status["unknown"] == (2, 2) and by_status["stateless"] == (0, 0)
    assert by_status[None] == (1, 0)
    by_disability = group_counts(stats(writer, group_by="disability"), "disability")
    # The kind alone answers yes.
    assert by_disability["yes"] == (1, 2) and by_disability["unknown"] == (2, 2)

    # Two victim-level dimensions: each victim in the group of their pair of values.
    cross = stats(writer, group_by="age_group,displacement_status")
    cells = {
        (g["key"]["age_group"], g["key"]["displacement_status"]): (g["incidents"], g["victims"])
        for g in cross["groups"]
    }
    assert cells[("0-11", "idp")] == (1, 1) and cells[("unknown", "resident")] == (1, 1)
    assert cells[("61+", "unknown")] == (1, 1)
    assert cross["total"] == {"incidents": 3, "victims": 4}


def _expected_for_outsider(app: FastAPI, value_of: Any) -> dict[Any, tuple[int, int]]:
    """{value: (incidents, victims)} as another organisation must see them: the counts shared
    with statistics consent, moved by the cell key of the records they count."""
    consent = and_(
        VictimConsent.victim_id == Victim.id,
        VictimConsent.kind == ConsentKind.STATISTICS,
        VictimConsent.granted.is_(True),
    )
    with app.state.engine.connect() as connection:
        rows = connection.execute(
            select(Incident.id, Incident.record_key, Victim.record_key, value_of)
            .join(Victim, Victim.incident_id == Incident.id)
            .join(VictimConsent, consent)
        ).all()
    incidents: dict[Any, dict[Any, int]] = defaultdict(dict)
    victims: dict[Any, list[int]] = defaultdict(list)
    for incident_id, incident_key, victim_key, value in rows:
        incidents[value][incident_id] = incident_key
        victims[value].append(victim_key)
    return {
        value: (
            perturbed(len(keys), cell_key(sum(keys.values()))),
            perturbed(len(victims[value]), cell_key(sum(victims[value]))),
        )
        for value, keys in incidents.items()
    }


def test_other_organisations_see_victim_dimensions_protected_and_only_with_consent(
    app: FastAPI, client: TestClient, client_for
) -> None:
    for _ in range(9):
        create_incident(
            client,
            victims=[
                {**CONSENTING, "displacement_status": "refugee"},
                {**DECLINING, "displacement_status": "refugee"},  # never counted for others
            ],
        )
    for _ in range(11):
        create_incident(client, victims=[{**CONSENTING, "age": 15, "displacement_status": "idp"}])
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)

    expected = _expected_for_outsider(app, Victim.displacement_status)
    by_status = group_counts(stats(outsider, group_by="displacement_status"), "displacement_status")
    assert by_status["refugee"] == expected["refugee"]
    assert by_status["idp"] == expected["idp"]
    assert by_status[None] == (0, 0)
    # The same victims, counted as by victim category.
    by_category = group_counts(stats(outsider, group_by="victim_category"), "victim_category")
    assert by_category["woman"] == expected["refugee"]
    assert by_category["girl"] == expected["idp"]

    own = group_counts(
        stats(client_for(Role.REPORT_WRITER), group_by="displacement_status"),
        "displacement_status",
    )
    assert own["refugee"] == (9, 18) and own["idp"] == (11, 11)


def test_other_organisations_see_incident_dimensions_protected(
    app: FastAPI, client: TestClient, client_for
) -> None:
    for _ in range(12):
        create_incident(client, victims=[CONSENTING], place_type="water_point")
    for _ in range(8):
        create_incident(client, victims=[CONSENTING], place_type="latrine")
    outsider = client_for(Role.REPORT_WRITER, organisation=NGO)

    expected = _expected_for_outsider(app, Incident.place_type)
    by_place = group_counts(stats(outsider, group_by="place_type"), "place_type")
    assert by_place["water_point"] == expected["water_point"]
    assert by_place["latrine"] == expected["latrine"]
    assert by_place[None] == (0, 0)


def test_new_dimensions_are_counted_from_the_incidents_except_the_country() -> None:
    answered = {
        name: kept_counts_answer(StatsQuery.model_validate({"group_by": name}))
        for name in NEW_DIMENSIONS
    }
    assert answered == {name: name == "country" for name in NEW_DIMENSIONS}


def test_figures_by_country_are_the_same_from_the_kept_counts_and_the_incidents(
    client: TestClient, client_for
) -> None:
    for country in ("ML", "ML", "BF"):
        create_incident(client, country=country, victims=[CONSENTING])
    writer = client_for(Role.REPORT_WRITER)
    kept = group_counts(stats(writer, group_by="country"), "country")
    counted = group_counts(stats(writer, group_by="country,place_type"), "country")
    assert kept == {"ML": (2, 2), "BF": (1, 1), None: (0, 0)}
    assert {key: value for key, value in counted.items() if key} == {"ML": (2, 2), "BF": (1, 1)}

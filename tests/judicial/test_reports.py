"""The briefing note's judicial figures: 115 cases pending before the tribunal of Commune III with
no significant act since 2017, none brought to trial, and the ICC's Al Hassan case at trial."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.conftest import wipe
from tests.factories import (
    API,
    MISSION,
    case_event,
    create_case,
    create_court,
    create_incident_for_justice,
    log_in,
    make_user,
    stats,
)

RECENT = (datetime.now(UTC).date() - timedelta(days=400)).isoformat()  # 13 months ago, always


@dataclass(frozen=True)
class Users:
    tracker: TestClient
    writer: TestClient


@pytest.fixture(scope="module")
def users(app: FastAPI) -> Iterator[Users]:
    """The note's cases, loaded once. Tests here use only these clients: the function-scoped
    `client` fixture would wipe the data after the first test."""
    with TestClient(app) as adviser, TestClient(app) as tracker, TestClient(app) as writer:
        writer.headers["Authorization"] = "Bearer " + log_in(
            writer, make_user(app, Role.REPORT_WRITER, organisation=MISSION)
        )
        adviser.headers["Authorization"] = "Bearer " + log_in(
            adviser, make_user(app, Role.PROTECTION_ADVISER, organisation=MISSION)
        )
        tracker.headers["Authorization"] = "Bearer " + log_in(
            tracker, make_user(app, Role.JUDICIAL_TRACKER, organisation=MISSION)
        )
        commune_iii = create_court(
            tracker, "Tribunal de grande instance de la Commune III", country="ML", place="Bamako"
        )
        icc = create_court(
            tracker, "International Criminal Court", "international", place="The Hague"
        )
        for index in range(115):
            incident = create_incident_for_justice(
                adviser,
                occurred_on="2012-06-01",
                reported_on="2013-02-01",
                admin1="Tombouctou",
                verification_status="verified" if index < 40 else "reported",
            )
            stage = "judicial_investigation" if index < 100 else "complaint_filed"
            case = create_case(
                tracker,
                commune_iii,
                [incident],
                stage=stage,
                opened_on="2014-03-05",
                stage_since="2015-01-10",
                last_act_on=f"2017-{1 + index % 12:02d}-15",
            )
            if index >= 110:  # a few saw a hearing recently; still no trial
                assert case_event(tracker, case, "act", RECENT, note="hearing").status_code == 200
        al_hassan = create_incident_for_justice(
            adviser,
            occurred_on="2012-04-01",
            reported_on="2013-01-15",
            admin1="Tombouctou",
            violations=["sexual_slavery", "forced_marriage"],
            verification_status="verified",
        )
        icc_case = create_case(
            tracker,
            icc,
            [al_hassan],
            stage="committed_for_trial",
            opened_on="2018-03-31",
            stage_since="2019-09-30",
            charges=["sexual slavery", "rape", "forced marriage"],
            accused_count=1,
        )
        assert (
            case_event(tracker, icc_case, "stage_change", "2020-07-14", stage="trial").status_code
            == 200
        )
        yield Users(tracker, writer)
    wipe(app)


def test_pending_report_shows_115_before_commune_iii_and_one_icc_trial(users: Users) -> None:
    report = users.tracker.get(f"{API}/judicial-cases/pending").json()
    assert report["total"] == 116
    courts = {group["court"]["name"]: group for group in report["courts"]}
    commune = courts["Tribunal de grande instance de la Commune III"]
    assert commune["count"] == 115
    stages = {stage["stage"]: stage["count"] for stage in commune["stages"]}
    assert stages == {"complaint_filed": 15, "judicial_investigation": 100}
    assert "trial" not in stages  # none brought to trial
    icc = courts["International Criminal Court"]
    assert [(s["stage"], s["count"]) for s in icc["stages"]] == [("trial", 1)]
    case = icc["stages"][0]["cases"][0]
    assert case["stage_since"] == "2020-07-14"
    assert case["days_in_stage"] == (date.today() - date(2020, 7, 14)).days


def test_stalled_report_finds_the_cases_without_an_act_since_2017(users: Users) -> None:
    five_years = users.tracker.get(f"{API}/judicial-cases/stalled", params={"months": 60}).json()
    assert five_years["total"] == 110 + 1  # and the ICC case, whose last act opened the trial
    assert all(case["last_act_on"].startswith("2017") for case in five_years["cases"][:110])
    assert five_years["cases"][0]["last_act_on"] == "2017-01-15"
    a_year = users.tracker.get(f"{API}/judicial-cases/stalled", params={"months": 12}).json()
    assert a_year["total"] == 116
    assert min(case["months_since_last_act"] for case in a_year["cases"]) == 13


def test_statistics_say_how_many_verified_incidents_reached_trial(users: Users) -> None:
    writer = users.writer
    result = stats(writer, group_by="judicial_stage", basis="verified_only")
    stages = {g["key"]["judicial_stage"]: g["incidents"] for g in result["groups"]}
    assert stages["trial"] == 1
    assert stages["judicial_investigation"] == 40
    assert stages["complaint_filed"] == 0
    courts = stats(writer, group_by="court", basis="verified_only")
    by_court = {g["key"]["court"]: g["incidents"] for g in courts["groups"]}
    assert by_court == {
        "International Criminal Court": 1,
        "Tribunal de grande instance de la Commune III": 40,
        None: 0,
    }


def test_bad_stalled_parameter_is_refused(users: Users) -> None:
    response = users.tracker.get(f"{API}/judicial-cases/stalled", params={"months": 0})
    assert response.status_code == 422

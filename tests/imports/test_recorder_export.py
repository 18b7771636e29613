"""The Incident Recorder export: what partners read, and the same figures once re-imported."""

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.imports.recorder_vocabulary import COLUMNS
from app.models.enums import Role
from tests.factories import API, NGO, create_incident, group_counts, stats
from tests.imports.test_recorder_import import SURVIVOR_CODE, awkward_rows
from tests.imports.workbooks import ENGLISH, recorder_row, upload, workbook_bytes

EXPORT = f"{API}/exports/incident-recorder.xlsx"
ROUND_TRIP_DIMENSIONS = (
    "gbv_type",
    "violation",
    "victim_category",
    "age_group",
    "perpetrator_category",
    "displacement_status",
    "disability",
    "time_of_day",
    "place_type",
    "displacement_stage",
    "reporting_delay",
    "admin1",
    "month",
    "source",
)


def _sheet(response: object) -> list[list[object]]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)  # type: ignore[attr-defined]
    assert book.sheetnames == ["Incident Data"]
    return [list(row) for row in book["Incident Data"].iter_rows(values_only=True)]


def _many_rows() -> list[dict]:
    """The awkward rows and more, so that every dimension has several values."""
    extra = [
        recorder_row(
            incident_id=f"IR-1{n}",
            date_of_birth=None if n % 3 == 0 else f"0{n % 9 + 1}/02/19{60 + n}",
            sex=("F", "M", None)[n % 3],
            gbv_type=("Rape", "Sexual Assault", "Forced Marriage")[n % 3],
            perpetrator_count=(1, 2, 3, "More than 3")[n % 4],
            perpetrator_sex=("M", "F", "M and F", None)[n % 4],
            perpetrator_age_group=("Age 0 - 11", "Age 41 - 60", "Unknown", None)[n % 4],
            perpetrator_relationship=("Primary Caregiver", "Unknown", None, "Other")[n % 4],
            perpetrator_occupation=("Farmer", None, "Armed Forces", "Peacekeeper")[n % 4],
            disability=("No", "Yes", "Unknown", "Sensory Disability")[n % 4],
            displacement_status=("Refugee", "Returnee", None, "Stateless Person")[n % 4],
            county=("Gao", "Kidal", None, "Mopti")[n % 4],
            consent=("Yes", "No", None)[n % 3],
            date_of_incident=f"{n + 1:02d}/0{n % 9 + 1}/2018",
            date_of_interview=f"{n + 2:02d}/0{n % 9 + 1}/2018",
        )
        for n in range(12)
    ]
    return awkward_rows() + extra


def test_the_export_writes_the_recorder_columns_in_order(client: TestClient) -> None:
    upload(client, workbook_bytes(awkward_rows()))
    response = client.get(EXPORT, params={"occurred_from": "2019-01-01"})
    assert response.status_code == 200, response.text
    rows = _sheet(response)
    assert rows[0] == ENGLISH and len(rows) == 4
    by_id = {row[0]: dict(zip([c.key for c in COLUMNS], row, strict=True)) for row in rows[1:]}
    first = by_id["IR-0001"]
    assert (first["sex"], first["gbv_type"], first["perpetrator_count"]) == ("F", "Rape", 2)
    assert first["survivor_code"] is None  # not asked for
    assert str(first["date_of_incident"]).startswith("2019-03-14")
    assert by_id["IR-0002"]["perpetrator_sex"] == "M and F"
    assert by_id["IR-0002"]["perpetrator_count"] == "More than 3"


def test_the_period_filters_the_export(client: TestClient) -> None:
    upload(client, workbook_bytes(awkward_rows()))  # incidents of 14, 15 and 28 March 2019
    response = client.get(
        EXPORT, params={"occurred_from": "2019-03-15", "occurred_to": "2019-03-20"}
    )
    assert [row[0] for row in _sheet(response)[1:]] == ["IR-0002"]


def test_survivor_codes_only_for_advisers_who_ask_and_every_export_audited(
    client: TestClient, client_for
) -> None:
    upload(client, workbook_bytes(awkward_rows()))
    with_codes = _sheet(client.get(EXPORT, params={"include_identity": "true"}))
    assert SURVIVOR_CODE in [row[1] for row in with_codes]
    for role in (Role.REPORT_WRITER, Role.JUDICIAL_TRACKER, Role.ADMIN):
        other = client_for(role)
        assert other.get(EXPORT, params={"include_identity": "true"}).status_code == 403
        assert other.get(EXPORT).status_code == 403
    trail = client_for(Role.ADMIN).get(f"{API}/audit", params={"action": "incident.export"})
    events = trail.json()["items"]
    assert [e["details"]["include_identity"] for e in events] == [True]
    assert events[0]["details"]["rows"] == 3 and events[0]["details"]["survivor_codes_read"] == 2
    assert SURVIVOR_CODE not in trail.text


def test_another_organisation_exports_none_of_the_incidents(client: TestClient, client_for) -> None:
    upload(client, workbook_bytes(awkward_rows()))
    other = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    assert _sheet(other.get(EXPORT, params={"include_identity": "true"}))[1:] == []


def test_text_is_never_written_as_a_formula(client: TestClient) -> None:
    create_incident(client, admin1='=HYPERLINK("http://x")', gbv_type="rape")
    rows = _sheet(client.get(EXPORT))
    book = load_workbook(io.BytesIO(client.get(EXPORT).content))
    cell = book["Incident Data"]["Q2"]
    assert rows[1][16] == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_exporting_then_importing_into_an_empty_organisation_gives_the_same_statistics(
    client: TestClient, client_for
) -> None:
    assert upload(client, workbook_bytes(_many_rows())).json()["created"] == 15
    pair = {"group_by": "gbv_type,victim_category"}
    # While only this organisation has data, its statistics are its own, exactly.
    before = {d: group_counts(stats(client, group_by=d), d) for d in ROUND_TRIP_DIMENSIONS}
    before_pair = stats(client, **pair)["groups"]
    ours = client.get(f"{API}/incidents").json()["items"]
    exported = client.get(EXPORT, params={"include_identity": "true"})
    for incident in ours:  # out of every count, so the partner's figures are theirs alone
        assert client.delete(f"{API}/incidents/{incident['id']}").status_code == 204
    partner = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    report = upload(partner, exported.content, filename="export.xlsx")
    assert report.status_code == 200, report.text
    assert report.json()["created"] == 15
    for dimension in ROUND_TRIP_DIMENSIONS:
        assert group_counts(stats(partner, group_by=dimension), dimension) == before[dimension], (
            dimension
        )
    assert stats(partner, **pair)["groups"] == before_pair
    theirs = partner.get(f"{API}/incidents").json()["items"]
    assert sorted(str(i["perpetrator_count"]) for i in theirs) == sorted(
        str(i["perpetrator_count"]) for i in ours
    )
    shared = sorted(str(i["victims"][0]["consent"]) != "{}" for i in theirs)
    assert shared == sorted(str(i["victims"][0]["consent"]) != "{}" for i in ours)

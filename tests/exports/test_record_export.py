"""The record export: the list's incidents with their victims and perpetrators, as a zip of
CSVs or a workbook, identity only for those who may read it and ask, every export audited."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.exports.service import PAGE_SIZE as EXPORT_PAGE_SIZE
from app.models.enums import Role
from tests.exports.files import workbook_cells, workbook_tables, zip_tables
from tests.factories import (
    API,
    NGO,
    create_armed_party,
    create_case,
    create_court,
    create_incident,
    create_incident_for_justice,
    incident_payload,
)

NAME = "Aminata Traoré"
PHONE = "+223 70 00 00 01"
SUMMARY = "Taken from the well at dawn"
EXPORTS = f"{API}/exports/incidents"
FORMATS = ["csv", "xlsx"]


def export(client: TestClient, file_format: str, **params: Any) -> Any:
    return client.get(f"{EXPORTS}.{file_format}", params=params)


def tables_of(response: Any, file_format: str) -> dict[str, list[dict[str, str]]]:
    assert response.status_code == 200, response.text
    if file_format == "csv":
        assert response.headers["content-type"] == "application/zip"
        return zip_tables(response.content)
    return workbook_tables(response.content)


def _with_identity(client: TestClient, **fields: Any) -> dict[str, Any]:
    return create_incident(
        client,
        summary=SUMMARY,
        victims=[
            {
                "sex": "female",
                "age": 17,
                "identity": {"name": NAME, "contact": PHONE},
                "consent": {"statistics": True, "justice": False},
            },
            {"sex": "male", "age_group": "adult"},
        ],
        **fields,
    )


@pytest.mark.parametrize("file_format", FORMATS)
def test_three_tables_joined_by_reference(client: TestClient, file_format: str) -> None:
    party = create_armed_party(client)
    first = _with_identity(
        client,
        violations=["rape", "sexual_slavery"],
        perpetrators=[{"armed_party_id": party["id"]}, {"category": "unidentified_armed_element"}],
    )
    second = create_incident(client, occurred_on="2020-01-05", reported_on="2020-01-09")

    tables = tables_of(export(client, file_format), file_format)

    incidents = tables["incidents"]
    assert [row["reference"] for row in incidents] == [second["reference"], first["reference"]]
    row = incidents[1]
    assert row["violations"] == "rape sexual_slavery"
    assert (row["victims"], row["perpetrators"], row["occurred_on"]) == ("2", "2", "2019-03-14")
    assert "summary" not in row
    victims = [v for v in tables["victims"] if v["incident_reference"] == first["reference"]]
    assert [(v["victim_number"], v["sex"], v["age"]) for v in victims] == [
        ("1", "female", "17"),
        ("2", "male", ""),
    ]
    assert victims[0]["victim_id"] == first["victims"][0]["id"]
    assert (victims[0]["consent_statistics"], victims[0]["consent_justice"]) == ("yes", "no")
    assert victims[0]["consent_referral"] == "" and victims[0]["has_identity"] == "yes"
    assert "name" not in victims[0]
    perpetrators = [
        p for p in tables["perpetrators"] if p["incident_reference"] == first["reference"]
    ]
    assert [(p["category"], p["armed_party_name"]) for p in perpetrators] == [
        ("non_state_armed_group", "Ansar Eddine"),
        ("unidentified_armed_element", ""),
    ]
    assert len(tables["victims"]) == 3 and len(tables["perpetrators"]) == 3


@pytest.mark.parametrize("file_format", FORMATS)
def test_filters_are_the_lists(client: TestClient, file_format: str) -> None:
    create_incident(client, admin1="Gao", source="ngo")
    kept = create_incident(client, admin1="Mopti", source="ngo", violations=["forced_marriage"])
    create_incident(client, admin1="Mopti", source="gbvims")
    params = {"admin1": "Mopti", "source": "ngo"}
    listed = client.get(f"{API}/incidents", params=params).json()["items"]

    tables = tables_of(export(client, file_format, **params), file_format)

    assert [row["reference"] for row in tables["incidents"]] == [kept["reference"]]
    assert [item["reference"] for item in listed] == [kept["reference"]]
    assert {v["incident_reference"] for v in tables["victims"]} == {kept["reference"]}


def test_a_bad_filter_is_refused_by_name(client: TestClient) -> None:
    response = export(client, "csv", occurred_from="2020-01-01", occurred_to="2019-01-01")
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"occurred_to"}
    assert export(client, "xlsx", colour="red").status_code == 422


def test_archived_incidents_only_when_asked(client: TestClient) -> None:
    archived = create_incident(client, admin1="Gao")
    create_incident(client)
    assert client.delete(f"{API}/incidents/{archived['id']}").status_code == 204
    plain = tables_of(export(client, "csv"), "csv")["incidents"]
    assert archived["reference"] not in {row["reference"] for row in plain}
    every = tables_of(export(client, "csv", include_archived="true"), "csv")["incidents"]
    assert archived["reference"] in {row["reference"] for row in every}


@pytest.mark.parametrize("file_format", FORMATS)
def test_another_organisation_never_sees_the_rows(
    client: TestClient, client_for: Callable[..., TestClient], file_format: str
) -> None:
    _with_identity(client)
    ngo = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    theirs = create_incident(ngo, admin1="Gao")

    tables = tables_of(export(ngo, file_format, include_identity="true"), file_format)

    assert [row["reference"] for row in tables["incidents"]] == [theirs["reference"]]
    assert {v["incident_reference"] for v in tables["victims"]} == {theirs["reference"]}
    assert NAME not in str(tables) and SUMMARY not in str(tables)


@pytest.mark.parametrize("file_format", FORMATS)
def test_identity_goes_to_the_owning_adviser_who_asks(client: TestClient, file_format: str) -> None:
    incident = _with_identity(client)

    tables = tables_of(export(client, file_format, include_identity="true"), file_format)

    assert tables["incidents"][0]["summary"] == SUMMARY
    first, second = tables["victims"]
    # A telephone number starts with +: the CSV escapes it as it would a formula.
    phone = "'" + PHONE if file_format == "csv" else PHONE
    assert (first["name"], first["contact"], first["address"]) == (NAME, phone, "")
    assert first["victim_id"] == incident["victims"][0]["id"]
    assert (second["name"], second["identity_notes"]) == ("", "")


@pytest.mark.parametrize(
    "roles",
    [
        (Role.REPORT_WRITER,),
        (Role.JUDICIAL_TRACKER,),
        (Role.ADMIN,),
        (Role.REPORT_WRITER, Role.JUDICIAL_TRACKER),
    ],
    ids=lambda roles: "+".join(role.value for role in roles),
)
def test_identity_is_refused_to_anyone_else_who_asks(
    client: TestClient, client_for: Callable[..., TestClient], roles: tuple[Role, ...]
) -> None:
    _with_identity(client)
    caller = client_for(*roles)
    for file_format in FORMATS:
        response = export(caller, file_format, include_identity="true")
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert NAME not in response.text


def test_a_tracker_is_told_why_identity_is_refused(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER)
    response = export(tracker, "csv", include_identity="true")
    assert response.status_code == 403
    assert "include_identity" in response.json()["detail"]
    assert export(tracker, "csv").status_code == 200


def test_report_writers_and_admins_export_statistics_not_records(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    create_incident(client)
    for role in (Role.REPORT_WRITER, Role.ADMIN):
        assert export(client_for(role), "csv").status_code == 403
        assert export(client_for(role), "xlsx").status_code == 403
    # An admin who is also an adviser exports as an adviser.
    both = tables_of(export(client_for(Role.ADMIN, Role.PROTECTION_ADVISER), "csv"), "csv")
    assert len(both["incidents"]) == 1


@pytest.mark.parametrize("file_format", FORMATS)
def test_a_tracker_exports_only_incidents_linked_to_cases_without_identity(
    client: TestClient, client_for: Callable[..., TestClient], file_format: str
) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER, Role.PROTECTION_ADVISER)
    linked = create_incident_for_justice(tracker, summary=SUMMARY)
    create_incident_for_justice(tracker, admin1="Gao")
    create_case(tracker, create_court(tracker, "Tribunal de Mopti"), [linked])
    only_tracker = client_for(Role.JUDICIAL_TRACKER)

    tables = tables_of(export(only_tracker, file_format), file_format)

    assert [row["reference"] for row in tables["incidents"]] == [linked["reference"]]
    assert [v["incident_reference"] for v in tables["victims"]] == [linked["reference"]]
    assert "summary" not in tables["incidents"][0] and SUMMARY not in str(tables)


def _audit(client_for: Callable[..., TestClient], action: str) -> list[dict[str, Any]]:
    response = client_for(Role.ADMIN).get(f"{API}/audit", params={"action": action})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_every_export_is_audited_with_its_filter_and_counts(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    _with_identity(client, admin1="Mopti")
    create_incident(client, admin1="Mopti", perpetrators=[])
    create_incident(client, admin1="Gao")

    assert export(client, "csv", admin1="Mopti", source="gbvims").status_code == 200
    assert export(client, "xlsx", include_identity="true").status_code == 200

    (plain,) = _audit(client_for, "incident.export")
    assert plain["details"] == {
        "format": "csv",
        "filter": {"admin1": ["Mopti"], "source": ["gbvims"]},
        "include_identity": False,
        "incidents": 2,
        "victims": 3,
        "perpetrators": 1,
    }
    assert plain["fields"] == []
    (identity,) = _audit(client_for, "identity.export")
    assert identity["details"]["format"] == "xlsx"
    assert identity["details"]["include_identity"] is True
    assert (identity["details"]["incidents"], identity["details"]["victims"]) == (3, 4)
    assert identity["fields"] == ["address", "contact", "name", "notes", "summary"]
    assert NAME not in str(identity)


def test_a_refused_export_writes_no_export_event(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    assert export(client_for(Role.JUDICIAL_TRACKER), "csv", include_identity="true").status_code
    assert _audit(client_for, "identity.export") == []
    assert _audit(client_for, "incident.export") == []


FORMULAS = ['=HYPERLINK("http://example.org","x")', "+1+1", "-2", "@SUM(A1)"]


def test_csv_cells_cannot_run_as_formulas(client: TestClient) -> None:
    for text in FORMULAS:
        create_incident(client, admin1=text)
    # Place names are trimmed; identifying notes keep a leading tab or carriage return.
    notes = ["\t=1+1", "\r=1+1"]
    victims = [{"sex": "female", "identity": {"notes": text}} for text in notes]
    create_incident(client, victims=victims)
    tables = tables_of(export(client, "csv", include_identity="true"), "csv")
    regions = {row["admin1"] for row in tables["incidents"]}
    assert {"'" + text for text in FORMULAS} | {"Mopti"} == regions
    kept = {row["identity_notes"] for row in tables["victims"]}
    assert {"'" + text for text in notes} <= kept


def test_xlsx_cells_stay_text(client: TestClient) -> None:
    for text in FORMULAS:
        create_incident(client, admin1=text)
    response = export(client, "xlsx")
    assert response.status_code == 200
    sheet = workbook_cells(response.content)["incidents"]
    column = [cell.value for cell in sheet[0]].index("admin1")
    cells = [row[column] for row in sheet[1:]]
    assert sorted(cell.value for cell in cells) == sorted(FORMULAS)
    assert {cell.data_type for cell in cells} == {"s"}
    assert b"<f>" not in response.content  # no formula element anywhere in the workbook
    numbers = [row[[c.value for c in sheet[0]].index("victims")] for row in sheet[1:]]
    assert {cell.data_type for cell in numbers} == {"n"}


def test_an_empty_export_still_has_its_headers(client: TestClient) -> None:
    tables = tables_of(export(client, "csv", admin1="Nowhere"), "csv")
    assert tables == {"incidents": [], "victims": [], "perpetrators": []}
    cells = workbook_cells(export(client, "xlsx", admin1="Nowhere").content)
    assert [cell.value for cell in cells["incidents"][0]][:2] == ["reference", "id"]


def test_control_characters_do_not_break_the_workbook(client: TestClient) -> None:
    create_incident(client, victims=[{"sex": "female", "identity": {"notes": "a\x01b\x1fc"}}])
    response = export(client, "xlsx", include_identity="true")
    assert response.status_code == 200
    (victim,) = workbook_tables(response.content)["victims"]
    assert victim["identity_notes"] == "a\ufffdb\ufffdc"


def test_an_export_of_several_pages_holds_every_incident_once(client: TestClient) -> None:
    # Over two pages of the export's reading, most on one day: the keyset breaks the ties.
    payloads = [
        incident_payload(occurred_on="2019-03-14" if n % 10 else "2018-01-01")
        for n in range(EXPORT_PAGE_SIZE + 101)
    ]
    half = len(payloads) // 2
    for batch in (payloads[:half], payloads[half:]):
        response = client.post(f"{API}/incidents:batch", json={"incidents": batch})
        assert response.status_code == 201, response.text

    tables = tables_of(export(client, "csv"), "csv")

    references = [row["reference"] for row in tables["incidents"]]
    assert len(references) == len(set(references)) == len(payloads)
    dates = [row["occurred_on"] for row in tables["incidents"]]
    assert dates == sorted(dates, reverse=True)
    assert len(tables["victims"]) == len(payloads)
    assert {v["incident_reference"] for v in tables["victims"]} == set(references)


@pytest.mark.parametrize("file_format", FORMATS)
def test_exports_past_the_workers_places_are_answered_busy_and_places_come_back(
    client: TestClient, file_format: str
) -> None:
    """Each export holds a database connection until its file is read: a worker sends at most
    EXPORTS_AT_ONCE at a time, and answers one more 503 with Retry-After."""
    create_incident(client)
    slots = client.app.state.export_slots  # type: ignore[attr-defined]
    places = client.app.state.settings.exports_at_once  # type: ignore[attr-defined]
    for _ in range(places + 2):  # one after another: every place is given back
        assert export(client, file_format).status_code == 200
    taken = [slots.acquire(blocking=False) for _ in range(places)]
    try:
        assert all(taken)  # nothing was left holding a place
        busy = export(client, file_format)
        assert busy.status_code == 503
        assert busy.headers["Retry-After"]
        assert "exports" in busy.json()["detail"]
    finally:
        for _ in taken:
            slots.release()
    assert export(client, file_format).status_code == 200

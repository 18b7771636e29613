"""Importing GBVIMS Incident Recorder workbooks: figures, idempotence, all or nothing, refusals."""

from datetime import datetime

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, group_counts, stats
from tests.imports.workbooks import (
    FRENCH,
    csv_bytes,
    recorder_row,
    upload,
    with_macros,
    workbook_bytes,
)

SURVIVOR_CODE = "SURV-XYZ-77"


def counts(result: dict, dimension: str) -> dict:
    """The groups that count something (the tables list every value, zeros included)."""
    return {key: pair for key, pair in group_counts(result, dimension).items() if pair != (0, 0)}


def awkward_rows() -> list[dict]:
    """Three survivors, every column used, written in the ways real workbooks write them."""
    return [
        recorder_row(),  # dates as Excel dates, a rape by an armed group, consent given
        recorder_row(
            incident_id="IR-0002",
            survivor_code=None,
            date_of_interview=43546,  # Excel serial numbers: 2019-03-22 and 2019-03-15
            date_of_incident=43539,
            date_of_birth=None,
            sex="M",
            gbv_type="sexual assault",  # case and spacing as people type them
            perpetrator_count="More than 3",
            perpetrator_sex="M and F",
            perpetrator_age_group="61 & Older",
            perpetrator_relationship="Family Friend / Neighbor",
            perpetrator_occupation=None,
            consent="No",
            county=None,
            disability="Physical Disability",
        ),
        recorder_row(
            incident_id=1003,  # a number, as Excel keeps one
            survivor_code="S-3",
            date_of_interview="2019-04-02",  # dates as text
            date_of_incident="28/03/2019",
            date_of_birth="01/01/2004",
            gbv_type="Forced Marriage",
            perpetrator_count=1,
            perpetrator_sex=None,
            perpetrator_age_group=None,
            perpetrator_relationship=None,
            perpetrator_occupation=None,
            marital_status=None,
            displacement_status=None,
            time_of_day=None,
            place_type=None,
            consent=None,
            unaccompanied_separated="Separated Child",
        ),
    ]


def test_a_workbook_with_every_column_imports_with_the_expected_figures(
    client: TestClient,
) -> None:
    response = upload(client, workbook_bytes(awkward_rows()))
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["imported"], report["rows"], report["created"]) == (True, 3, 3)
    assert "HEALTH / MEDICAL SERVICES" in report["columns_not_kept"]
    by_type = counts(stats(client, group_by="gbv_type"), "gbv_type")
    assert by_type == {"rape": (1, 1), "sexual_assault": (1, 1), "forced_marriage": (1, 1)}
    by_form = counts(stats(client, group_by="violation"), "violation")
    assert by_form == {
        "rape": (1, 1),
        "other_sexual_violence": (1, 1),
        "forced_marriage": (1, 1),
    }
    categories = counts(stats(client, group_by="victim_category"), "victim_category")
    assert categories == {"woman": (1, 1), "unknown": (1, 1), "girl": (1, 1)}
    perpetrators = counts(stats(client, group_by="perpetrator_category"), "perpetrator_category")
    # Armed group by occupation; a neighbour is a civilian; no perpetrator details: none recorded.
    assert perpetrators == {"non_state_armed_group": (1, 1), "civilian": (1, 1), None: (1, 1)}
    items = {i["gbv_type"]: i for i in client.get(f"{API}/incidents").json()["items"]}
    first = items["rape"]
    assert (first["occurred_on"], first["reported_on"], first["country"]) == (
        "2019-03-14",
        "2019-03-20",
        "ML",
    )
    assert first["source"] == "gbvims" and first["perpetrator_count"] == "2"
    assert first["victims"][0]["age"] == 23 and first["victims"][0]["country_of_origin"] == "ML"
    assert first["victims"][0]["consent"]["statistics"]["granted"] is True
    assert first["perpetrators"][0]["age_group"] == "18-25"
    [version] = client.get(f"{API}/incidents/{first['id']}/history").json()
    assert version["action"] == "import" and version["changes"]["gbv_type"]["new"] == "rape"
    assert version["changes"]["victims.identity"] == {"changed": True}


def test_the_survivor_code_is_kept_encrypted_and_only_in_the_identity(
    client: TestClient, client_for
) -> None:
    response = upload(client, workbook_bytes(awkward_rows()))
    assert SURVIVOR_CODE not in response.text
    incident = next(
        i for i in client.get(f"{API}/incidents").json()["items"] if i["gbv_type"] == "rape"
    )
    victim = incident["victims"][0]
    assert victim["has_identity"] is True
    assert SURVIVOR_CODE not in client.get(f"{API}/incidents/{incident['id']}").text
    identity = client.get(f"{API}/incidents/{incident['id']}/victims/{victim['id']}/identity")
    assert identity.json()["survivor_code"] == SURVIVOR_CODE
    trail = client_for(Role.ADMIN).get(f"{API}/audit", params={"action": "incident.import"})
    [event] = trail.json()["items"]
    assert event["details"]["created"] == 3 and event["details"]["survivor_codes_stored"] == 2
    assert SURVIVOR_CODE not in trail.text


def test_a_row_without_consent_counts_only_for_its_organisation(client: TestClient) -> None:
    upload(client, workbook_bytes(awkward_rows()))
    items = client.get(f"{API}/incidents").json()["items"]
    consent = {i["gbv_type"]: i["victims"][0]["consent"] for i in items}
    assert consent["sexual_assault"]["statistics"]["granted"] is False
    assert consent["forced_marriage"] == {}  # blank: no decision recorded, counted as not shared


def test_the_same_file_again_creates_nothing_and_says_so(client: TestClient) -> None:
    content = workbook_bytes(awkward_rows())
    assert upload(client, content).json()["created"] == 3
    again = upload(client, content).json()
    assert (again["created"], again["already_imported"], again["imported"]) == (0, 3, True)
    assert len(client.get(f"{API}/incidents").json()["items"]) == 3


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row_and_column(
    client: TestClient,
) -> None:
    rows = awkward_rows()
    rows[1]["time_of_day"] = "Teatime"
    response = upload(client, workbook_bytes(rows))
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["loc"] == ["file", "Incident Data", 3, "INCIDENT TIME OF DAY"]
    assert '"Evening/Night"' in problem["message"]
    assert client.get(f"{API}/incidents").json()["items"] == []
    assert stats(client, group_by="gbv_type")["total"]["incidents"] == 0


def test_the_report_speaks_french_when_asked(client: TestClient) -> None:
    rows = [recorder_row(date_of_incident="someday")]
    response = upload(client, workbook_bytes(rows), language="fr")
    assert response.status_code == 422
    assert "une date" in response.json()["errors"][0]["message"]
    assert "Problèmes trouvés : 1. Rien n'a été importé." in response.json()["detail"]


def test_french_headers_are_read(client: TestClient) -> None:
    rows = [recorder_row(sex="Féminin", gbv_type="Viol", consent="Oui", time_of_day="Matin")]
    response = upload(client, workbook_bytes(rows, headers=FRENCH))
    assert response.status_code == 200, response.text
    [incident] = client.get(f"{API}/incidents").json()["items"]
    assert (incident["gbv_type"], incident["time_of_day"]) == ("rape", "morning")


def test_an_unknown_column_or_a_missing_one_is_refused_by_name(client: TestClient) -> None:
    headers = ["INCIDENT NUMBER", *FRENCH[1:3], "", *FRENCH[4:]]
    response = upload(client, workbook_bytes([recorder_row()], headers=headers))
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"]]
    assert any("INCIDENT ID" in m for m in messages) and any(
        "DATE OF INTERVIEW" in m for m in messages
    )
    assert response.json()["errors"][0]["loc"] == ["file", "Incident Data", 1, "INCIDENT NUMBER"]


def test_duplicate_incident_ids_in_one_file_are_refused(client: TestClient) -> None:
    response = upload(client, workbook_bytes([recorder_row(), recorder_row()]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][2] == 3


def test_formulas_are_refused_and_never_evaluated(client: TestClient) -> None:
    rows = [recorder_row(date_of_incident="=TODAY()-3")]
    response = upload(client, workbook_bytes(rows))
    assert response.status_code == 422
    assert "E2" in response.text or response.json()["errors"][0]["loc"][2:] == [
        2,
        "DATE OF INCIDENT",
    ]
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_macros_and_files_that_are_not_workbooks_are_refused(client: TestClient) -> None:
    content = workbook_bytes([recorder_row()])
    for body, name in (
        (with_macros(content), "recorder.xlsx"),
        (content, "recorder.xlsm"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old .xls", "recorder.xls"),
        (b"PK\x03\x04 not a zip at all", "recorder.xlsx"),
        (content[: len(content) // 2], "recorder.xlsx"),
    ):
        response = upload(client, body, filename=name)
        assert response.status_code == 422, (name, response.text)
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_a_nul_character_in_a_csv_cell_is_a_problem_not_an_error(client: TestClient) -> None:
    content = csv_bytes([recorder_row(camp_town="Sangha\x00")])
    response = upload(client, content, filename="recorder.csv")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == [
        "file",
        "Incident Data",
        2,
        "INCIDENT CAMP / TOWN",
    ]


def test_a_csv_file_imports_like_the_workbook(client: TestClient) -> None:
    response = upload(client, csv_bytes(awkward_rows(), delimiter=";"), filename="recorder.csv")
    assert response.status_code == 200, response.text
    assert response.json()["file_type"] == "csv" and response.json()["created"] == 3
    by_type = counts(stats(client, group_by="gbv_type"), "gbv_type")
    assert by_type == {"rape": (1, 1), "sexual_assault": (1, 1), "forced_marriage": (1, 1)}


def test_a_dry_run_writes_nothing_and_says_what_it_would_create(client: TestClient) -> None:
    response = upload(client, workbook_bytes(awkward_rows()), dry_run=True)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["dry_run"], report["imported"], report["created"]) == (True, False, 3)
    assert client.get(f"{API}/incidents").json()["items"] == []
    bad = upload(client, workbook_bytes([recorder_row(sex="X")]), dry_run=True)
    assert bad.status_code == 200 and bad.json()["problems"][0]["cell"] == "G2"


def test_non_sexual_types_are_refused_unless_left_out_on_request(client: TestClient) -> None:
    rows = [recorder_row(), recorder_row(incident_id="IR-9", gbv_type="Physical Assault")]
    assert upload(client, workbook_bytes(rows)).status_code == 422
    report = upload(client, workbook_bytes(rows), skip_non_sexual=True).json()
    assert (report["created"], report["skipped_non_sexual"]) == (1, 1)


def test_report_writers_and_trackers_cannot_import(client_for) -> None:
    for role in (Role.REPORT_WRITER, Role.JUDICIAL_TRACKER):
        response = upload(client_for(role), workbook_bytes([recorder_row()]))
        assert response.status_code == 403


def test_another_organisation_sees_none_of_the_imported_incidents(
    client: TestClient, client_for
) -> None:
    content = workbook_bytes(awkward_rows())
    upload(client, content)
    other = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    assert other.get(f"{API}/incidents").json()["items"] == []
    # The same INCIDENT IDs are theirs to import too: references are per organisation.
    assert upload(other, content).json()["created"] == 3
    assert len(client.get(f"{API}/incidents").json()["items"]) == 3


def test_references_are_issued_in_sequence(client: TestClient) -> None:
    rows = [
        recorder_row(incident_id=f"R{n}", date_of_interview=datetime(2019, 5, n)) for n in (1, 2)
    ]
    upload(client, workbook_bytes(rows))
    references = sorted(i["reference"] for i in client.get(f"{API}/incidents").json()["items"])
    assert [r.rsplit("-", 1)[1] for r in references] == ["000001", "000002"]
    assert all(r.startswith("ML-2019-") for r in references)


def test_a_file_larger_than_the_ordinary_body_limit_is_accepted_from_a_signed_in_adviser(
    client: TestClient, anonymous: TestClient
) -> None:
    rows = [recorder_row(incident_id=f"IR-{n}", ethnicity="x" * 300) for n in range(3000)]
    content = csv_bytes(rows)
    assert len(content) > 1_048_576  # the ordinary limit
    response = upload(client, content, filename="recorder.csv", dry_run=True)
    assert response.status_code == 200, response.text[:500]
    assert response.json()["created"] == 3000
    assert upload(anonymous, content, filename="recorder.csv").status_code == 413

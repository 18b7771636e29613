"""Imports written behind (PostgreSQL), pressed harder than the first tests do: the same files
from advisers of two organisations at once with creates and a failing import among them, a late
part the database refuses, a file refused at its end after many parts were written."""

import io
import threading
import zipfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session

from app.audit.chain import verify_chain
from app.imports import service
from app.models import Incident
from app.models.enums import Role
from tests.factories import API, NGO, incident_payload, log_in, make_user
from tests.imports.hostile_files import SHEET_PART, rewritten
from tests.imports.workbooks import recorder_row, upload, workbook_bytes

ROWS = 60


def rows(bad_last: bool = False) -> list[dict]:
    made = [
        recorder_row(
            incident_id=f"IR-{n}",
            survivor_code=f"S-{n}",
            date_of_interview=datetime(2019 + n % 2, 5, 1 + n % 28),
        )
        for n in range(ROWS)
    ]
    if bad_last:
        made[-1]["time_of_day"] = "Teatime"
    return made


def test_imports_of_two_organisations_at_once_with_creates(
    app: FastAPI, client: TestClient, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgresql":
        pytest.skip("written behind on PostgreSQL only")
    monkeypatch.setattr(service, "CHUNK_ROWS", 7)
    good, bad = workbook_bytes(rows()), workbook_bytes(rows(bad_last=True))
    users = [make_user(app, Role.PROTECTION_ADVISER, organisation=o) for o in [NGO] * 4] + [
        make_user(app, Role.PROTECTION_ADVISER) for _ in range(4)
    ]
    tokens = [log_in(client, user) for user in users]

    def run(job: tuple[int, str]) -> tuple[str, int, str]:
        index, token = job
        http = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        if index % 4 == 3:
            answer = upload(http, bad)
            return "bad", answer.status_code, answer.text[:200]
        if index % 4 == 2:
            codes = [http.post(f"{API}/incidents", json=incident_payload()).status_code]
            codes += [
                http.post(
                    f"{API}/incidents", json=incident_payload(reported_on="2020-01-02")
                ).status_code
            ]
            answer = upload(http, good)
            return "create+import", max([*codes, answer.status_code]), answer.text[:200]
        answer = upload(http, good)
        return "import", answer.status_code, answer.text[:200]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(run, enumerate(tokens)))
    assert all(code in (200, 201, 422, 503) for _, code, _ in answers), answers
    assert all(code == 422 for kind, code, _ in answers if kind == "bad"), answers
    assert [t for t in threading.enumerate() if t.name == "copy-behind"] == []
    assert app.state.engine.pool.checkedout() == 0  # every connection back in the pool
    with Session(app.state.engine) as session:
        assert verify_chain(session, app.state.audit_key).intact
        found = session.execute(
            select(Incident.organisation_id, Incident.reference, Incident.external_reference)
        ).all()
    by_org: dict = defaultdict(list)
    numbers: dict = defaultdict(list)
    for org, reference, external in found:
        by_org[org].append(external)
        prefix, number = reference.rsplit("-", 1)
        numbers[(org, prefix)].append(int(number))
    for org, externals in by_org.items():
        imported = [e for e in externals if e is not None]
        assert len(imported) == len(set(imported)) == ROWS, (org, len(imported))
    for key, got in numbers.items():
        assert sorted(got) == list(range(1, len(got) + 1)), key
    assert client.get(f"{API}/incidents", params={"limit": 1}).status_code == 200


def test_a_late_part_refused_by_the_database(
    client: TestClient,
    impatient_app: FastAPI,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service, "CHUNK_ROWS", 3)
    made = rows()[:20]
    for row in made[:-1]:
        row["survivor_code"] = None  # only the last part writes an identity
    impatient = TestClient(impatient_app, headers=client.headers)
    url = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as holder:
        holder.execute("SET idle_in_transaction_session_timeout = '20s'")
        holder.execute("LOCK TABLE victim_identities IN SHARE MODE")
        response = upload(impatient, workbook_bytes(made))
        holder.rollback()
    assert response.status_code == 503, response.text
    assert [t for t in threading.enumerate() if t.name == "copy-behind"] == []
    assert impatient_app.state.engine.pool.checkedout() == 0
    assert client.get(f"{API}/incidents").json()["items"] == []
    assert upload(impatient, workbook_bytes(made)).json()["created"] == 20


@pytest.mark.parametrize(
    "ending",
    [
        '<row r="999"><c r="A999" t="s"><v>99999</v></c></row></sheetData>',
        '<row r="99999999"><c r="A1"><v>1</v></c></row></sheetData>',
        "<row><c><v>1</v></c></sheetData>",
        '<row r="999"><c r="A999"><v>1</v></c></row><!-- x --></sheetData>',
    ],
)
def test_a_file_refused_at_its_end_after_parts_were_written(
    client: TestClient, backend: str, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    if backend != "postgresql":
        pytest.skip("written behind on PostgreSQL only")
    monkeypatch.setattr(service, "CHUNK_ROWS", 10)
    made = [recorder_row(incident_id=f"IR-{n}", survivor_code=None) for n in range(400)]
    good = workbook_bytes(made)
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        xml = archive.read(SHEET_PART).decode()
    assert len(xml) > 3 * 64 * 1024
    bad = rewritten({SHEET_PART: xml.replace("</sheetData>", ending).encode()})
    sent = []
    real = service.BulkWriter.write
    monkeypatch.setattr(
        service.BulkWriter, "write", lambda self, chunk: (sent.append(1), real(self, chunk))
    )
    response = upload(client, bad)
    assert response.status_code == 422, response.text
    assert len(sent) > 3
    assert [t for t in threading.enumerate() if t.name == "copy-behind"] == []
    assert client.get(f"{API}/incidents").json()["items"] == []
    assert upload(client, good).json()["created"] == 400

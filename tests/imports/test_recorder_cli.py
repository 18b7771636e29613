"""`crsv-registry import incident-recorder`: the same import from the command line."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.models import Organisation
from app.models.enums import Role
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.factories import API, MISSION, make_user
from tests.imports.workbooks import recorder_row, workbook_bytes


def _run(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "app.cli", "import", "incident-recorder", *arguments]
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "LANG": "C",
    }
    return subprocess.run(command, capture_output=True, text=True, env=environment, check=False)


def _mission_code(app: FastAPI) -> str:
    with app.state.session_factory() as session:
        return str(
            session.scalar(select(Organisation.reference_code).where(Organisation.name == MISSION))
        )


def test_the_command_imports_by_organisation_code_after_a_dry_run(
    app: FastAPI, client: TestClient, database_url: str, tmp_path: Path
) -> None:
    adviser = make_user(app, Role.PROTECTION_ADVISER)
    workbook = tmp_path / "recorder.xlsx"
    workbook.write_bytes(workbook_bytes([recorder_row(), recorder_row(incident_id="IR-2")]))
    arguments = (str(workbook), "--organisation", _mission_code(app), "--user", adviser.username)
    dry = _run(database_url, *arguments, "--country", "ML", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Incidents that would be created: 2." in dry.stdout
    assert client.get(f"{API}/incidents").json()["items"] == []
    done = _run(database_url, *arguments, "--country", "ML")
    assert done.returncode == 0, done.stderr
    assert "Incidents created: 2." in done.stdout
    assert "SURV-XYZ-77" not in done.stdout + done.stderr
    assert len(client.get(f"{API}/incidents").json()["items"]) == 2
    # Without --country: the organisation's own most used one (ML here).
    again = _run(database_url, *arguments, "--language", "fr")
    assert "Déjà importés : 2." in again.stdout, again.stderr


def test_the_command_names_each_bad_cell_and_imports_nothing(
    app: FastAPI, client: TestClient, database_url: str, tmp_path: Path
) -> None:
    adviser = make_user(app, Role.PROTECTION_ADVISER)
    workbook = tmp_path / "recorder.xlsx"
    rows = [recorder_row(), recorder_row(incident_id="IR-2", sex="Other")]
    workbook.write_bytes(workbook_bytes(rows))
    result = _run(
        database_url,
        str(workbook),
        "--organisation",
        MISSION,
        "--user",
        adviser.username,
        "--country",
        "ML",
    )
    assert result.returncode == 1
    assert "Incident Data!G3 (SEX): expected one of" in result.stderr
    assert client.get(f"{API}/incidents").json()["items"] == []


def test_only_an_adviser_of_the_organisation_may_import(
    app: FastAPI, client: TestClient, database_url: str, tmp_path: Path
) -> None:
    writer = make_user(app, Role.REPORT_WRITER)
    workbook = tmp_path / "recorder.xlsx"
    workbook.write_bytes(workbook_bytes([recorder_row()]))
    result = _run(
        database_url,
        str(workbook),
        "--organisation",
        MISSION,
        "--user",
        writer.username,
        "--country",
        "ML",
    )
    assert result.returncode != 0 and "protection_adviser" in result.stderr
    assert client.get(f"{API}/incidents").json()["items"] == []

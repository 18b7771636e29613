"""The same Incident Recorder file posted by several advisers at once, to one worker over HTTP."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import verify_chain
from app.models import Incident
from app.models.enums import Role
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.factories import API, log_in, make_user
from tests.imports.workbooks import recorder_row, workbook_bytes
from tests.live_server import live_server

AT_ONCE = 8


@pytest.fixture
def server_url(client: TestClient, database_url: str, backend: str) -> Iterator[str]:
    if backend != "postgresql":
        pytest.skip("one SQLite writer at a time: the race is PostgreSQL's")
    with live_server(database_url, TEST_ENCRYPTION_KEY) as url:
        yield url


def test_the_same_file_imported_at_once_creates_its_incidents_once(
    app: FastAPI, client: TestClient, server_url: str
) -> None:
    rows = [recorder_row(incident_id=f"IR-{n}", survivor_code=None) for n in range(300)]
    content = workbook_bytes(rows)
    tokens = [log_in(client, make_user(app, Role.PROTECTION_ADVISER)) for _ in range(AT_ONCE)]

    def post(token: str) -> httpx.Response:
        with httpx.Client(base_url=server_url, timeout=60) as http:
            return http.post(
                f"{API}/imports",
                headers={"Authorization": f"Bearer {token}"},
                files={"file": ("recorder.xlsx", content)},
                data={"country": "ML"},
            )

    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = list(pool.map(post, tokens))
    # Each waits for the one before (far under the lock timeout): one creates, the rest find
    # every INCIDENT ID already imported. A wait past the timeout would be a clean 503.
    assert all(a.status_code in (200, 503) for a in answers), [a.text[:300] for a in answers]
    reports = [a.json() for a in answers if a.status_code == 200]
    assert sorted(r["created"] for r in reports)[-1] == 300
    assert sum(r["created"] for r in reports) == 300
    assert all(r["already_imported"] == 300 for r in reports if r["created"] == 0)
    with Session(app.state.engine) as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 300
        assert verify_chain(session, app.state.audit_key).intact
    # (the `client` fixture then checks that the kept counts equal a recount)

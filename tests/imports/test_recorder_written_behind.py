"""An import's parts are written by a second thread while the next rows are read (PostgreSQL):
every part lands, in order, in the request's transaction; a problem found later, or a part the
database refuses, leaves nothing stored and no thread writing."""

import threading
from datetime import datetime

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.imports import service
from tests.factories import API, stats
from tests.imports.workbooks import recorder_row, upload, workbook_bytes

ROWS = 7
PART_ROWS = 2  # so that the file is written in four parts


@pytest.fixture(autouse=True)
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "CHUNK_ROWS", PART_ROWS)


def rows(count: int = ROWS) -> list[dict]:
    return [
        recorder_row(
            incident_id=f"IR-{n}",
            survivor_code=f"S-{n}",
            date_of_interview=datetime(2019, 5, 1 + n),
        )
        for n in range(count)
    ]


def writer_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "copy-behind"]


def test_every_part_is_written_in_the_order_of_the_rows(client: TestClient) -> None:
    response = upload(client, workbook_bytes(rows()))
    assert response.status_code == 200, response.text
    assert response.json()["created"] == ROWS
    items = client.get(f"{API}/incidents", params={"limit": 50}).json()["items"]
    by_day = sorted(items, key=lambda item: item["reported_on"])
    # Numbered in the order written, part after part: the rows' order.
    assert [i["reference"].rsplit("-", 1)[1] for i in by_day] == [
        f"{n:06d}" for n in range(1, ROWS + 1)
    ]
    assert all(len(i["victims"]) == 1 and i["perpetrators"] for i in items)
    assert stats(client, group_by="gbv_type")["total"]["incidents"] == ROWS
    assert writer_threads() == []


def test_a_bad_row_after_written_parts_leaves_nothing_stored(client: TestClient) -> None:
    bad = rows()
    bad[-1]["time_of_day"] = "Teatime"  # the last row: three parts are written before it
    response = upload(client, workbook_bytes(bad))
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["loc"][2] == ROWS + 1  # the sheet's row, after the header
    assert client.get(f"{API}/incidents").json()["items"] == []
    assert stats(client, group_by="gbv_type")["total"]["incidents"] == 0
    assert writer_threads() == []
    # The worker's connection is left clean: the same file, mended, imports whole.
    assert upload(client, workbook_bytes(rows())).json()["created"] == ROWS


def test_a_part_the_database_refuses_is_answered_as_the_session_would_and_nothing_kept(
    client: TestClient, impatient_app: FastAPI, database_url: str
) -> None:
    """Another session holds every organisation's row: the first part's foreign-key check waits
    past the lock timeout in the writer thread, and the request is answered 503, as when its
    own thread waits."""
    impatient = TestClient(impatient_app, headers=client.headers)
    url = make_url(database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as holder:
        holder.execute("SET idle_in_transaction_session_timeout = '20s'")
        holder.execute("SELECT 1 FROM organisations FOR UPDATE")
        response = upload(impatient, workbook_bytes(rows()))
        holder.rollback()
    assert response.status_code == 503, response.text
    assert "nothing was saved" in response.json()["detail"]
    assert writer_threads() == []
    assert client.get(f"{API}/incidents").json()["items"] == []
    assert upload(impatient, workbook_bytes(rows())).json()["created"] == ROWS

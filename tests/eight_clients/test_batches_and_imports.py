"""Eight batches, and eight Incident Recorder imports through the web page, at once.

Each against `crsv-registry serve` with two workers, on PostgreSQL, checked as
`harness.py` says: bounded answers, no 5xx, kept counts, the audit chain, the rows kept.
"""

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.incidents.schemas import IncidentBatch
from app.models import Incident
from tests.eight_clients.harness import (
    AT_ONCE,
    adviser_clients,
    assert_whole,
    at_once,
    close_all,
    commands_agree,
    row_count,
    signed_in_browser,
)
from tests.factories import (
    API,
    incident_payload,
)
from tests.imports.workbooks import recorder_row, workbook_bytes

# The most incidents one batch takes (1,000).
MAX_BATCH = next(
    limit.max_length
    for limit in IncidentBatch.model_fields["incidents"].metadata
    if hasattr(limit, "max_length")
)


def _batch(size: int, tag: str) -> list[dict[str, Any]]:
    """`size` incidents over two reporting years, so each batch moves two reference counters."""
    return [
        incident_payload(
            reported_on=f"{2019 + n % 2}-03-20",
            admin2=f"{tag} {n}",
            victims=[{"sex": "female", "age": 18 + n % 40}] * (1 + n % 3),
        )
        for n in range(size)
    ]


def test_eight_batches_at_once_are_each_written_whole(
    app: FastAPI, client: TestClient, url: str, database_url: str
) -> None:
    advisers = adviser_clients(app, client, url, AT_ONCE - 1)
    # The last two requests are one adviser's batch sent twice at once with the same key, as a
    # retry over a poor link would be: it is written once, and both answers name the same rows.
    advisers.append(advisers[-1])
    sizes = [50 + 20 * index for index in range(AT_ONCE - 1)] + [50 + 20 * (AT_ONCE - 2)]
    bodies = [_batch(size, f"B{index}") for index, size in enumerate(sizes)]
    bodies[-1] = bodies[-2]
    key = str(uuid.uuid4())

    def post(index: int) -> httpx.Response:
        headers = {"Idempotency-Key": key} if index >= AT_ONCE - 2 else {}
        body = {"incidents": bodies[index]}
        return advisers[index].post(f"{API}/incidents:batch", json=body, headers=headers)

    answers = at_once(post)
    close_all(advisers)
    assert [a.status_code for a in answers] == [201] * AT_ONCE, [a.text[:300] for a in answers]
    first, retry = answers[-2:]
    replayed = [a.headers.get("Idempotent-Replayed") for a in (first, retry)]
    assert sorted(replayed, key=str) == [None, "true"], replayed
    assert first.json()["created"] == retry.json()["created"]
    written = sum(sizes[:-1])
    assert [a.json()["count"] for a in answers] == sizes
    created = [item["reference"] for a in answers[:-1] for item in a.json()["created"]]
    # Every incident got its own reference; each (country, year) counter numbered without gaps.
    assert len(set(created)) == written
    for year in ("2019", "2020"):
        numbers = sorted(int(r.rsplit("-", 1)[1]) for r in created if f"-{year}-" in r)
        assert numbers == list(range(1, len(numbers) + 1))
    assert row_count(app, select(func.count()).select_from(Incident)) == written
    assert_whole(app, url)
    commands_agree(database_url)


def test_eight_batches_of_the_largest_size_at_once_wait_for_the_counters_and_all_land(
    app: FastAPI, client: TestClient, url: str
) -> None:
    """A batch holds its country-year counters from before its rows are written to its commit,
    so batches of one organisation, country and year are written one after another. Eight of
    the largest size at once: the last waits for seven, well within the lock timeout (measured
    here: the eight answered between 0.5 and 2.1 s), and none is refused for it."""
    advisers = adviser_clients(app, client, url, AT_ONCE)
    bodies = [_batch(MAX_BATCH, f"L{index}") for index in range(AT_ONCE)]
    answers = at_once(
        lambda index: advisers[index].post(
            f"{API}/incidents:batch", json={"incidents": bodies[index]}
        )
    )
    close_all(advisers)
    assert [a.status_code for a in answers] == [201] * AT_ONCE, [a.text[:300] for a in answers]
    created = [item["reference"] for a in answers for item in a.json()["created"]]
    for year in ("2019", "2020"):
        numbers = sorted(int(r.rsplit("-", 1)[1]) for r in created if f"-{year}-" in r)
        assert numbers == list(range(1, AT_ONCE * MAX_BATCH // 2 + 1))
    assert_whole(app, url)


# --- Edits of one incident -------------------------------------------------------------------


ROWS_EACH = 20
SHARED_ROWS = 10


def test_eight_recorder_imports_through_the_web_page_write_each_row_once(
    app: FastAPI, client: TestClient, url: str
) -> None:
    # Each file its own rows, and the same ten rows in every file: those are written once.
    files = [
        workbook_bytes(
            [
                recorder_row(incident_id=incident_id, survivor_code=None)
                for incident_id in [
                    *(f"IR-{index}-{n}" for n in range(ROWS_EACH)),
                    *(f"IR-SHARED-{n}" for n in range(SHARED_ROWS)),
                ]
            ]
        )
        for index in range(AT_ONCE)
    ]
    browsers = [signed_in_browser(client, url, app) for _ in range(AT_ONCE)]

    def post(index: int) -> httpx.Response:
        browser = browsers[index]
        data = {
            "csrf_token": browser.headers["X-Test-Csrf"],
            "country": "ML",
            "action": "import",
        }
        return browser.post(
            "/imports/incident-recorder", data=data, files={"file": ("recorder.xlsx", files[index])}
        )

    answers = at_once(post)
    close_all(browsers)
    assert [a.status_code for a in answers] == [200] * AT_ONCE, [a.text[:300] for a in answers]
    written = AT_ONCE * ROWS_EACH + SHARED_ROWS
    assert row_count(app, select(func.count()).select_from(Incident)) == written
    assert_whole(app, url)


# --- Logins ----------------------------------------------------------------------------------

"""One write pipeline: a batch, a single create and the web form write the same things, in a
number of statements that does not grow with the incident's victims or the batch's size."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.models.enums import Role
from tests.factories import API, create_armed_party, incident_payload

# Everything a create can carry: identity, consent of each kind, a summary, a status past
# `reported` (a verifier's), two perpetrators.
FULL = incident_payload(
    summary="Met at the health centre",
    verification_status="pending_verification",
    victims=[
        {
            "sex": "female",
            "age": 24,
            "identity": {"name": "A. T.", "survivor_code": "S-1"},
            "consent": {"statistics": True, "referral": False},
        },
        {"sex": "male", "age": 15, "consent": {"justice": True, "statistics": None}},
        {"sex": "female", "age_group": "unknown"},
    ],
    perpetrators=[
        {"category": "unidentified_armed_element"},
        {"category": "state_security_forces", "sex": "male"},
    ],
)
CHANGING = {"id", "reference", "created_at", "updated_at"}


def _detail(client: TestClient, incident_id: str) -> dict[str, Any]:
    detail = client.get(f"{API}/incidents/{incident_id}").json()
    for victim in detail["victims"]:
        victim.pop("id")
        for consent in victim["consent"].values():
            consent.pop("recorded_at")
    for perpetrator in detail["perpetrators"]:
        perpetrator.pop("id")
    return {name: value for name, value in detail.items() if name not in CHANGING}


def _history(client: TestClient, incident_id: str) -> list[dict[str, Any]]:
    versions = client.get(f"{API}/incidents/{incident_id}/history").json()
    for version in versions:
        version.pop("changed_at")
        for victim in version["changes"].get("victims", {}).get("new", []):
            victim.pop("id")
        for perpetrator in version["changes"].get("perpetrators", {}).get("new", []):
            perpetrator.pop("id")
    return versions


def _audited(auditor: TestClient, incident: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """The events on the incident and its victims, as (action, record type, fields)."""
    ids = [incident["id"], *(victim["id"] for victim in incident["victims"])]
    events = []
    for record_id in ids:
        page = auditor.get(f"{API}/audit", params={"record_id": record_id, "limit": 50}).json()
        events += [(e["action"], e["record_type"], e["fields"]) for e in page["items"]]
    return sorted(events)


def test_a_batch_writes_what_a_single_create_writes(client_for) -> None:
    adviser = client_for(Role.PROTECTION_ADVISER)
    auditor = client_for(Role.ADMIN)
    single = adviser.post(f"{API}/incidents", json=FULL)
    assert single.status_code == 201, single.text
    batch = adviser.post(f"{API}/incidents:batch", json={"incidents": [FULL]})
    assert batch.status_code == 201, batch.text
    batched_id = batch.json()["created"][0]["id"]
    batched = adviser.get(f"{API}/incidents/{batched_id}").json()

    # The create's answer is the incident as read back, but for the summary (read, audited,
    # only by GET).
    read_back = adviser.get(f"{API}/incidents/{single.json()['id']}").json()
    assert single.json() == {**read_back, "summary": None}
    assert _detail(adviser, single.json()["id"]) == _detail(adviser, batched_id)
    assert _history(adviser, single.json()["id"]) == _history(adviser, batched_id)
    assert _audited(auditor, single.json()) == _audited(auditor, batched)
    assert ("identity.update", "victim", ["name", "survivor_code"]) in _audited(auditor, batched)
    victim = f"{API}/incidents/{batched_id}/victims/{batched['victims'][0]['id']}"
    identity = adviser.get(f"{victim}/identity").json()
    assert (identity["name"], identity["survivor_code"]) == ("A. T.", "S-1")


@contextmanager
def _statements(app: FastAPI) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(app.state.engine, "before_cursor_execute", count)


def _victims(n: int) -> list[dict[str, Any]]:
    return [{"sex": "female", "age": 20 + i, "consent": {"statistics": True}} for i in range(n)]


def test_a_create_sends_as_many_statements_for_six_victims_as_for_one(
    app: FastAPI, client: TestClient
) -> None:
    sizes = {}
    for victims in (1, 6):
        body = incident_payload(victims=_victims(victims), perpetrators=[{"category": "other"}] * 3)
        with _statements(app) as sent:
            assert client.post(f"{API}/incidents", json=body).status_code == 201
        sizes[victims] = len(sent)
    assert sizes[1] == sizes[6]
    # The issue that set this pipeline's targets counted 26 statements for a create. On
    # PostgreSQL the incident is read back as its JSON in one statement (`listing_json`).
    assert sizes[1] <= (15 if app.state.engine.dialect.name == "postgresql" else 20)


def test_a_batch_sends_as_many_statements_for_forty_incidents_as_for_two(
    app: FastAPI, client: TestClient
) -> None:
    sizes = {}
    for count in (2, 40):
        body = {"incidents": [incident_payload(victims=_victims(2))] * count}
        with _statements(app) as sent:
            response = client.post(f"{API}/incidents:batch", json=body)
            assert response.status_code == 201, response.text
        sizes[count] = len(sent)
    assert sizes[2] == sizes[40]


def test_a_batch_naming_armed_parties_reads_them_once_whatever_its_size(
    app: FastAPI, client: TestClient
) -> None:
    party = create_armed_party(client, name="Katiba Macina")["id"]
    perpetrators = [{"armed_party_id": party}]
    sizes = {}
    for count in (2, 40):
        row = incident_payload(victims=_victims(1), perpetrators=perpetrators)
        with _statements(app) as sent:
            response = client.post(f"{API}/incidents:batch", json={"incidents": [row] * count})
            assert response.status_code == 201, response.text
        sizes[count] = len(sent)
    assert sizes[2] == sizes[40]
    created = response.json()["created"][0]["id"]
    (perpetrator,) = client.get(f"{API}/incidents/{created}").json()["perpetrators"]
    assert (perpetrator["armed_party"]["id"], perpetrator["category"]) == (
        party,
        "non_state_armed_group",
    )


def test_a_batch_reports_an_unknown_armed_party_on_its_row(client: TestClient) -> None:
    party = create_armed_party(client, name="Katiba Macina")["id"]
    rows = [
        incident_payload(perpetrators=[{"armed_party_id": party}]),
        incident_payload(victims=[{"sex": "female", "age": 300}]),
        incident_payload(perpetrators=[{"armed_party_id": str(uuid.uuid4())}]),
    ]
    response = client.post(f"{API}/incidents:batch", json={"incidents": rows})
    assert response.status_code == 422, response.text
    rows_named = [error["loc"][2] for error in response.json()["errors"]]
    assert rows_named == sorted(rows_named) and set(rows_named) == {1, 2}

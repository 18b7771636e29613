"""Input that used to end in a 500: each gets a 4xx naming what is wrong, and nothing is stored."""

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import (
    API,
    create_case,
    create_court,
    create_incident,
    create_incident_for_justice,
    field_names,
    incident_payload,
)
from tests.web.pages import incident_form, signed_in, submit, web_client

NUL = "Mo\u0000pti"


def _count_incidents(client: TestClient) -> int:
    page = client.get(f"{API}/incidents", params={"include_archived": "true", "limit": 200})
    return len(page.json()["items"])


def _refused(response: Any, field: str, status: int = 422) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in field_names(response), response.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"admin1": NUL}, "admin1", id="place"),
        pytest.param({"summary": NUL}, "summary", id="summary"),
        pytest.param(
            {"victims": [{"sex": "female", "identity": {"name": NUL}}]},
            "victims[0].identity.name",
            id="identity",
        ),
    ],
)
def test_a_nul_in_an_incident_field_is_refused_by_name(
    client: TestClient, overrides: dict[str, Any], field: str
) -> None:
    _refused(client.post(f"{API}/incidents", json=incident_payload(**overrides)), field)
    assert _count_incidents(client) == 0


def test_a_nul_in_an_idempotency_key_is_refused_by_name(client: TestClient) -> None:
    headers = {"Idempotency-Key": "tablet\x007"}
    _refused(
        client.post(f"{API}/incidents", json=incident_payload(), headers=headers), "idempotency-key"
    )
    batch = {"incidents": [incident_payload()]}
    _refused(client.post(f"{API}/incidents:batch", json=batch, headers=headers), "idempotency-key")
    assert _count_incidents(client) == 0


def test_a_nul_in_a_filter_is_refused_by_name(client: TestClient, client_for: Callable) -> None:
    _refused(client.get(f"{API}/incidents?admin1=a%00b"), "admin1")
    writer = client_for(Role.REPORT_WRITER)
    _refused(writer.get(f"{API}/stats?group_by=source&admin1=a%00b"), "admin1")
    _refused(writer.get(f"{API}/stats.csv?group_by=source&admin1=a%00b"), "admin1")


def test_a_nul_in_judicial_records_is_refused_by_name(
    client: TestClient, client_for: Callable
) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER, Role.PROTECTION_ADVISER)
    _refused(tracker.post(f"{API}/courts", json={"name": NUL, "jurisdiction": "national"}), "name")
    court = create_court(tracker, "Tribunal de Mopti")
    case = create_case(tracker, court, [create_incident_for_justice(tracker)])
    event = {"kind": "act", "occurred_on": "2015-01-01", "note": NUL}
    _refused(tracker.post(f"{API}/judicial-cases/{case['id']}/events", json=event), "note")
    assert [court["name"] for court in tracker.get(f"{API}/courts").json()] == ["Tribunal de Mopti"]


def test_a_nul_in_a_verification_note_or_an_archive_reason_is_refused(client: TestClient) -> None:
    incident = create_incident(client)
    decision = {"status": "discarded", "note": NUL, "version": incident["version"]}
    path = f"{API}/incidents/{incident['id']}"
    _refused(client.post(f"{path}/verification", json=decision), "note")
    archive = client.delete(path, params={"reason": NUL}, headers={"If-Match": '"1"'})
    _refused(archive, "reason")
    assert client.get(path).json()["archived_at"] is None


def test_a_nul_in_an_organisation_or_armed_party_name_is_refused(
    client: TestClient, client_for: Callable
) -> None:
    admin = client_for(Role.ADMIN)
    body = {"name": NUL, "kind": "ngo"}
    _refused(admin.post(f"{API}/organisations", json=body), "name")
    party = {"name": NUL, "category": "non_state_armed_group"}
    _refused(client.post(f"{API}/armed-parties", json=party), "name")
    assert client.get(f"{API}/armed-parties").json()["items"] == []


def test_a_nul_in_a_login_name_is_refused_by_name(client: TestClient, app: Any) -> None:
    token = client.post(f"{API}/auth/token", data={"username": NUL, "password": "x"})
    _refused(token, "username")
    browser = web_client(app)
    page = submit(browser, "/login", "/login", {"username": NUL, "password": "x", "next": "/"})
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")


def test_a_post_of_thousands_of_nul_fields_names_a_few(anonymous: TestClient) -> None:
    """A page's form may hold 20,000 fields, and NUL bytes are looked for before the sign-in: an
    anonymous post of that many, each named with a NUL, got a page of 1.5 MB naming every one.
    The answer names the first fifty."""
    fields = "&".join(f"%00{index}=" for index in range(20_000))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    answer = anonymous.post("/incidents/new", content=fields, headers=headers)
    assert answer.status_code == 422, answer.text[:300]
    assert len(answer.content) < 30_000 and answer.text.count("NUL") <= 50


@pytest.mark.parametrize("dimension", ["violation", "armed_party", "victim_category", "year"])
def test_the_same_dimension_twice_is_refused(
    client: TestClient, client_for: Callable, dimension: str
) -> None:
    writer = client_for(Role.REPORT_WRITER)
    for path in ("/stats", "/stats.csv"):
        _refused(writer.get(f"{API}{path}?group_by={dimension},{dimension}"), "group_by")
        twice = writer.get(f"{API}{path}", params=[("group_by", dimension)] * 2)
        _refused(twice, "group_by")


def test_the_statistics_page_never_offers_nor_answers_the_same_dimension_twice(
    client: TestClient, app: Any
) -> None:
    browser = signed_in(app, Role.REPORT_WRITER)
    page = browser.get("/statistics?group_by=violation")
    then_by = page.text.split('name="then_by"', 1)[1].split("</select>", 1)[0]
    assert 'value="violation"' not in then_by
    assert 'value="source"' in then_by
    twice = browser.get("/statistics?group_by=violation&then_by=violation")
    assert twice.status_code == 400
    assert 'id="err-then_by"' in twice.text
    csv = browser.get("/statistics.csv?group_by=violation&then_by=violation")
    assert csv.status_code == 422
    assert csv.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "query",
    [
        "occurred_to=9999-12-31",
        "occurred_from=0001-01-01",
        "occurred_from=9999-12-31&occurred_to=9999-12-31",
    ],
)
def test_filter_dates_out_of_range_are_refused(
    client: TestClient, client_for: Callable, query: str
) -> None:
    field = query.split("=", 1)[0]
    _refused(client.get(f"{API}/incidents?{query}"), field)
    writer = client_for(Role.REPORT_WRITER)
    for group_by in ("year", "source"):
        _refused(writer.get(f"{API}/stats?group_by={group_by}&{query}"), field)


@pytest.mark.parametrize("field", ["occurred_on", "reported_on"])
def test_an_incident_dated_before_1900_is_refused(client: TestClient, field: str) -> None:
    body = incident_payload(occurred_on="0001-01-01", reported_on="0001-01-02")
    _refused(client.post(f"{API}/incidents", json=body), field)
    assert _count_incidents(client) == 0
    incident = create_incident(client)
    _refused(
        client.patch(f"{API}/incidents/{incident['id']}", json={"version": 1, field: "1899-12-31"}),
        field,
    )
    candidates = client.get(f"{API}/incidents/{incident['id']}/duplicate-candidates")
    assert candidates.status_code == 200


def test_a_judicial_date_before_1900_is_refused(client: TestClient, client_for: Callable) -> None:
    tracker = client_for(Role.JUDICIAL_TRACKER, Role.PROTECTION_ADVISER)
    court = create_court(tracker, "Tribunal de Mopti")
    incident = create_incident(tracker)
    body = {"court_id": court["id"], "incident_ids": [incident["id"]], "opened_on": "0001-01-01"}
    _refused(tracker.post(f"{API}/judicial-cases", json=body), "opened_on")


# Header bytes arrive as Latin-1: "²" is the one non-ASCII digit a header can carry.
@pytest.mark.parametrize("tag", ['"' + "9" * 5000 + '"', "9" * 5000, '"²"', "²", 'W/"³"'])
def test_an_absurd_if_match_is_a_failed_precondition(client: TestClient, tag: str) -> None:
    incident = create_incident(client)
    path = f"{API}/incidents/{incident['id']}"
    response = client.patch(
        path, json={"admin1": "Gao"}, headers={"If-Match": tag.encode("latin-1")}
    )
    assert response.status_code in (400, 412), response.text
    assert client.get(path).json()["admin1"] == "Mopti"


def test_a_cursor_of_deeply_nested_json_is_refused(client: TestClient) -> None:
    nested = base64.urlsafe_b64encode(b"[" * 5_000 + b"]" * 5_000).decode()
    _refused(client.get(f"{API}/incidents", params={"cursor": nested}), "cursor")
    not_a_list = base64.urlsafe_b64encode(json.dumps({"a": 1}).encode()).decode()
    _refused(client.get(f"{API}/incidents", params={"cursor": not_a_list}), "cursor")


@pytest.mark.parametrize("before_id", [str(2**63), str(-(2**63) - 1), "9" * 30])
def test_an_audit_page_beyond_64_bits_is_refused(client_for: Callable, before_id: str) -> None:
    admin = client_for(Role.ADMIN)
    _refused(admin.get(f"{API}/audit", params={"before_id": before_id}), "before_id")
    _refused(admin.get(f"{API}/audit", params={"since": "9999-12-31T00:00:00"}), "since")


def test_a_wrong_method_lists_the_allowed_ones(client: TestClient) -> None:
    incident = create_incident(client)
    response = client.put(f"{API}/incidents/{incident['id']}", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH, DELETE"
    response = client.delete(f"{API}/incidents")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_the_schema_documents_problem_details_for_every_4xx(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert set(schema["components"]["schemas"]["Problem"]["required"]) >= {"title", "status"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "4XX" in responses and "422" in responses, (method, path)
            for status in (s for s in responses if s.startswith("4")):
                assert list(responses[status]["content"]) == ["application/problem+json"], (
                    method,
                    path,
                    status,
                )


def test_an_overlong_idempotency_key_from_the_form_is_refused(client: TestClient, app: Any) -> None:
    browser = signed_in(app, Role.PROTECTION_ADVISER)
    form = incident_form(idempotency_key="k" * 5000)
    response = submit(browser, "/incidents/new", "/incidents/new", form)
    assert response.status_code == 422
    assert _count_incidents(client) == 0
    too_long = client.post(
        f"{API}/incidents", json=incident_payload(), headers={"Idempotency-Key": "k" * 201}
    )
    assert too_long.status_code == 422

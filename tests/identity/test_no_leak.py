"""A report writer cannot obtain a survivor's identifying details by any route, filter, export or
error message; nor do they reach the logs."""

import itertools
import logging
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.logging import JsonLinesFormatter
from app.models.enums import Role
from app.stats.dimensions import DimensionName
from tests.factories import API, create_armed_party, create_incident

SECRETS = ("Mariam Coulibaly", "+223 66 12 34 56", "Rue 312 porte 45", "sister of the imam")


def _seed(client: TestClient) -> dict[str, Any]:
    party = create_armed_party(client)
    return create_incident(
        client,
        summary=f"{SECRETS[0]} reported at night; {SECRETS[3]}",
        victims=[
            {
                "sex": "female",
                "age": 19,
                "identity": {
                    "name": SECRETS[0],
                    "contact": SECRETS[1],
                    "address": SECRETS[2],
                    "notes": SECRETS[3],
                },
                "consent": {"statistics": True},
            }
        ],
        perpetrators=[{"armed_party_id": party["id"]}],
    )


def _concrete(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path


def _assert_clean(response: Any) -> None:
    for secret in SECRETS:
        assert secret not in response.text, (response.request.url, secret)


def test_report_writer_gets_no_identifying_detail_from_any_route(
    app: FastAPI, client: TestClient, client_for
) -> None:
    incident = _seed(client)
    writer = client_for(Role.REPORT_WRITER)  # same organisation as the incident: still no access
    ids = {
        "incident_id": incident["id"],
        "victim_id": incident["victims"][0]["id"],
        "party_id": incident["perpetrators"][0]["armed_party"]["id"],
        "user_id": str(uuid.uuid4()),
    }
    probes = {"admin1": SECRETS[0], "summary": SECRETS[0], "name": SECRETS[0]}
    for path, operations in app.openapi()["paths"].items():
        if path.endswith("/auth/logout"):
            continue  # would end the writer's session and make every later probe a 401
        for method in operations:
            url = _concrete(path, ids)
            _assert_clean(writer.request(method.upper(), url))
            _assert_clean(writer.request(method.upper(), url, params=probes))
            if method in ("post", "put", "patch"):
                _assert_clean(writer.request(method.upper(), url, json={"name": SECRETS[0]}))
    assert writer.get(f"{API}/auth/me").status_code == 200  # the probes ran logged in


@pytest.mark.parametrize("fmt", ["stats", "stats.csv"])
def test_no_statistics_table_carries_identifying_details(
    client: TestClient, client_for, fmt: str
) -> None:
    _seed(client)
    writer = client_for(Role.REPORT_WRITER)
    names = [name.value for name in DimensionName]
    # Each dimension alone and each pair once: a pair's two orders hold the same cells.
    for group_by in [*names, *(",".join(pair) for pair in itertools.combinations(names, 2))]:
        response = writer.get(f"{API}/{fmt}", params={"group_by": group_by})
        assert response.status_code == 200, (group_by, response.text)
        _assert_clean(response)


def test_identifying_details_sent_in_bodies_never_reach_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    incident = _seed(client)
    victim = incident["victims"][0]["id"]
    client.put(
        f"{API}/incidents/{incident['id']}/victims/{victim}/identity",
        json={"name": SECRETS[0], "notes": ["not a string", SECRETS[3]]},
    )
    client.get(f"{API}/incidents/{incident['id']}/victims/{victim}/identity")
    client.post(f"{API}/auth/token", data={"username": SECRETS[0], "password": SECRETS[1]})
    service_records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(JsonLinesFormatter().format(record) for record in service_records)
    assert "crsv_registry.access" in logged
    for secret in SECRETS:
        assert secret not in logged

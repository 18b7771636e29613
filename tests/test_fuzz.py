"""Requests generated from the OpenAPI schema, as each role: never a 5xx, always as documented.

Schemathesis draws valid and invalid requests for every operation (about a minute on
each database), sends them as an adviser, a report writer, a judicial tracker and an admin,
and checks each response: not a server error, a documented status and media type, and a body
matching the schema. Path ids are real records half the time, so handlers past the 404 are
reached too. Examples are derived from a fixed seed: a run repeats the previous one.
"""

import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.models.enums import Role
from tests.factories import (
    JUSTICE_VICTIM,
    create_armed_party,
    create_case,
    create_court,
    create_incident_for_justice,
    log_in,
    make_user,
)
from tests.referrals.helpers import create_point, refer, referrals_url

# Examples are shared out over the operations so the run stays about as long however many routes
# there are (per role and generation mode; about a minute per database on an idle machine).
EXAMPLES_IN_ALL = 600
FEWEST_EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = [Role.PROTECTION_ADVISER, Role.REPORT_WRITER, Role.JUDICIAL_TRACKER, Role.ADMIN]


@pytest.fixture
def records(client: TestClient, client_for: Callable[..., TestClient]) -> dict[str, str]:
    """One record of each kind, whose ids stand in for generated ones."""
    tracker = client_for(Role.JUDICIAL_TRACKER, Role.PROTECTION_ADVISER)
    # Consenting to referral too, so that the referral routes are reached past their 404.
    victim = {**JUSTICE_VICTIM, "consent": {"justice": True, "referral": True}}
    incident = create_incident_for_justice(tracker, victims=[victim])
    other = create_incident_for_justice(tracker, admin1="Gao")
    court = create_court(tracker, "Tribunal de grande instance de Mopti")
    case = create_case(tracker, court, [incident])
    party = create_armed_party(tracker)
    point = create_point(tracker)
    referral = refer(tracker, referrals_url(incident), point, referred_on="2013-06-20").json()
    return {
        "service_point_id": point["id"],
        "referral_id": referral["id"],
        "incident_id": incident["id"],
        "canonical_id": other["id"],
        "victim_id": incident["victims"][0]["id"],
        "court_id": court["id"],
        "case_id": case["id"],
        "party_id": party["id"],
    }


@pytest.fixture
def tokens(app: FastAPI, client: TestClient) -> dict[Role, str]:
    return {role: log_in(client, make_user(app, role)) for role in ROLES}


@pytest.fixture
def api_schema(app: FastAPI) -> Iterator[Any]:
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


def _with_real_ids(case: Any, records: dict[str, str]) -> None:
    for name, value in (case.path_parameters or {}).items():
        if name in records and zlib.crc32(str(value).encode()) % 2 == 0:
            case.path_parameters[name] = records[name]


def test_generated_requests_get_no_server_error_and_documented_answers(
    app: FastAPI, api_schema: Any, records: dict[str, str], tokens: dict[Role, str]
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40
    examples = max(FEWEST_EXAMPLES, EXAMPLES_IN_ALL // len(operations))
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, examples, records, tokens)


def _fuzz(
    operation: Any, mode: GenerationMode, examples: int, records: dict[str, str], tokens: Any
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        _with_real_ids(case, records)
        for role, token in tokens.items():
            if operation.path == "/api/v1/auth/logout":
                continue  # revoking the token would leave nothing to test with
            headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except Exception as error:
                error.add_note(f"as {role.value}, {mode.value} data")
                raise

    try:
        run()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # nothing to get wrong, e.g. no parameter at all

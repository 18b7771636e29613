"""Every route against every role, from one table: a new route without a rule fails here."""

import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role

ADVISER = Role.PROTECTION_ADVISER
WRITER = Role.REPORT_WRITER
TRACKER = Role.JUDICIAL_TRACKER
ADMIN = Role.ADMIN
SYSTEM = Role.SYSTEM_ADMIN
PUBLIC = "public"  # no token needed
EVERY_ROLE = frozenset(Role)
ORGANISATION_ROLES = EVERY_ROLE - {SYSTEM}  # the system role works on no organisation's data

# Who may call each route. Anyone else gets 401 (no token) or 403 (a role without the right).
ALLOWED: dict[tuple[str, str], frozenset[Role] | str] = {
    ("GET", "/health"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): EVERY_ROLE,
    ("GET", "/api/v1/auth/me"): EVERY_ROLE,
    ("POST", "/api/v1/auth/password"): EVERY_ROLE,
    ("POST", "/api/v1/auth/second-factor"): frozenset({ADVISER}),  # roles that read identity
    ("POST", "/api/v1/auth/second-factor/confirm"): frozenset({ADVISER}),
    ("GET", "/api/v1/auth/second-factor-policy"): frozenset({ADMIN}),
    ("PUT", "/api/v1/auth/second-factor-policy"): frozenset({ADMIN}),
    ("POST", "/api/v1/incidents"): frozenset({ADVISER}),
    ("GET", "/api/v1/incidents"): frozenset({ADVISER, TRACKER}),  # trackers: linked ones only
    ("GET", "/api/v1/incidents/{incident_id}"): frozenset({ADVISER, TRACKER}),
    ("PATCH", "/api/v1/incidents/{incident_id}"): frozenset({ADVISER}),
    ("DELETE", "/api/v1/incidents/{incident_id}"): frozenset({ADVISER}),
    ("POST", "/api/v1/incidents:batch"): frozenset({ADVISER}),
    ("POST", "/api/v1/imports"): frozenset({ADVISER}),
    ("GET", "/api/v1/exports/incident-recorder.xlsx"): frozenset({ADVISER}),
    ("POST", "/api/v1/incidents/{incident_id}/verification"): frozenset({ADVISER}),
    ("POST", "/api/v1/incidents/{incident_id}/duplicate-of/{canonical_id}"): frozenset({ADVISER}),
    ("DELETE", "/api/v1/incidents/{incident_id}/duplicate-of/{canonical_id}"): frozenset({ADVISER}),
    ("GET", "/api/v1/incidents/{incident_id}/duplicate-candidates"): frozenset({ADVISER}),
    ("GET", "/api/v1/incidents/{incident_id}/verification"): frozenset({ADVISER, TRACKER}),
    ("GET", "/api/v1/incidents/{incident_id}/history"): frozenset({ADVISER, TRACKER}),
    ("GET", "/api/v1/incidents/{incident_id}/victims/{victim_id}/identity"): frozenset({ADVISER}),
    ("PUT", "/api/v1/incidents/{incident_id}/victims/{victim_id}/identity"): frozenset({ADVISER}),
    ("PUT", "/api/v1/incidents/{incident_id}/victims/{victim_id}/consent"): frozenset({ADVISER}),
    ("POST", "/api/v1/armed-parties"): frozenset({ADVISER, ADMIN}),
    ("GET", "/api/v1/armed-parties"): ORGANISATION_ROLES,
    ("GET", "/api/v1/armed-parties/{party_id}"): ORGANISATION_ROLES,
    # Dossiers and patterns are statistics; the annex records and the rule are read by every
    # reader of the party registry and written by its writers (advisers and admins).
    ("GET", "/api/v1/armed-parties/{party_id}/dossier"): frozenset({ADVISER, WRITER}),
    ("GET", "/api/v1/armed-parties/patterns"): frozenset({ADVISER, WRITER}),
    ("GET", "/api/v1/armed-parties/pattern-rule"): ORGANISATION_ROLES,
    ("PUT", "/api/v1/armed-parties/pattern-rule"): frozenset({ADVISER, ADMIN}),
    ("POST", "/api/v1/armed-parties/{party_id}/listings"): frozenset({ADVISER, ADMIN}),
    ("GET", "/api/v1/armed-parties/{party_id}/listings/{record_id}"): ORGANISATION_ROLES,
    ("PATCH", "/api/v1/armed-parties/{party_id}/listings/{record_id}"): frozenset({ADVISER, ADMIN}),
    ("DELETE", "/api/v1/armed-parties/{party_id}/listings/{record_id}"): frozenset(
        {ADVISER, ADMIN}
    ),
    ("POST", "/api/v1/armed-parties/{party_id}/commitments"): frozenset({ADVISER, ADMIN}),
    ("GET", "/api/v1/armed-parties/{party_id}/commitments/{record_id}"): ORGANISATION_ROLES,
    ("PATCH", "/api/v1/armed-parties/{party_id}/commitments/{record_id}"): frozenset(
        {ADVISER, ADMIN}
    ),
    ("DELETE", "/api/v1/armed-parties/{party_id}/commitments/{record_id}"): frozenset(
        {ADVISER, ADMIN}
    ),
    ("POST", "/api/v1/armed-parties/{party_id}/sanctions"): frozenset({ADVISER, ADMIN}),
    ("GET", "/api/v1/armed-parties/{party_id}/sanctions/{record_id}"): ORGANISATION_ROLES,
    ("PATCH", "/api/v1/armed-parties/{party_id}/sanctions/{record_id}"): frozenset(
        {ADVISER, ADMIN}
    ),
    ("DELETE", "/api/v1/armed-parties/{party_id}/sanctions/{record_id}"): frozenset(
        {ADVISER, ADMIN}
    ),
    ("GET", "/api/v1/stats"): frozenset({ADVISER, WRITER}),
    ("GET", "/api/v1/stats.csv"): frozenset({ADVISER, WRITER}),
    ("GET", "/api/v1/stats.xlsx"): frozenset({ADVISER, WRITER}),
    # The incident list as files: trackers get the linked incidents, never identity.
    ("GET", "/api/v1/exports/incidents.csv"): frozenset({ADVISER, TRACKER}),
    ("GET", "/api/v1/exports/incidents.xlsx"): frozenset({ADVISER, TRACKER}),
    ("POST", "/api/v1/courts"): frozenset({TRACKER, ADMIN, SYSTEM}),
    ("GET", "/api/v1/courts"): frozenset({ADVISER, TRACKER, ADMIN, SYSTEM}),
    ("GET", "/api/v1/courts/{court_id}"): frozenset({ADVISER, TRACKER, ADMIN, SYSTEM}),
    # The court registry is shared: only the system role renames or deletes a court.
    ("PATCH", "/api/v1/courts/{court_id}"): frozenset({SYSTEM}),
    ("DELETE", "/api/v1/courts/{court_id}"): frozenset({SYSTEM}),
    ("DELETE", "/api/v1/judicial-cases/{case_id}"): frozenset({TRACKER}),
    ("POST", "/api/v1/judicial-cases"): frozenset({TRACKER}),
    ("GET", "/api/v1/judicial-cases"): frozenset({ADVISER, TRACKER}),
    ("GET", "/api/v1/judicial-cases/pending"): frozenset({ADVISER, TRACKER}),
    ("GET", "/api/v1/judicial-cases/stalled"): frozenset({ADVISER, TRACKER}),
    ("GET", "/api/v1/judicial-cases/{case_id}"): frozenset({ADVISER, TRACKER}),
    ("PATCH", "/api/v1/judicial-cases/{case_id}"): frozenset({TRACKER}),
    ("POST", "/api/v1/judicial-cases/{case_id}/events"): frozenset({TRACKER}),
    ("POST", "/api/v1/organisations"): frozenset({SYSTEM}),
    ("GET", "/api/v1/organisations"): frozenset({ADMIN, SYSTEM}),  # admins: their own
    ("POST", "/api/v1/users"): frozenset({ADMIN, SYSTEM}),  # the system role: admins only
    ("GET", "/api/v1/users"): frozenset({ADMIN}),
    ("GET", "/api/v1/users/{user_id}"): frozenset({ADMIN}),
    ("PATCH", "/api/v1/users/{user_id}"): frozenset({ADMIN}),
    ("GET", "/api/v1/audit"): frozenset({ADMIN}),
    # The directory holds no survivor data: every account reads it.
    ("GET", "/api/v1/service-points"): EVERY_ROLE,
    ("GET", "/api/v1/service-points/{service_point_id}"): EVERY_ROLE,
    ("POST", "/api/v1/service-points"): frozenset({ADVISER, ADMIN}),
    ("PATCH", "/api/v1/service-points/{service_point_id}"): frozenset({ADVISER, ADMIN}),
    ("GET", "/api/v1/incidents/{incident_id}/victims/{victim_id}/referrals"): frozenset({ADVISER}),
    ("POST", "/api/v1/incidents/{incident_id}/victims/{victim_id}/referrals"): frozenset({ADVISER}),
    ("GET", "/api/v1/referrals/received"): frozenset({ADVISER}),
    ("GET", "/api/v1/referrals/{referral_id}"): frozenset({ADVISER}),
    ("PATCH", "/api/v1/referrals/{referral_id}"): frozenset({ADVISER}),
    ("GET", "/api/v1/reports/72-hours"): frozenset({ADVISER, WRITER}),
    ("GET", "/api/v1/reports/72-hours.csv"): frozenset({ADVISER, WRITER}),
    ("GET", "/api/v1/reports/service-gaps"): frozenset({ADVISER, WRITER}),
    ("GET", "/api/v1/reports/referrals"): frozenset({ADVISER, WRITER}),
    ("GET", "/api/v1/reports/service-gaps.csv"): frozenset({ADVISER, WRITER}),
    ("GET", "/api/v1/reports/paragraphs"): frozenset({ADVISER, WRITER}),
    # Partners' aggregate tables: anonymous counts of the caller's organisation.
    ("POST", "/api/v1/aggregates"): frozenset({ADVISER, ADMIN}),
    ("GET", "/api/v1/aggregates"): frozenset({ADVISER, WRITER, ADMIN}),
    ("GET", "/api/v1/aggregates/template.csv"): frozenset({ADVISER, WRITER, ADMIN}),
    ("POST", "/api/v1/aggregates/csv"): frozenset({ADVISER, ADMIN}),
    ("GET", "/api/v1/aggregates/{submission_id}"): frozenset({ADVISER, WRITER, ADMIN}),
    ("PATCH", "/api/v1/aggregates/{submission_id}"): frozenset({ADVISER, ADMIN}),
    ("DELETE", "/api/v1/aggregates/{submission_id}"): frozenset({ADVISER, ADMIN}),
    ("GET", "/api/v1/stats/side-by-side"): frozenset({ADVISER, WRITER}),
}


def _api_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every operation the OpenAPI schema publishes."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }


def test_every_route_has_a_rule(app: FastAPI) -> None:
    routes = _api_routes(app)
    assert routes - set(ALLOWED) == set(), "routes without an access rule"
    assert set(ALLOWED) - routes == set(), "rules for routes that no longer exist"


def _call(client: TestClient, method: str, path: str) -> int:
    concrete = path.replace("{incident_id}", str(uuid.uuid4()))
    concrete = concrete.replace("{party_id}", str(uuid.uuid4()))
    concrete = concrete.replace("{user_id}", str(uuid.uuid4()))
    concrete = concrete.replace("{victim_id}", str(uuid.uuid4()))
    concrete = concrete.replace("{canonical_id}", str(uuid.uuid4()))
    concrete = concrete.replace("{court_id}", str(uuid.uuid4()))
    concrete = concrete.replace("{case_id}", str(uuid.uuid4()))
    concrete = concrete.replace("{service_point_id}", str(uuid.uuid4()))
    concrete = concrete.replace("{referral_id}", str(uuid.uuid4()))
    concrete = concrete.replace("{record_id}", str(uuid.uuid4()))
    concrete = concrete.replace("{submission_id}", str(uuid.uuid4()))
    kwargs = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
    return client.request(method, concrete, **kwargs).status_code


@pytest.mark.parametrize("caller", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_each_caller_gets_exactly_the_routes_the_table_allows(
    caller: Role | None, client_for, anonymous: TestClient, app: FastAPI
) -> None:
    client = anonymous if caller is None else client_for(caller)
    wrong = []
    for (method, path), allowed in sorted(ALLOWED.items()):
        if path == "/api/v1/auth/logout":
            continue  # would end this caller's session; checked on its own below
        status = _call(client, method, path)
        permitted = allowed == PUBLIC or (caller is not None and caller in allowed)
        expected_denial = 401 if caller is None else 403
        if permitted and status in (401, 403):
            wrong.append(f"{method} {path}: {status}, should be allowed")
        if not permitted and status != expected_denial:
            wrong.append(f"{method} {path}: {status}, should be {expected_denial}")
    assert wrong == []


def test_logout_needs_a_token_and_works_for_every_role(client_for, anonymous: TestClient) -> None:
    assert anonymous.post("/api/v1/auth/logout").status_code == 401
    for role in Role:
        assert client_for(role).post("/api/v1/auth/logout").status_code == 204

"""Small builders for request bodies, and helpers that go through the HTTP API as users do."""

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import OrganisationKind, Role
from app.users.schemas import OrganisationCreate, UserCreate
from app.users.service import create_organisation, create_user, find_organisation

API = "/api/v1"
MISSION = "MINUSMA Human Rights and Protection Division"
NGO = "Women's Aid Mopti"
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class TestUser:
    __test__ = False  # not a test class, despite the name

    id: uuid.UUID
    username: str
    organisation_id: uuid.UUID
    password: str = PASSWORD


def make_user(app: FastAPI, *roles: Role, organisation: str = MISSION) -> TestUser:
    """A user made as the CLI makes one; the organisation is created on first use."""
    settings = app.state.settings
    with app.state.session_factory() as session, session.begin():
        org = find_organisation(session, organisation) or create_organisation(
            session, OrganisationCreate(name=organisation, kind=OrganisationKind.OTHER), None
        )
        username = f"{roles[0].value.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
        data = UserCreate(
            username=username, password=PASSWORD, organisation_id=org.id, roles=list(roles)
        )
        user = create_user(session, settings, data, None)
        return TestUser(user.id, user.username, org.id)


def log_in(client: TestClient, user: TestUser) -> str:
    response = client.post(
        f"{API}/auth/token", data={"username": user.username, "password": user.password}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def incident_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "occurred_on": "2019-03-14",
        "reported_on": "2019-03-20",
        "country": "ML",
        "admin1": "Mopti",
        "admin2": "Bandiagara",
        "violations": ["rape"],
        "source": "gbvims",
        "victims": [{"sex": "female", "age": 24}],
        "perpetrators": [{"category": "unidentified_armed_element"}],
    }
    payload.update(overrides)
    return payload


def create_incident(client: TestClient, **overrides: Any) -> dict[str, Any]:
    response = client.post(f"{API}/incidents", json=incident_payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


# A victim who agreed that their case goes to justice actors, as a judicial case requires.
JUSTICE_VICTIM = {"sex": "female", "age": 24, "consent": {"justice": True}}


# Before the complaint of the cases the tests open (2014-03-05 unless they say otherwise).
BEFORE_THE_COMPLAINT = {"occurred_on": "2013-06-14", "reported_on": "2013-06-20"}


def create_incident_for_justice(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """An incident whose victims consented to justice, before the complaint: one a judicial
    case may concern."""
    return create_incident(
        client, **{"victims": [JUSTICE_VICTIM], **BEFORE_THE_COMPLAINT, **overrides}
    )


def create_armed_party(
    client: TestClient,
    name: str = "Ansar Eddine",
    category: str = "non_state_armed_group",
    **extra: Any,
) -> dict[str, Any]:
    response = client.post(
        f"{API}/armed-parties", json={"name": name, "category": category, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def stats(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/stats", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def group_counts(result: dict[str, Any], dimension: str) -> dict[Any, tuple[int, int]]:
    """{value: (incidents, victims)} for a one-dimension result."""
    return {g["key"][dimension]: (g["incidents"], g["victims"]) for g in result["groups"]}


def field_names(response: Any) -> set[str]:
    return {error["field"] for error in response.json().get("errors", [])}


def patch_incident(client: TestClient, incident: dict[str, Any], **changes: Any) -> Any:
    """PATCH based on the version the caller last saw, as a careful client does."""
    body = {"version": incident["version"], **changes}
    return client.patch(f"{API}/incidents/{incident['id']}", json=body)


def verify(client: TestClient, incident: dict[str, Any], status: str, **fields: Any) -> Any:
    defaults: dict[str, Any] = {}
    if status in ("verified", "not_verified"):
        defaults = {"standard": "reasonable grounds to believe", "sources": ["interview"]}
    if status == "discarded":
        defaults = {"note": "did not occur"}
    body = {"status": status, **defaults, **fields}
    return client.post(f"{API}/incidents/{incident['id']}/verification", json=body)


def create_court(
    client: TestClient, name: str, jurisdiction: str = "national", **extra: Any
) -> Any:
    response = client.post(
        f"{API}/courts", json={"name": name, "jurisdiction": jurisdiction, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def create_case(
    client: TestClient, court: dict[str, Any], incidents: list[Any], **fields: Any
) -> Any:
    body = {
        "court_id": court["id"],
        "incident_ids": [incident["id"] for incident in incidents],
        "opened_on": "2014-03-05",
        **fields,
    }
    response = client.post(f"{API}/judicial-cases", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def case_event(client: TestClient, case: dict[str, Any], kind: str, on: str, **fields: Any) -> Any:
    body = {"kind": kind, "occurred_on": on, **fields}
    return client.post(f"{API}/judicial-cases/{case['id']}/events", json=body)

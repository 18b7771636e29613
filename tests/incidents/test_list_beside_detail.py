"""The list writes each incident as the detail does, whatever time zone the PostgreSQL session
is in: the list's child rows are read as the driver gives them, in the session's zone.
(The keys of a JSON object have no order: the list writes its own, the values are the same.)"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.models.enums import Role
from tests.conftest import test_settings as settings_for
from tests.factories import API, create_armed_party, create_incident, log_in, make_user

FAR_FROM_UTC = "Asia/Kathmandu"  # +05:45: a shift no rounding hides


@pytest.fixture
def far_client(database_url: str) -> Iterator[TestClient]:
    """An adviser of an app whose PostgreSQL sessions are in a time zone far from UTC."""
    url = database_url
    if url.startswith("postgresql"):
        url += ("&" if "?" in url else "?") + f"options=-c%20timezone%3D{FAR_FROM_UTC}"
    application = create_app(settings_for(url))
    with TestClient(application) as client:
        user = make_user(application, Role.PROTECTION_ADVISER)
        client.headers["Authorization"] = f"Bearer {log_in(client, user)}"
        yield client
    application.state.engine.dispose()


def _record_one(client: TestClient) -> None:
    party = create_armed_party(client, "Katiba Macina", "non_state_armed_group", acronym="KM")
    victim = {"sex": "female", "age": 16, "consent": {"statistics": True, "justice": False}}
    made = create_incident(
        client,
        victims=[{**victim, "identity": {"name": "(name)"}}],
        perpetrators=[{"armed_party_id": party["id"], "sex": "male"}],
    )
    assert client.get(f"{API}/incidents/{made['id']}").status_code == 200


def test_consent_times_are_listed_in_utc_whatever_the_session_time_zone(
    far_client: TestClient,
    client: TestClient,  # empties the database afterwards
) -> None:
    _record_one(far_client)
    item = far_client.get(f"{API}/incidents").json()["items"][0]
    shown = far_client.get(f"{API}/incidents/{item['id']}").json()
    for kind, decision in item["victims"][0]["consent"].items():
        assert decision["recorded_at"].endswith("Z")
        assert decision == shown["victims"][0]["consent"][kind]
    assert item["created_at"] == shown["created_at"]
    assert item == {**shown, "summary": None}

"""The API's answers, which hold survivors' records, are never kept by a browser or a proxy."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import test_settings as settings_for
from tests.factories import API, create_incident


def test_an_incident_and_the_list_are_sent_no_store(client: TestClient) -> None:
    incident = create_incident(client)
    for response in (
        client.get(f"{API}/incidents"),
        client.get(f"{API}/incidents/{incident['id']}"),
    ):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"


def test_refusals_are_sent_no_store_too(client: TestClient, app: FastAPI) -> None:
    anonymous = TestClient(app)
    huge = b"{" + b" " * (app.state.settings.max_body_bytes + 10) + b"}"
    refusals = (
        anonymous.get(f"{API}/incidents"),
        client.get(f"{API}/incidents/00000000-0000-0000-0000-000000000000"),
        client.post(f"{API}/incidents", content=huge, headers={"content-type": "application/json"}),
    )
    assert [response.status_code for response in refusals] == [401, 404, 413]
    for response in refusals:
        assert response.headers["cache-control"] == "no-store"


def test_the_health_check_and_static_files_are_left_to_their_own_headers(
    client: TestClient,
) -> None:
    assert "no-store" not in client.get("/health").headers.get("cache-control", "")


def test_an_unexpected_error_is_sent_no_store_too(database_url: str) -> None:
    # A 500 is sent by Starlette's outermost middleware, outside the app's own middleware.
    application = create_app(settings_for(database_url))

    @application.get(f"{API}/fails", include_in_schema=False)
    def fails() -> None:
        raise RuntimeError("a fault of the service")

    with TestClient(application, raise_server_exceptions=False) as client:
        response = client.get(f"{API}/fails")
    application.state.engine.dispose()
    assert response.status_code == 500
    assert response.headers["cache-control"] == "no-store"

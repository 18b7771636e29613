"""How a change based on no version, an unreadable one or a stale one is answered: the whole
problem-details body, as app/core/errors.py maps the domain's refusals."""

from fastapi.testclient import TestClient

from tests.factories import API, create_incident

PROBLEM_JSON = "application/problem+json"
STALE = (
    "This record changed since version 1: it is at version 2. "
    "Reload it, reapply your change and send it again."
)


def problem(status: int, title: str, detail: str) -> dict[str, object]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


def test_each_version_refusal_has_its_status_and_its_words(client: TestClient) -> None:
    incident = create_incident(client)
    path = f"{API}/incidents/{incident['id']}"
    saved = client.patch(path, json={"admin1": "Gao"}, headers={"If-Match": '"1"'})
    assert saved.status_code == 200 and saved.headers["ETag"] == '"2"'
    cases = [
        (
            {},
            {"admin1": "Kidal"},
            problem(
                428,
                "Precondition Required",
                "Say which version this change is based on: send If-Match with the incident's "
                "ETag, or `version` in the body.",
            ),
        ),
        (
            {"If-Match": '"1"'},
            {"admin1": "Kidal"},
            problem(412, "Precondition Failed", STALE),
        ),
        ({}, {"admin1": "Kidal", "version": 1}, problem(409, "Conflict", STALE)),
        (
            {"If-Match": "W/abc"},
            {"admin1": "Kidal", "version": 2},  # If-Match is read first, and names no version
            problem(
                412, "Precondition Failed", 'If-Match must be the ETag of the incident, e.g. "3"'
            ),
        ),
    ]
    for headers, body, expected in cases:
        response = client.patch(path, json=body, headers=headers)
        assert response.headers["content-type"] == PROBLEM_JSON, headers
        assert response.json() == expected, (headers, body)
    assert client.get(path).json()["admin1"] == "Gao"

"""Eight readers of two organisations paging through the incident list at once.

The unfiltered list's statement is built once per shape and shared by every caller, the
organisation and the cursor given as parameters (`incidents.service._unfiltered_positions`):
here advisers and judicial trackers of two organisations walk it together, page by page, each
also trying the other organisation's cursor, through `crsv-registry serve` with two workers.
"""

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.eight_clients.harness import (
    AT_ONCE,
    api_client,
    assert_whole,
    at_once,
    close_all,
)
from tests.factories import API, MISSION, NGO, create_incident, log_in, make_user

PAGE = 2


def _walk(http: httpx.Client, foreign_cursor: str | None) -> set[str]:
    """Every incident id the reader's pages give, and those another organisation's cursor gives
    it, with a failed answer raised."""
    seen: set[str] = set()
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
        page = http.get(f"{API}/incidents", params=params)
        page.raise_for_status()
        body = page.json()
        seen |= {item["id"] for item in body["items"]}
        cursor = body["next_cursor"]
        if cursor is None:
            break
    if foreign_cursor is not None:
        answer = http.get(f"{API}/incidents", params={"limit": PAGE, "cursor": foreign_cursor})
        answer.raise_for_status()
        seen |= {item["id"] for item in answer.json()["items"]}
    return seen


def _first_cursor(client: TestClient) -> str:
    cursor = client.get(f"{API}/incidents", params={"limit": PAGE}).json()["next_cursor"]
    assert cursor
    return cursor


def test_eight_readers_of_two_organisations_page_through_their_own_incidents(
    app: FastAPI, client: TestClient, client_for, url: str
) -> None:
    ngo = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    ours = {create_incident(client)["id"] for _ in range(7)}
    theirs = {create_incident(ngo)["id"] for _ in range(5)}
    cursors = {MISSION: _first_cursor(client), NGO: _first_cursor(ngo)}
    # Per organisation: three advisers, who read all its incidents, and a judicial tracker, who
    # reads only those linked to a judicial case (none here).
    readers = [
        (organisation, role)
        for organisation in (MISSION, NGO)
        for role in (Role.PROTECTION_ADVISER,) * 3 + (Role.JUDICIAL_TRACKER,)
    ]
    assert len(readers) == AT_ONCE
    clients = [
        api_client(url, log_in(client, make_user(app, role, organisation=organisation)))
        for organisation, role in readers
    ]
    expected = {MISSION: ours, NGO: theirs}
    other = {MISSION: NGO, NGO: MISSION}
    seen: dict[int, set[str]] = {}

    def read(index: int) -> httpx.Response:
        organisation, _role = readers[index]
        seen[index] = _walk(clients[index], cursors[other[organisation]])
        # The first page again, as the answer `at_once` checks.
        return clients[index].get(f"{API}/incidents", params={"limit": PAGE})

    try:
        answers = at_once(read)
    finally:
        close_all(clients)
    assert [answer.status_code for answer in answers] == [200] * AT_ONCE
    for index, (organisation, role) in enumerate(readers):
        own = expected[organisation] if role is Role.PROTECTION_ADVISER else set()
        assert seen[index] == own, (organisation, role)
    assert_whole(app, url)

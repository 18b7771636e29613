"""Replacing a survivor's identifying details through the API says which details it replaces.

Two advisers read the same safe-house address; one moves the survivor and saves the new one;
the other, still looking at the old, corrects a phone number and saves. Without a condition the
second save wrote the old address back over the new, unseen. The details have an ETag (a digest
of their ciphertext, which says nothing of them); a replacement must send it as If-Match."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, create_incident

AT_ONCE = 8
SAFE_HOUSE = {"name": "Awa K.", "address": "Maison d'accueil, Sévaré", "contact": "+223 70 00"}


def _victim_path(client: TestClient, **identity: Any) -> str:
    victim: dict[str, Any] = {"sex": "female", "age": 24}
    if identity:
        victim["identity"] = identity
    incident = create_incident(client, victims=[victim])
    return f"{API}/incidents/{incident['id']}/victims/{incident['victims'][0]['id']}/identity"


def test_a_save_based_on_details_changed_since_is_refused_and_keeps_the_new_ones(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    path = _victim_path(client, **SAFE_HOUSE)
    colleague = client_for(Role.PROTECTION_ADVISER)
    mine, theirs = client.get(path), colleague.get(path)
    assert mine.headers["ETag"] == theirs.headers["ETag"] != '"none"'

    moved = {**SAFE_HOUSE, "address": "Famille d'accueil, Mopti"}
    saved = colleague.put(path, json=moved, headers={"If-Match": theirs.headers["ETag"]})
    assert saved.status_code == 204, saved.text
    corrected = {**mine.json(), "contact": "+223 70 11"}
    refused = client.put(path, json=corrected, headers={"If-Match": mine.headers["ETag"]})

    assert refused.status_code == 412, refused.text
    assert "changed since" in refused.json()["detail"]
    now = client.get(path)
    assert now.json()["address"] == "Famille d'accueil, Mopti"
    assert now.headers["ETag"] == saved.headers["ETag"]
    again = client.put(
        path,
        json={**now.json(), "contact": "+223 70 11"},
        headers={"If-Match": now.headers["ETag"]},
    )
    assert again.status_code == 204
    assert client.get(path).json() == {**now.json(), "contact": "+223 70 11"}


def test_a_save_without_if_match_is_refused_and_changes_nothing(client: TestClient) -> None:
    path = _victim_path(client, **SAFE_HOUSE)
    before = client.get(path)
    refused = client.put(path, json={"name": "Someone else"})
    assert refused.status_code == 428, refused.text
    assert "If-Match" in refused.json()["detail"]
    after = client.get(path)
    assert after.json() == before.json() and after.headers["ETag"] == before.headers["ETag"]


def test_details_given_for_the_first_time_are_based_on_none(client: TestClient) -> None:
    path = _victim_path(client)
    assert client.get(path).headers["ETag"] == '"none"'
    written = client.put(path, json={"name": "Awa K."}, headers={"If-Match": '"none"'})
    assert written.status_code == 204 and written.headers["ETag"] != '"none"'
    # A second "first" save, by an adviser who read them before the first, is refused.
    late = client.put(path, json={"name": "A. K."}, headers={"If-Match": '"none"'})
    assert late.status_code == 412
    assert client.get(path).json()["name"] == "Awa K."


def test_the_etag_changes_with_each_save_even_of_the_same_details(client: TestClient) -> None:
    path = _victim_path(client, **SAFE_HOUSE)
    first = client.get(path).headers["ETag"]
    same = client.put(path, json=SAFE_HOUSE, headers={"If-Match": first})
    assert same.status_code == 204 and same.headers["ETag"] not in (first, '"none"')
    # A weak tag, or one without quotes, names the same details.
    unquoted = same.headers["ETag"].strip('"')
    assert client.put(path, json=SAFE_HOUSE, headers={"If-Match": unquoted}).status_code == 204


def test_an_etag_names_nothing_of_the_details(client: TestClient) -> None:
    path = _victim_path(client, **SAFE_HOUSE)
    tag = client.get(path).headers["ETag"]
    for value in SAFE_HOUSE.values():
        assert value not in tag
    assert len(tag.strip('"')) == 32 and set(tag.strip('"')) <= set("0123456789abcdef")


def test_eight_saves_based_on_the_same_details_at_once_keep_one(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    # On both databases: SQLite ignores FOR UPDATE and its driver begins a transaction only at
    # the first write, so there two checks that only read both passed, and both were written.
    path = _victim_path(client, **SAFE_HOUSE)
    read = client.get(path).headers["ETag"]
    advisers = [client_for(Role.PROTECTION_ADVISER) for _ in range(AT_ONCE)]
    barrier = threading.Barrier(AT_ONCE)

    def save(index: int) -> int:
        barrier.wait(timeout=30)
        body = {**SAFE_HOUSE, "address": f"Address {index}"}
        return advisers[index].put(path, json=body, headers={"If-Match": read}).status_code

    with ThreadPoolExecutor(AT_ONCE) as pool:
        statuses = list(pool.map(save, range(AT_ONCE)))
    assert statuses.count(204) == 1 and set(statuses) <= {204, 412}, statuses
    assert client.get(path).json()["address"] == f"Address {statuses.index(204)}"


def test_a_weak_or_empty_if_match_names_no_details(client: TestClient) -> None:
    path = _victim_path(client)
    assert client.put(path, json={"name": "A."}, headers={"If-Match": ""}).status_code == 428
    weak = client.put(path, json={"name": "A."}, headers={"If-Match": 'W/"none"'})
    assert weak.status_code == 412
    written = client.put(path, json={"name": "A."}, headers={"If-Match": '"none"'})
    tag = written.headers["ETag"]
    assert client.put(path, json={}, headers={"If-Match": f"W/{tag}"}).status_code == 412
    assert client.put(path, json={}, headers={"If-Match": f'""{tag}""'}).status_code == 412
    assert client.get(path).json()["name"] == "A."

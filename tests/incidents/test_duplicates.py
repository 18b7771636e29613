"""The same incident reported twice: linked by a person, kept, and counted once."""

from fastapi.testclient import TestClient

from tests.factories import API, create_incident, group_counts, stats


def _link(client: TestClient, duplicate: dict, canonical: dict, reason: str = "same event"):
    return client.post(
        f"{API}/incidents/{duplicate['id']}/duplicate-of/{canonical['id']}", json={"reason": reason}
    )


def test_duplicate_is_kept_but_left_out_of_every_count(client: TestClient) -> None:
    canonical = create_incident(
        client, source="mission_human_rights", victims=[{"sex": "female", "age": 15}] * 2
    )
    duplicate = create_incident(client, victims=[{"sex": "female", "age": 15}] * 2)
    create_incident(client, victims=[{"sex": "male", "age": 30}])
    assert stats(client, group_by="source")["total"] == {"incidents": 3, "victims": 5}

    response = _link(client, duplicate, canonical, "GBVIMS report of the mission's case")
    assert response.status_code == 200
    assert response.json()["duplicate_of_id"] == canonical["id"]
    assert response.json()["duplicate_reason"] == "GBVIMS report of the mission's case"
    result = stats(client, group_by="victim_category")
    assert result["total"] == {"incidents": 2, "victims": 3}
    assert group_counts(result, "victim_category")["girl"] == (1, 2)
    listed = {item["id"] for item in client.get(f"{API}/incidents").json()["items"]}
    assert duplicate["id"] in listed  # nothing is lost
    history = client.get(f"{API}/incidents/{duplicate['id']}/history").json()
    assert history[-1]["action"] == "duplicate"

    unlinked = client.delete(f"{API}/incidents/{duplicate['id']}/duplicate-of/{canonical['id']}")
    assert unlinked.status_code == 200 and unlinked.json()["duplicate_of_id"] is None
    assert stats(client, group_by="source")["total"] == {"incidents": 3, "victims": 5}


def test_links_that_would_make_chains_or_loops_are_refused(client: TestClient) -> None:
    a, b, c = (create_incident(client) for _ in range(3))
    assert _link(client, a, a).status_code == 409
    assert _link(client, b, a).status_code == 200
    assert _link(client, c, b).status_code == 409  # b is itself a duplicate
    assert _link(client, a, c).status_code == 409  # a has duplicates pointing to it
    assert _link(client, b, c).status_code == 409  # b must be unlinked first
    assert _link(client, b, a).status_code == 200  # linking again is harmless
    wrong = client.delete(f"{API}/incidents/{b['id']}/duplicate-of/{c['id']}")
    assert wrong.status_code == 404


def test_reason_is_required(client: TestClient) -> None:
    a, b = create_incident(client), create_incident(client)
    response = client.post(f"{API}/incidents/{a['id']}/duplicate-of/{b['id']}", json={})
    assert response.status_code == 422


def test_candidates_rank_the_likely_same_event_first(client: TestClient) -> None:
    report = create_incident(
        client,
        occurred_on="2019-03-14",
        admin1="Mopti",
        admin2="Bandiagara",
        violations=["rape", "sexual_slavery"],
        victims=[{"sex": "female", "age": 15}],
    )
    same = create_incident(
        client,
        occurred_on="2019-03-16",
        admin1="Mopti",
        admin2="Bandiagara",
        source="mission_human_rights",
        violations=["rape", "sexual_slavery"],
        victims=[{"sex": "female", "age": 16}],
    )
    near = create_incident(
        client,
        occurred_on="2019-03-30",
        reported_on="2019-04-02",
        admin1="Mopti",
        admin2="Douentza",
    )
    create_incident(client, occurred_on="2018-01-01", reported_on="2018-01-02")  # too early
    create_incident(client, violations=["forced_marriage"])  # no form in common
    create_incident(client, country="BF", admin1="Sahel")  # another country

    response = client.get(f"{API}/incidents/{report['id']}/duplicate-candidates")
    assert response.status_code == 200
    found = response.json()
    assert [c["id"] for c in found] == [same["id"], near["id"]]
    assert found[0]["score"] > found[1]["score"]
    assert "same place (Bandiagara, Mopti)" in found[0]["reasons"]
    assert "same victim profile" in found[0]["reasons"]
    assert "reported by another source (mission_human_rights)" in found[0]["reasons"]

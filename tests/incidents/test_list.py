"""Listing incidents: filters and keyset pagination."""

from fastapi.testclient import TestClient

from tests.factories import API, create_armed_party, create_incident, field_names, verify


def _ids(client: TestClient, **params: object) -> list[str]:
    response = client.get(f"{API}/incidents", params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_pages_walk_every_incident_once_newest_first(client: TestClient) -> None:
    # Several incidents share a day, so the cursor must break ties by id.
    created = [
        create_incident(client, occurred_on=f"2019-03-{day:02d}", reported_on="2019-03-28")
        for day in (1, 5, 5, 5, 9, 12, 12, 20)
    ]
    seen: list[dict[str, str]] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/incidents", params=params).json()
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(item["id"] for item in seen) == sorted(item["id"] for item in created)
    days = [item["occurred_on"] for item in seen]
    assert days == sorted(days, reverse=True)


def test_last_full_page_has_no_next_cursor(client: TestClient) -> None:
    for _ in range(2):
        create_incident(client)
    page = client.get(f"{API}/incidents", params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"] is None


def test_list_filters(client: TestClient) -> None:
    party = create_armed_party(client)
    gao = create_incident(client, admin1="Gao", violations=["sexual_slavery"])
    verified = create_incident(
        client, verification_status="verified", source="mission_human_rights"
    )
    named = create_incident(client, perpetrators=[{"armed_party_id": party["id"]}])
    early = create_incident(client, occurred_on="2018-05-01", reported_on="2018-05-03")
    burkina = create_incident(client, country="BF", admin1="Sahel")
    state = create_incident(client, perpetrators=[{"category": "state_security_forces"}])

    assert _ids(client, admin1="Gao") == [gao["id"]]
    assert _ids(client, violation="sexual_slavery") == [gao["id"]]
    assert _ids(client, verification_status="verified") == [verified["id"]]
    assert _ids(client, source="mission_human_rights") == [verified["id"]]
    assert _ids(client, armed_party_id=party["id"]) == [named["id"]]
    assert _ids(client, occurred_to="2018-12-31") == [early["id"]]
    assert _ids(client, country="BF") == [burkina["id"]]
    assert _ids(client, perpetrator_category="state_security_forces") == [state["id"]]
    both = _ids(client, perpetrator_category=["state_security_forces", "non_state_armed_group"])
    assert set(both) == {state["id"], named["id"]}


def test_bad_list_parameters_are_refused_by_name(client: TestClient) -> None:
    cases = {
        "cursor": {"cursor": "not-a-cursor"},
        "limit": {"limit": 1000},
        "violation[0]": {"violation": "looting"},
        "occurred_from": {"occurred_from": "yesterday"},
        "violations": {"violations": "rape"},  # misspelt filter: refused, not ignored
    }
    for field, params in cases.items():
        response = client.get(f"{API}/incidents", params=params)
        assert response.status_code == 422, (field, response.text)
        assert field in field_names(response), field


def test_each_listed_incident_reads_as_its_detail_does(client: TestClient) -> None:
    party = create_armed_party(client, "Katiba Macina", "non_state_armed_group")
    shapes = [
        {},
        {"victims": [], "perpetrators": []},
        {
            "summary": "Account given at the health centre",
            "violations": ["sexual_slavery", "rape", "forced_marriage"],
            "victims": [
                {"sex": "female", "age": 16, "identity": {"name": "(name)"}},
                {"sex": "male", "age_group": "adult", "consent": {"statistics": True}},
                {"sex": "female", "age": 30, "consent": {"referral": False, "justice": True}},
            ],
            "perpetrators": [
                {"armed_party_id": party["id"]},
                {"category": "unidentified_armed_element"},
            ],
        },
    ]
    made = [create_incident(client, **shape) for shape in shapes]
    listed = {item["id"]: item for item in client.get(f"{API}/incidents").json()["items"]}
    for incident in made:
        detail = client.get(f"{API}/incidents/{incident['id']}").json()
        detail["summary"] = None  # only the detail shows the account itself
        assert listed[incident["id"]] == detail


def test_archived_duplicate_verified_and_odd_text_list_as_their_detail(client: TestClient) -> None:
    """Every state a listed incident can be in, and text PostgreSQL must escape in JSON."""
    odd = 'Ségou "nord" \\ tab\there\nline ✓ 𝄞'
    canonical = create_incident(client, admin1=odd, admin2=None, pcode="ML05")
    duplicate = create_incident(client, gbv_type="psychological_abuse", violations=["rape"])
    verified = create_incident(client, victims=[{"sex": "male", "age": 40}], perpetrators=[])
    archived = create_incident(client)
    link = f"{API}/incidents/{duplicate['id']}/duplicate-of/{canonical['id']}"
    assert client.post(link, json={"reason": 'same "event"'}).status_code == 200
    assert verify(client, verified, "pending_verification").status_code == 200
    assert verify(client, verified, "verified", verified_on="2019-04-02").status_code == 200
    gone = client.delete(f"{API}/incidents/{archived['id']}", params={"reason": "entered twice"})
    assert gone.status_code == 204

    items = client.get(f"{API}/incidents", params={"include_archived": "true"}).json()["items"]
    listed = {item["id"]: item for item in items}
    assert set(listed) == {i["id"] for i in (canonical, duplicate, verified, archived)}
    for incident in (canonical, duplicate, verified, archived):
        detail = client.get(f"{API}/incidents/{incident['id']}").json()
        assert listed[incident["id"]] == {**detail, "summary": None}
    assert listed[canonical["id"]]["admin1"] == odd
    assert listed[duplicate["id"]]["duplicate_marked_at"].endswith("Z")
    assert listed[archived["id"]]["archived_at"].endswith("Z")
    assert listed[duplicate["id"]]["warnings"], "a psychological abuse type beside rape is flagged"


def test_a_control_character_in_text_lists_as_its_detail_shows_it(client: TestClient) -> None:
    """On PostgreSQL the list's text marks where each item's warnings go with U+0001: the same
    character in a field is written escaped, never taken for a mark."""
    flagged = create_incident(
        client, admin1="a\x01b", admin2="\x01", gbv_type="psychological_abuse", violations=["rape"]
    )
    plain = create_incident(client, admin1="\x01\x01")
    listed = {item["id"]: item for item in client.get(f"{API}/incidents").json()["items"]}
    for incident in (flagged, plain):
        detail = client.get(f"{API}/incidents/{incident['id']}").json()
        assert listed[incident["id"]] == {**detail, "summary": None}
    assert listed[flagged["id"]]["admin1"] == "a\x01b"
    assert listed[flagged["id"]]["warnings"] and listed[plain["id"]]["warnings"] == []


def test_the_list_refuses_bad_filters_as_the_statistics_do(client: TestClient) -> None:
    """The list reads its query itself (`read_query`), the statistics through FastAPI: the same
    filters give the same problems."""
    cases = [
        [("violation", "looting"), ("violation", "rape")],
        [("occurred_from", "2019-02-30")],
        [("occurred_from", "2019-05-01"), ("occurred_to", "2019-04-01")],
        [("occurred_from", "2019-05-01"), ("occurred_from", "2019-06-01")],
        [("quarter", "2019-Q5"), ("armed_party_id", "nobody")],
        [("country", "Narnia")],
        [("nonsense", "1"), ("nonsense", "2")],
    ]
    for params in cases:
        listed = client.get(f"{API}/incidents", params=params)
        counted = client.get(f"{API}/stats", params=[*params, ("group_by", "source")])
        assert listed.status_code == counted.status_code == 422, (params, listed.text)
        assert listed.json()["errors"] == counted.json()["errors"], params


def test_without_a_token_the_list_answers_401_before_reading_its_parameters(
    anonymous: TestClient,
) -> None:
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}):
        response = anonymous.get(f"{API}/incidents", params={"limit": "many"}, headers=headers)
        assert response.status_code == 401, (headers, response.text)
    sent = anonymous.get(f"{API}/incidents", headers={"Authorization": "Bearer not-a-token"})
    assert sent.status_code == 401

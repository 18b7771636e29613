"""Listings, commitments and sanctions of a party: the caller's organisation's own records,
created, changed against their version and deleted, each step in the audit trail."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.armed_parties.dossier_helpers import dossier
from tests.factories import API, NGO, create_armed_party, field_names

LISTING = {"report_reference": "S/2020/487", "report_year": 2019, "section": "A"}
COMMITMENT = {
    "kind": "unilateral_communique",
    "made_on": "2019-06-01",
    "text_reference": "Communiqué of 1 June 2019",
    "implemented_percent": 50,
}
SANCTION = {
    "regime": "Security Council Committee established by resolution 2374 (2017)",
    "listed_on": "2018-12-20",
    "reference": "MLi.001",
}
KINDS = {
    "listings": (LISTING, {"section": "B"}, "party_listing"),
    "commitments": (COMMITMENT, {"implemented_percent": 75}, "party_commitment"),
    "sanctions": (SANCTION, {"delisted_on": "2020-01-15"}, "party_sanction"),
}


def _url(party: dict[str, Any], kind: str, record_id: str | None = None) -> str:
    base = f"{API}/armed-parties/{party['id']}/{kind}"
    return base if record_id is None else f"{base}/{record_id}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_record_is_created_changed_against_its_version_and_deleted_with_an_audit_trail(
    client: TestClient, client_for: Callable[..., TestClient], kind: str
) -> None:
    body, change, record_type = KINDS[kind]
    party = create_armed_party(client, "Ansar Eddine")
    created = client.post(_url(party, kind), json=body)
    assert created.status_code == 201, created.text
    row = created.json()
    assert (row["version"], created.headers["ETag"]) == (1, '"1"')
    assert created.headers["Location"] == _url(party, kind, row["id"])
    url = _url(party, kind, row["id"])

    assert client.patch(url, json=change).status_code == 428
    assert client.patch(url, json={**change, "version": 7}).status_code == 409
    assert client.patch(url, json=change, headers={"If-Match": '"7"'}).status_code == 412
    changed = client.patch(url, json=change, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    for field, value in change.items():
        assert changed.json()[field] == value
    assert client.get(url).headers["ETag"] == '"2"'
    assert dossier(client, party)[kind][0]["version"] == 2

    assert client.delete(url, headers={"If-Match": '"1"'}).status_code == 412
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert dossier(client, party)[kind] == []

    admin = client_for(Role.ADMIN)
    events = admin.get(f"{API}/audit", params={"record_id": row["id"]}).json()["items"]
    assert sorted((e["action"], tuple(e["fields"])) for e in events) == sorted(
        [
            (f"{record_type}.create", tuple(sorted(body))),
            (f"{record_type}.update", tuple(sorted(change))),
            (f"{record_type}.delete", ()),
        ]
    )


def test_the_seeds_commitment_says_half_of_its_activities_were_implemented(
    client: TestClient,
) -> None:
    party = create_armed_party(client, "Plateforme")
    client.post(_url(party, "commitments"), json=COMMITMENT)
    client.post(_url(party, "listings"), json=LISTING)
    client.post(
        _url(party, "listings"),
        json={**LISTING, "report_year": 2020, "report_reference": "S/2021/312"},
    )
    result = dossier(client, party)
    assert result["commitments"][0]["implemented_percent"] == 50
    assert [item["report_year"] for item in result["listings"]] == [2020, 2019]  # newest first


def test_another_organisations_records_answer_as_missing_and_stay_out_of_its_dossier(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    listing = client.post(_url(party, "listings"), json=LISTING).json()
    url = _url(party, "listings", listing["id"])
    ngo = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    assert ngo.get(url).status_code == 404
    assert ngo.patch(url, json={"section": "B", "version": 1}).status_code == 404
    assert ngo.delete(url).status_code == 404
    assert dossier(ngo, party)["listings"] == []
    assert client.get(url).json()["section"] == "A"
    other_party = create_armed_party(client, "MUJAO")
    assert client.get(_url(other_party, "listings", listing["id"])).status_code == 404


def test_advisers_and_admins_edit_report_writers_and_trackers_read(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    writer, tracker = client_for(Role.REPORT_WRITER), client_for(Role.JUDICIAL_TRACKER)
    assert writer.post(_url(party, "listings"), json=LISTING).status_code == 403
    admin = client_for(Role.ADMIN)
    created = admin.post(_url(party, "sanctions"), json=SANCTION)
    assert created.status_code == 201
    url = _url(party, "sanctions", created.json()["id"])
    assert writer.get(url).status_code == 200
    assert tracker.get(url).status_code == 200
    assert writer.delete(url).status_code == 403
    assert dossier(writer, party)["sanctions"][0]["reference"] == "MLi.001"


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("listings", {**LISTING, "section": "C"}, "section"),
        ("listings", {**LISTING, "report_year": 1850}, "report_year"),
        ("listings", {**LISTING, "delisted_on": "2018-05-01"}, "delisted_on"),
        ("listings", {**LISTING, "report_reference": " "}, "report_reference"),
        ("commitments", {**COMMITMENT, "implemented_percent": 150}, "implemented_percent"),
        ("commitments", {**COMMITMENT, "kind": "promise"}, "kind"),
        ("commitments", {**COMMITMENT, "assessed_on": "2019-05-31"}, "assessed_on"),
        ("commitments", {**COMMITMENT, "made_on": "20190601"}, "made_on"),
        ("sanctions", {**SANCTION, "delisted_on": "2018-12-19"}, "delisted_on"),
        ("sanctions", {**SANCTION, "listed_on": "3019-01-01"}, "listed_on"),
        ("sanctions", {**SANCTION, "colour": "red"}, "colour"),
    ],
)
def test_bad_records_are_refused_naming_the_field(
    client: TestClient, kind: str, body: dict[str, Any], field: str
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    response = client.post(_url(party, kind), json=body)
    assert response.status_code == 422, response.text
    assert field_names(response) == {field}
    assert dossier(client, party)[kind] == []


def test_a_change_may_not_empty_a_required_field_nor_put_dates_out_of_order(
    client: TestClient,
) -> None:
    party = create_armed_party(client, "Ansar Eddine")
    row = client.post(_url(party, "sanctions"), json=SANCTION).json()
    url = _url(party, "sanctions", row["id"])
    emptied = client.patch(url, json={"reference": None, "version": 1})
    assert (emptied.status_code, field_names(emptied)) == (422, {"reference"})
    backwards = client.patch(
        url, json={"listed_on": "2021-01-01", "delisted_on": "2020-01-01", "version": 1}
    )
    assert (backwards.status_code, field_names(backwards)) == (422, {"delisted_on"})
    assert client.get(url).json()["version"] == 1


def test_records_of_a_party_that_does_not_exist_are_refused(client: TestClient) -> None:
    missing = {"id": "00000000-0000-0000-0000-000000000000"}
    assert client.post(_url(missing, "listings"), json=LISTING).status_code == 404

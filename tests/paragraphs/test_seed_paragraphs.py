"""The seed's 2019 figures drafted into its paragraphs, word for word, in English and French."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.aggregates.helpers import submit
from tests.conftest import wipe
from tests.factories import (
    API,
    MISSION,
    create_court,
    create_incident_for_justice,
    log_in,
    make_user,
)
from tests.fixtures.mali_2019 import verified_mission_incidents
from tests.fixtures.mali_2019_paragraphs import COURT, PARAGRAPHS, PENDING_CASES
from tests.paragraphs.helpers import drafted, followed, sentences, texts
from tests.referrals.helpers import create_point


def _client(app: FastAPI, *roles: Role) -> TestClient:
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {log_in(client, make_user(app, *roles))}"
    return client


@pytest.fixture(scope="module")
def seeded(app: FastAPI) -> Iterator[TestClient]:
    """The mission's adviser, with the seed's 2019 figures loaded."""
    with TestClient(app) as client:
        adviser = make_user(app, Role.PROTECTION_ADVISER, organisation=MISSION)
        client.headers["Authorization"] = f"Bearer {log_in(client, adviser)}"
        submit(client)
        for body in verified_mission_incidents():
            assert client.post(f"{API}/incidents", json=body).status_code == 201
        tracker = _client(app, Role.JUDICIAL_TRACKER)
        court = create_court(tracker, COURT)
        incident = create_incident_for_justice(client)
        body = {
            "court_id": court["id"],
            "incident_ids": [incident["id"]],
            "opened_on": "2014-03-05",
        }
        for _ in range(PENDING_CASES):
            assert tracker.post(f"{API}/judicial-cases", json=body).status_code == 201
        create_point(client)
        yield client
    wipe(app)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_seed_figures_are_drafted_into_its_paragraphs_word_for_word(
    seeded: TestClient, language: str
) -> None:
    result = drafted(seeded, lang=language)
    assert texts(result) == PARAGRAPHS[language]
    assert result["omitted"] == []


def test_every_figure_links_to_a_query_that_gives_it(seeded: TestClient) -> None:
    result = drafted(seeded)
    figures = [f for p in result["paragraphs"] for s in p["sentences"] for f in s["figures"]]
    assert len(figures) > 15
    for figure in figures:
        assert followed(seeded, figure) == figure["value"], figure


def test_the_gbvims_sentence_comes_from_the_partner_table_never_added_to_records(
    seeded: TestClient,
) -> None:
    result = drafted(seeded)
    [table] = sentences(result, "partner_table")
    assert {f["origin"] for f in table["figures"]} == {"partner_table"}
    assert [f["value"] for f in table["figures"]] == [745, 264, 58, 412, 11]
    assert sentences(result, "reported") == []  # the records' sentence gives way to the table
    assert "770" not in result["paragraphs"][0]["text"]  # 745 + 25: never added


def test_each_figure_is_written_where_its_segment_says(seeded: TestClient) -> None:
    [verified] = sentences(drafted(seeded), "verified")
    linked = [
        (seg["text"], seg["figure"]) for seg in verified["segments"] if seg["figure"] is not None
    ]
    assert linked == [("25", 0), ("15", 1), ("19", 2), ("one", 3)]
    assert "".join(seg["text"] for seg in verified["segments"]) == verified["text"]
    assert verified["figures"][3]["pointer"].endswith("/victims")

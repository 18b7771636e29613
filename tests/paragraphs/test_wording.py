"""Numbers, plurals, remainders, withheld figures and periods, as the paragraphs write them."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, NGO, create_incident
from tests.paragraphs.helpers import PARAGRAPHS, drafted, followed, sentences

GIRL = {"sex": "female", "age": 15}
WOMAN = {"sex": "female", "age_group": "adult"}
SHARED_GIRL = {**GIRL, "consent": {"statistics": True}}


def _verified(client: TestClient, victims: list[dict[str, Any]], **fields: Any) -> None:
    body = {"occurred_on": "2019-05-02", "reported_on": "2019-05-03", **fields}
    create_incident(client, verification_status="verified", victims=victims, **body)


def _text(client: TestClient, kind: str, **params: Any) -> str:
    [sentence] = sentences(drafted(client, **params), kind)
    return str(sentence["text"])


def test_one_case_and_one_woman_are_words_in_the_singular(client: TestClient) -> None:
    _verified(client, [WOMAN])
    assert _text(client, "verified") == (
        "The mission verified one case of conflict-related sexual violence in 2019 against "
        "one woman."
    )
    assert _text(client, "verified", lang="fr") == (
        "La mission a vérifié un cas de violences sexuelles liées aux conflits en 2019, "
        "commis contre une femme."
    )


def test_two_cases_and_two_women_are_words_in_the_plural(client: TestClient) -> None:
    _verified(client, [WOMAN])
    _verified(client, [WOMAN, GIRL])
    assert _text(client, "verified") == (
        "The mission verified two cases of conflict-related sexual violence in 2019 against "
        "two women and one girl."
    )
    assert _text(client, "verified", lang="fr") == (
        "La mission a vérifié deux cas de violences sexuelles liées aux conflits en 2019, "
        "commis contre deux femmes et une fille."
    )


def test_ten_and_above_are_figures(client: TestClient) -> None:
    for _ in range(10):
        _verified(client, [GIRL])
    assert _text(client, "verified").startswith("The mission verified 10 cases")
    assert "contre 10 filles" in _text(client, "verified", lang="fr")


def test_records_state_the_remainder_and_say_when_categories_overlap(client: TestClient) -> None:
    both = [{"category": "non_state_armed_group"}, {"category": "state_security_forces"}]
    for _ in range(3):
        create_incident(client, occurred_on="2019-02-01", perpetrators=both)
    create_incident(client, occurred_on="2019-02-01", perpetrators=[])
    text = _text(client, "reported")
    assert text == (
        "Four incidents of conflict-related sexual violence were reported in 2019, perpetrated "
        "by non-state armed groups in three cases and national security forces in three "
        "cases; the perpetrator was not recorded in one. An incident may have perpetrators of "
        "several categories and counts under each, so these cases add up to more than four."
    )


def test_a_single_reported_incident_agrees_in_french(client: TestClient) -> None:
    create_incident(client, occurred_on="2019-02-01")
    assert _text(client, "reported", lang="fr") == (
        "Un incident de violences sexuelles liées aux conflits a été signalé en 2019, perpétré "
        "par des éléments armés non identifiés dans un cas."
    )


def _no_number(text: str) -> bool:
    return re.search(r"\d", text.replace("2019", "")) is None


def test_another_organisations_small_figure_is_written_fewer_than_five_never_a_number(
    client_for: Callable[..., TestClient],
) -> None:
    ngo = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    _verified(ngo, [SHARED_GIRL])
    mission_writer = client_for(Role.REPORT_WRITER)
    english = _text(mission_writer, "verified")
    french = _text(mission_writer, "verified", lang="fr")
    assert english == (
        "The mission verified fewer than five cases of conflict-related sexual violence in 2019 "
        "against fewer than five girls."
    )
    assert french == (
        "La mission a vérifié moins de cinq cas de violences sexuelles liées aux conflits en "
        "2019, commis contre moins de cinq filles."
    )
    assert _no_number(english) and _no_number(french)
    [sentence] = sentences(drafted(mission_writer), "verified")
    assert [f["value"] for f in sentence["figures"]] == ["<5", "<5"]
    for figure in sentence["figures"]:
        assert followed(mission_writer, figure) == "<5"


def test_a_withheld_figure_beside_ones_own_records_is_an_undisclosed_number(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    ngo = client_for(Role.PROTECTION_ADVISER, organisation=NGO)
    _verified(ngo, [SHARED_GIRL])
    _verified(client, [GIRL])
    text = _text(client, "verified")
    assert text == (
        "The mission verified an undisclosed number of cases of conflict-related sexual "
        "violence in 2019 against an undisclosed number of girls."
    )
    assert _no_number(text)
    assert "un nombre non communiqué de filles" in _text(client, "verified", lang="fr")


def test_a_report_writer_is_told_why_there_is_no_judicial_sentence(
    client_for: Callable[..., TestClient],
) -> None:
    result = drafted(client_for(Role.REPORT_WRITER))
    assert [item["kind"] for item in result["omitted"]] == ["judicial", "service_gaps"]
    assert "read the cases" in result["omitted"][0]["reason"]


def test_no_verified_case_is_said_in_words(client: TestClient) -> None:
    assert _text(client, "verified") == (
        "The mission verified no case of conflict-related sexual violence in 2019."
    )
    assert _text(client, "verified", lang="fr") == (
        "La mission n'a vérifié aucun cas de violences sexuelles liées aux conflits en 2019."
    )


def test_a_quarter_counts_only_incidents_known_to_be_in_it(client: TestClient) -> None:
    _verified(client, [GIRL], occurred_on="2019-08-02", reported_on="2019-08-03")
    _verified(client, [GIRL], occurred_on="2019-01-01", date_precision="year")
    assert _text(client, "verified", period="2019-Q3") == (
        "The mission verified one case of conflict-related sexual violence in the third "
        "quarter of 2019 against one girl."
    )
    assert "au troisième trimestre 2019" in _text(client, "verified", period="2019-Q3", lang="fr")


def test_a_period_of_two_days_is_written_as_dates(client: TestClient) -> None:
    _verified(client, [GIRL])
    params = {"period": None, "occurred_from": "2019-01-01", "occurred_to": "2019-06-30"}
    assert "between 1 January 2019 and 30 June 2019 against" in _text(client, "verified", **params)
    french = _text(client, "verified", lang="fr", **params)
    assert "entre le 1er janvier 2019 et le 30 juin 2019," in french


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2019-Q5"}, "period"),
        ({"period": "19"}, "period"),
        ({}, "period"),
        ({"period": "2019", "occurred_from": "2019-01-01", "occurred_to": "2019-02-01"}, "period"),
        ({"occurred_from": "2019-01-01"}, "occurred_to"),
        ({"occurred_from": "2019-03-01", "occurred_to": "2019-02-01"}, "occurred_to"),
        ({"period": "2019", "lang": "de"}, "lang"),
        ({"period": "2019", "periode": "2019"}, "periode"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get(PARAGRAPHS, params=params)
    assert response.status_code == 422
    assert field in {error["field"] for error in response.json()["errors"]}


def test_the_api_needs_a_token(anonymous: TestClient) -> None:
    assert anonymous.get(f"{API}/reports/paragraphs", params={"period": "2019"}).status_code == 401

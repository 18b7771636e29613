"""Quarters as reports use them: incidents by quarter (year-only ones in the "not recorded"
quarter), the day each incident was verified, and late verifications (after the end of the
quarter the incident was reported in), own figures exact and other organisations' protected."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.models.enums import Role
from app.stats.cellkey import MAX_ADJUSTMENT
from tests.factories import API, NGO, create_incident, field_names, group_counts, stats, verify

WRITER = Role.REPORT_WRITER
CONSENTING = {"sex": "female", "age": 25, "consent": {"statistics": True}}


def _verified(client: TestClient, on: str | None, **fields: Any) -> dict[str, Any]:
    """An incident taken through verification, concluded `verified` on the day `on`."""
    incident = create_incident(client, **{"victims": [CONSENTING], **fields})
    assert verify(client, incident, "pending_verification").status_code == 200
    response = verify(client, incident, "verified", verified_on=on, version=None)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _cells(result: dict[str, Any], first: str, second: str) -> dict[tuple[Any, Any], Any]:
    return {(g["key"][first], g["key"][second]): g["incidents"] for g in result["groups"]}


def test_incidents_count_by_quarter_in_order_and_year_only_ones_are_not_recorded(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    create_incident(client, occurred_on="2019-08-14", reported_on="2019-08-20")
    create_incident(
        client, occurred_on="2019-09-01", date_precision="month", reported_on="2019-10-03"
    )
    create_incident(client, occurred_on="2019-10-01", reported_on="2019-10-02")
    create_incident(client, occurred_on="2018-11-02", reported_on="2019-01-20")
    # Known only to the year: stored as 2019-01-01, never guessed into the first quarter.
    create_incident(
        client, occurred_on="2019-08-01", date_precision="year", reported_on="2019-08-02"
    )
    writer = client_for(WRITER)

    result = stats(writer, group_by="quarter")
    assert [g["key"]["quarter"] for g in result["groups"]] == [
        "2018-Q4",
        "2019-Q3",
        "2019-Q4",
        None,
    ]
    assert group_counts(result, "quarter") == {
        "2018-Q4": (1, 1),
        "2019-Q3": (2, 2),
        "2019-Q4": (1, 1),
        None: (1, 1),
    }
    assert result["dimensions"][0]["no_value"].startswith("quarter not recorded")

    one = stats(writer, group_by="source", quarter="2019-q3")
    assert one["total"] == {"incidents": 2, "victims": 2}
    assert one["filters"] == {"quarter": ["2019-Q3"]}
    two = stats(writer, group_by="year", quarter=["2019-Q3", "2019-Q4"])
    assert group_counts(two, "year") == {2019: (3, 3), None: (0, 0)}
    first = stats(writer, group_by="year", quarter="2019-Q1")
    assert first["total"]["incidents"] == 0  # the year-only incident is in no quarter


def test_a_malformed_quarter_is_refused_naming_its_parameter(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    writer = client_for(WRITER)
    for name, value in (
        ("quarter", "2019-Q5"),
        ("quarter", "Q3"),
        ("verified_in_quarter", "3019-Q1"),
    ):
        response = writer.get(f"{API}/stats", params={"group_by": "source", name: value})
        assert response.status_code == 422, value
        assert field_names(response) == {f"{name}[0]"}, response.text


def test_a_verification_the_day_after_the_quarter_reported_is_late_and_its_last_day_is_not(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    reported_q3 = {"occurred_on": "2019-09-10", "reported_on": "2019-09-20"}
    late = _verified(client, "2019-10-01", **reported_q3)  # first day of the next quarter
    in_time = _verified(client, "2019-09-30", **reported_q3)  # last day of the same quarter
    _verified(client, "2019-10-15", occurred_on="2019-07-01", reported_on="2019-07-05")
    _verified(client, "2019-10-20", occurred_on="2019-10-01", reported_on="2019-10-02")
    create_incident(client, victims=[CONSENTING])  # not verified
    # Entered already verified: the day it was verified is not known, so it is not dated.
    entered = create_incident(client, verification_status="verified", victims=[CONSENTING])
    assert late["verified_on"] == "2019-10-01" and in_time["verified_on"] == "2019-09-30"
    assert entered["verified_on"] is None
    writer = client_for(WRITER)

    table = stats(writer, group_by="verified_in_quarter,verification_timing")
    assert _cells(table, "verified_in_quarter", "verification_timing") == {
        ("2019-Q3", "same_quarter"): 1,
        ("2019-Q4", "late"): 2,
        ("2019-Q4", "same_quarter"): 1,
        (None, None): 2,
    }
    # "Verified this quarter, of which N were reported in earlier quarters."
    quarter = stats(writer, group_by="verification_timing", verified_in_quarter="2019-Q4")
    assert group_counts(quarter, "verification_timing") == {
        "same_quarter": (1, 1),
        "late": (2, 2),
        None: (0, 0),
    }
    assert quarter["total"] == {"incidents": 3, "victims": 3}
    verified_only = stats(writer, group_by="verification_timing", basis="verified_only")
    assert group_counts(verified_only, "verification_timing")[None] == (1, 1)  # `entered`


def test_the_day_verified_is_kept_shown_in_the_history_and_cleared_when_reopened(
    client: TestClient,
) -> None:
    incident = _verified(client, "2019-10-01", occurred_on="2019-09-10", reported_on="2019-09-20")
    versions = client.get(f"{API}/incidents/{incident['id']}/history").json()
    assert versions[-1]["changes"]["verified_on"] == {"old": None, "new": "2019-10-01"}
    reopened = verify(
        client, incident, "pending_verification", reopen=True, note="new account", version=None
    )
    assert reopened.status_code == 200 and reopened.json()["verified_on"] is None
    again = verify(client, incident, "verified", version=None)  # today, unless told
    assert again.status_code == 200
    assert again.json()["verified_on"] is not None and again.json()["verified_on"] > "2026"
    listed = client.get(f"{API}/incidents").json()["items"]
    assert listed[0]["verified_on"] == again.json()["verified_on"]


def test_a_day_verified_that_cannot_be_is_refused_by_its_field(client: TestClient) -> None:
    incident = create_incident(client, occurred_on="2019-09-10", reported_on="2019-09-20")
    assert verify(client, incident, "pending_verification").status_code == 200
    for status, day in (
        ("verified", "2019-09-19"),  # before it was reported
        ("verified", "2999-01-01"),  # in the future
        ("not_verified", "2019-10-01"),  # only a verification has a day verified
    ):
        response = verify(client, incident, status, verified_on=day, version=None)
        assert response.status_code == 422, (status, day)
        assert field_names(response) == {"verified_on"}
    stored = client.get(f"{API}/incidents/{incident['id']}").json()
    assert stored["verification_status"] == "pending_verification"
    assert stored["verified_on"] is None


def near(figure: Any, truth: int) -> bool:
    return isinstance(figure, int) and abs(figure - truth) <= MAX_ADJUSTMENT


def test_quarters_and_late_verifications_are_exact_for_their_organisation_and_protected_for_others(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    reported_q3 = {"occurred_on": "2019-09-10", "reported_on": "2019-09-20"}
    for _ in range(12):
        _verified(client, "2019-10-01", **reported_q3)
    for _ in range(2):
        _verified(client, "2019-09-30", **reported_q3)
    params = {"group_by": "verification_timing", "verified_in_quarter": ["2019-Q3", "2019-Q4"]}

    own = stats(client_for(WRITER), **params)
    assert group_counts(own, "verification_timing") == {
        "late": (12, 12),
        "same_quarter": (2, 2),
        None: (0, 0),
    }
    assert own["protection"]["applied"] is False

    other = stats(client_for(WRITER, organisation=NGO), **params)
    counts = group_counts(other, "verification_timing")
    assert near(counts["late"][0], 12) and near(counts["late"][1], 12)
    assert counts["same_quarter"] == ("<5", "<5")
    assert other["protection"]["applied"] is True and other["suppression"]["applied"] is True

    by_quarter = stats(client_for(WRITER, organisation=NGO), group_by="verified_in_quarter")
    quarters = group_counts(by_quarter, "verified_in_quarter")
    assert near(quarters["2019-Q4"][0], 12) and quarters["2019-Q3"] == ("<5", "<5")
    occurred = stats(client_for(WRITER, organisation=NGO), group_by="quarter")
    assert near(group_counts(occurred, "quarter")["2019-Q3"][0], 14)


def test_a_filter_naming_hundreds_of_quarters_counts_them_all(
    client: TestClient, client_for: Callable[..., TestClient]
) -> None:
    _verified(client, "2019-08-20", occurred_on="2019-08-10", reported_on="2019-08-12")
    _verified(client, "2019-11-20", occurred_on="2019-11-10", reported_on="2019-11-12")
    _verified(client, "2018-02-20", occurred_on="2018-02-10", reported_on="2018-02-12")
    # Every quarter from 1900 to 2100 but 2019-Q4, some more than once: more than a thousand.
    every = [f"{year}-Q{quarter}" for year in range(1900, 2101) for quarter in range(1, 5)]
    quarters = [code for code in every if code != "2019-Q4"] * 2
    writer = client_for(WRITER)
    for name in ("quarter", "verified_in_quarter"):
        result = stats(writer, group_by="year", **{name: quarters})
        assert group_counts(result, "year")[2019] == (1, 1), name
        assert result["total"]["incidents"] == 2, name
        listed = client.get(f"{API}/incidents", params={name: quarters})
        assert listed.status_code == 200, listed.text
        assert len(listed.json()["items"]) == 2

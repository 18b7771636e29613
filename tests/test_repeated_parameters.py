"""A query parameter that takes one value, sent twice, is refused by name; lists may repeat."""

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, create_incident, field_names
from tests.web.pages import signed_in


def test_a_one_value_parameter_given_twice_is_refused_by_name(client: TestClient) -> None:
    create_incident(client)
    twice = client.get(f"{API}/incidents", params=[("limit", "10"), ("limit", "5000")])
    assert twice.status_code == 422, twice.text
    assert twice.headers["content-type"].startswith("application/problem+json")
    assert field_names(twice) == {"limit"}
    assert "2 times" in twice.text


def test_each_repeated_one_value_parameter_is_named(client: TestClient) -> None:
    params = [("limit", "5"), ("include_archived", "true"), ("limit", "6")]
    params += [("include_archived", "false"), ("include_archived", "true")]
    refused = client.get(f"{API}/incidents", params=params)
    assert refused.status_code == 422
    assert field_names(refused) == {"limit", "include_archived"}


def test_a_list_parameter_may_repeat(client: TestClient) -> None:
    create_incident(client, source="gbvims")
    both = client.get(f"{API}/incidents", params=[("source", "gbvims"), ("source", "ngo")])
    assert both.status_code == 200, both.text
    assert len(both.json()["items"]) == 1


def test_a_one_value_filter_of_the_statistics_is_refused_when_repeated(
    client_for: Callable,
) -> None:
    writer = client_for(Role.REPORT_WRITER)
    params = [("group_by", "violation"), ("occurred_from", "2019-01-01")]
    params.append(("occurred_from", "2024-01-01"))
    refused = writer.get(f"{API}/stats", params=params)
    assert refused.status_code == 422
    assert field_names(refused) == {"occurred_from"}


def test_a_page_given_a_repeated_parameter_answers_with_a_page(app: FastAPI) -> None:
    browser = signed_in(app, Role.JUDICIAL_TRACKER)
    page = browser.get("/judicial/stalled", params=[("months", "6"), ("months", "24")])
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "months" in page.text

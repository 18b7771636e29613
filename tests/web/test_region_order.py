"""Regions are listed alphabetically, case and accents aside ("Ménaka" before "Mopti", "Ségou"
before "Sikasso"), not in the order of their bytes, which put accented names after "Z": on the
statistics, trends and service report pages and in the figures they show."""

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import API, create_incident
from tests.referrals.helpers import REFERRAL_VICTIM

WRITER = Role.REPORT_WRITER
# Alphabetically, case and accents aside; by their bytes: gao, mopti, ménaka, sikasso, ségou...
REGIONS = ["gao", "Ménaka", "Mopti", "Ségou", "Sikasso", "Tombouctou"]


def _record_each_region(client: TestClient) -> None:
    for admin1 in reversed(REGIONS):
        create_incident(
            client,
            admin1=admin1,
            admin2=admin1.capitalize(),
            victims=[REFERRAL_VICTIM],
            violations=["rape"],
        )


def _row_labels(page: str, table_id: str) -> list[str]:
    table = re.search(rf'<table[^>]* id="{table_id}">(.*?)</table>', page, re.S)
    assert table, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S)
    assert body, f"no body in {table_id}"
    return [label.strip() for label in re.findall(r'<th scope="row">([^<]*)</th>', body.group(1))]


def _named(labels: list[str]) -> list[str]:
    return [label for label in labels if label in REGIONS]


def test_the_statistics_list_regions_alphabetically_in_the_api_and_on_the_page(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record_each_region(client)
    figures = client.get(f"{API}/stats", params={"group_by": "admin1"}).json()
    assert [group["key"]["admin1"] for group in figures["groups"]] == [*REGIONS, None]
    page = pages_for(WRITER).get("/statistics", params={"group_by": "admin1"}).text
    assert _named(_row_labels(page, "stats-table")) == REGIONS


def test_the_trends_region_table_lists_regions_alphabetically(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record_each_region(client)
    page = pages_for(WRITER).get("/statistics/trends").text
    assert _named(_row_labels(page, "region-table")) == REGIONS


def test_the_service_reports_list_regions_alphabetically(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    _record_each_region(client)
    gaps = client.get(f"{API}/reports/service-gaps").json()["localities"]
    assert [row["admin1"] for row in gaps] == REGIONS
    indicator = client.get(f"{API}/reports/72-hours", params={"group_by": "region"}).json()
    assert [group["key"]["region"] for group in indicator["groups"]] == REGIONS
    browser = pages_for(WRITER)
    gaps_page = browser.get("/reports/service-gaps").text
    assert _named(_row_labels(gaps_page, "gaps-table")) == REGIONS
    indicator_page = browser.get("/reports/72-hours", params={"group_by": "region"}).text
    assert _named(_row_labels(indicator_page, "indicator-table")) == REGIONS

"""A page that reads its query string itself refuses a one-value parameter given twice, as the
API does, rather than silently using the last of them; its repeatable filters may still repeat."""

import pytest
from fastapi import FastAPI

from app.models.enums import Role
from tests.web.pages import signed_in

REPEATED = {
    "/incidents": ((Role.PROTECTION_ADVISER,), "occurred_from", ("2019-01-01", "2024-01-01")),
    "/admin/audit": ((Role.ADMIN,), "since", ("2019-01-01", "2024-01-01")),
    "/statistics/trends": ((Role.REPORT_WRITER,), "occurred_from", ("2019-01-01", "2024-01-01")),
    "/reports/paragraphs": ((Role.REPORT_WRITER,), "occurred_from", ("2019-01-01", "2024-01-01")),
    "/statistics": ((Role.REPORT_WRITER,), "group_by", ("violation", "source")),
    "/referrals/received": ((Role.PROTECTION_ADVISER,), "cursor", ("a", "b")),
}


@pytest.mark.parametrize("path", REPEATED)
def test_a_page_refuses_a_one_value_parameter_given_twice(app: FastAPI, path: str) -> None:
    roles, name, values = REPEATED[path]
    browser = signed_in(app, *roles)
    page = browser.get(path, params=[(name, value) for value in values])
    assert page.status_code == 422, (path, page.status_code)
    assert page.headers["content-type"].startswith("text/html")
    assert "2 times" in page.text


def test_the_pages_still_take_repeated_filters(app: FastAPI) -> None:
    sources = [("source", "gbvims"), ("source", "ngo")]
    adviser = signed_in(app, Role.PROTECTION_ADVISER)
    assert adviser.get("/incidents", params=sources).status_code == 200
    writer = signed_in(app, Role.REPORT_WRITER)
    table = writer.get("/statistics", params=[("group_by", "violation"), *sources])
    assert table.status_code == 200

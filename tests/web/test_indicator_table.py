"""The care-within-72-hours table keeps every figure under its own heading, with a grouping and
with none (the total only)."""

import re
from collections.abc import Callable
from html import unescape

from fastapi.testclient import TestClient

from app.models.enums import Role
from tests.factories import create_incident

ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)


def _rows(html: str) -> list[list[str]]:
    table = html.split('id="indicator-table"', 1)[1].split("</table>", 1)[0]
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in CELL.findall(row)]
        for row in ROW.findall(table)
    ]


def test_the_total_alone_lines_up_with_its_headings(
    client: TestClient, pages_for: Callable[..., TestClient]
) -> None:
    create_incident(client)  # one victim of rape, reported six days later
    create_incident(client, occurred_on="2019-05-02", reported_on="2019-05-03")
    browser = pages_for(Role.REPORT_WRITER)
    for params in ({}, {"group_by": ""}, {"group_by": "region"}):
        page = browser.get("/reports/72-hours", params=params)
        assert page.status_code == 200, params
        header, *rows = _rows(page.text)
        assert all(len(row) == len(header) for row in rows), (params, header, rows)
        total = dict(zip(header, rows[-1], strict=True))
        assert rows[-1][0] == "Total"
        assert total["Victims of rape"] == "2", (params, total)
        assert total["Reported after 72 hours"] == "1"
        assert total["Reported within 72 hours"] == "1"
    alone = _rows(browser.get("/reports/72-hours").text)
    assert len(alone) == 2  # the headings and the total: no unnamed copy of the total

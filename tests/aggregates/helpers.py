"""Bodies of partners' tables as the seed states them, and the calls that send them."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import API

AGGREGATES = f"{API}/aggregates"
SIDE_BY_SIDE = f"{API}/stats/side-by-side"
# "745 incidents ... by non-state armed groups in 264 cases and Malian Security Forces in 58
# cases. The remaining 412 are attributed to unidentified armed elements", 11 unattributed.
GBVIMS_2019_CELLS = [
    ("Armed group/Non-state armed actor", 264),
    ("Security forces", 58),
    ("Unidentified armed element", 412),
    (None, 11),
]


def gbvims_2019(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "partner_name": "GBVIMS Mali consolidated",
        "source_kind": "gbvims",
        "period_from": "2019-01-01",
        "period_to": "2019-12-31",
        "country": "ML",
        "measure": "incidents",
        "dimensions": ["perpetrator_category"],
        "total": 745,
        "cells": [
            {"labels": {"perpetrator_category": label}, "count": count}
            for label, count in GBVIMS_2019_CELLS
        ],
    }
    body.update(overrides)
    return body


def submit(client: TestClient, **overrides: Any) -> dict[str, Any]:
    response = client.post(AGGREGATES, json=gbvims_2019(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def field_names(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]

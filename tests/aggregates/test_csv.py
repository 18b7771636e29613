"""The CSV template, filled in and uploaded back."""

import csv
import io
from typing import Any

from fastapi.testclient import TestClient

from tests.aggregates.helpers import AGGREGATES, field_names

SEED = {
    "Armed group/Non-state armed actor": "264",
    "Security forces": "58",
    "Unidentified armed element": "412",
    "": "11",
    "*": "745",
}
FIELDS = {
    "partner_name": "GBVIMS Mali consolidated",
    "source_kind": "gbvims",
    "period_from": "2019-01-01",
    "period_to": "2019-12-31",
    "country": "ML",
    "measure": "incidents",
}


def _upload(client: TestClient, text: str, **fields: str) -> Any:
    files = {"file": ("table.csv", text.encode("utf-8"), "text/csv")}
    return client.post(f"{AGGREGATES}/csv", data={**FIELDS, **fields}, files=files)


def _filled(template: str, counts: dict[str, str]) -> str:
    rows = list(csv.reader(io.StringIO(template)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for label, _count in rows[1:]:
        writer.writerow([label, counts.get(label, "")])
    return out.getvalue()


def test_the_template_filled_in_with_the_seed_comes_back_as_the_gbvims_table(
    client: TestClient,
) -> None:
    response = client.get(
        f"{AGGREGATES}/template.csv", params={"dimensions": "perpetrator_category"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    template = response.text
    assert template.splitlines()[0] == "perpetrator_category,count"
    assert set(SEED) <= {row[0] for row in csv.reader(io.StringIO(template)) if row}
    uploaded = _upload(client, _filled(template, SEED))
    assert uploaded.status_code == 201, uploaded.text
    table = uploaded.json()
    assert (table["total"], table["cells_sum"], table["unattributed"]) == (745, 745, 11)
    assert {c["categories"]["perpetrator_category"]: c["count"] for c in table["cells"]} == {
        "non_state_armed_group": 264,
        "state_security_forces": 58,
        "unidentified_armed_element": 412,
        None: 11,
    }
    assert client.get(AGGREGATES).json()[0]["id"] == table["id"]


def test_a_total_row_the_rows_do_not_add_up_to_is_refused_naming_its_line(
    client: TestClient,
) -> None:
    text = "perpetrator_category,count\nSecurity forces,58\nUnknown,412\n*,500\n"
    response = _upload(client, text)
    assert response.status_code == 422
    assert field_names(response) == ["file[4]"]
    assert client.get(AGGREGATES).json() == []


def test_unreadable_lines_are_named(client: TestClient) -> None:
    text = "perpetrator_category,count\nSecurity forces,58\nUnknown,many\nPolice\n"
    response = _upload(client, text)
    assert response.status_code == 422
    assert field_names(response) == ["file[3].count", "file[4]"]
    assert field_names(_upload(client, "region,count\nMopti,3\n")) == ["file[1].region"]


def test_a_spreadsheets_semicolons_and_byte_order_mark_are_read(client: TestClient) -> None:
    text = "\ufeffgbv_type;victim_category;count\nRape;Girl;7\nRape;Woman;9\n*;*;16\n"
    response = _upload(client, text, measure="survivors")
    assert response.status_code == 201, response.text
    table = response.json()
    assert (table["dimensions"], table["total"]) == (["gbv_type", "victim_category"], 16)


def test_the_form_fields_are_checked_by_name(client: TestClient) -> None:
    response = _upload(client, "count\n5\n", period_from="2019-13-01", total="x")
    assert response.status_code == 422
    assert set(field_names(response)) == {"period_from", "total"}
    response = client.post(f"{AGGREGATES}/csv", data=FIELDS, files={"file": ("t.csv", b"\xff")})
    assert field_names(response) == ["file"]


def test_a_file_the_csv_reader_cannot_read_is_refused_by_name(client: TestClient) -> None:
    response = _upload(client, "count\n" + "9" * 200_000 + "\n")
    assert response.status_code == 422
    assert field_names(response) == ["file"]

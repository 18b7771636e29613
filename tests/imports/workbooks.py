"""Incident Recorder files built in the tests, as Primero writes them (never a downloaded file)."""

import csv
import io
import zipfile
from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook

from app.imports.recorder_vocabulary import COLUMNS
from tests.factories import API

ENGLISH = [column.english for column in COLUMNS]
FRENCH = [column.french for column in COLUMNS]


def recorder_row(**values: Any) -> dict[str, Any]:
    """A complete, valid row (by column key); `values` override or blank (None) cells."""
    row: dict[str, Any] = {
        "incident_id": "IR-0001",
        "survivor_code": "SURV-XYZ-77",
        "case_manager_code": "CM1",
        "date_of_interview": datetime(2019, 3, 20),
        "date_of_incident": datetime(2019, 3, 14),
        "date_of_birth": datetime(1995, 6, 1),
        "sex": "F",
        "ethnicity": "Group A",
        "country_of_origin": "Mali",
        "marital_status": "Single",
        "displacement_status": "IDP",
        "disability": "No",
        "unaccompanied_separated": "No",
        "displacement_stage": "During Flight",
        "time_of_day": "Evening/Night",
        "place_type": "Bush/Forest",
        "county": "Mopti",
        "district": "Bandiagara",
        "camp_town": "Sangha",
        "gbv_type": "Rape",
        "harmful_traditional_practice": None,
        "goods_money_exchanged": "No",
        "abduction": "None",
        "reported_elsewhere": "No",
        "previous_gbv_incidents": "No",
        "perpetrator_count": 2,
        "perpetrator_sex": "M",
        "former_perpetrator": "No",
        "perpetrator_age_group": "Age 18 - 25",
        "perpetrator_relationship": "No relation",
        "perpetrator_occupation": "Armed Group",
        "referred_from": None,
        "safe_house": None,
        "health": "Referred",
        "psychosocial": None,
        "wants_legal_action": None,
        "legal": None,
        "police": None,
        "livelihoods": None,
        "child_protection": None,
        "consent": "Yes",
        "agency_code": "WAM",
    }
    row.update(values)
    return row


def workbook_bytes(
    rows: list[dict[str, Any]],
    headers: list[str] = ENGLISH,
    sheet: str = "Incident Data",
    extra_sheets: tuple[str, ...] = ("Menu Data",),
) -> bytes:
    book = Workbook()
    data = book.active
    data.title = sheet
    data.append(headers)
    for row in rows:
        data.append([row.get(column.key) for column in COLUMNS])
    for name in extra_sheets:
        book.create_sheet(name)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def csv_bytes(
    rows: list[dict[str, Any]], headers: list[str] = ENGLISH, delimiter: str = ","
) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_text(row.get(column.key)) for column in COLUMNS])
    return output.getvalue().encode("utf-8")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def with_macros(content: bytes) -> bytes:
    """The same workbook with a VBA project inside, as an .xlsm holds."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really VBA")
    return output.getvalue()


def upload(
    client: TestClient,
    content: bytes,
    filename: str = "recorder.xlsx",
    language: str | None = None,
    **form: Any,
) -> Any:
    headers = {"Accept-Language": language} if language else {}
    data = {
        "country": "ML",
        **{k: str(v).lower() if isinstance(v, bool) else v for k, v in form.items()},
    }
    return client.post(
        f"{API}/imports", files={"file": (filename, content)}, data=data, headers=headers
    )

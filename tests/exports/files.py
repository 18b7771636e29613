"""Reading the exports back as a report writer's tools would: the zip's CSVs, the workbook."""

import csv
import io
import zipfile
from typing import Any

from openpyxl import load_workbook

Tables = dict[str, list[dict[str, str]]]


def zip_tables(content: bytes) -> Tables:
    """{table name: rows as dicts} from the CSV zip."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["incidents.csv", "perpetrators.csv", "victims.csv"]
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8")))
            )
            for name in archive.namelist()
        }


def workbook_cells(content: bytes) -> dict[str, list[list[Any]]]:
    """{sheet name: rows of openpyxl cells} (values and their types)."""
    workbook = load_workbook(io.BytesIO(content), read_only=False)
    return {sheet.title: [list(row) for row in sheet.iter_rows()] for sheet in workbook}


def workbook_tables(content: bytes) -> Tables:
    """{sheet name: rows as dicts of text}, numbers written as CSV writes them."""
    tables: Tables = {}
    for name, rows in workbook_cells(content).items():
        header = [cell.value for cell in rows[0]]
        tables[name] = [
            {h: "" if c.value is None else str(c.value) for h, c in zip(header, row, strict=True)}
            for row in rows[1:]
        ]
    return tables

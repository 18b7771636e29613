"""A statistics table as CSV: one row per group, then the total; safe to open in a spreadsheet.

`as_csv` is the API's CSV (codes only). `as_labelled_csv` is the page's: in the page's language,
each dimension in two columns, its value named (headed by the dimension's name) then its code
(headed by the dimension's code, e.g. `source`); a code is empty for "not recorded" and `*` for
"all values", which marks the margins of a two-dimension table and the total. Every figure is one
the API publishes: margins and the total are cells of their own, never sums of other rows.
"""

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl import Workbook

from app.core.spreadsheets import csv_row, xlsx_row
from app.stats.hxl import hashtag_row
from app.stats.schemas import Group, Measure, StatsResult

NO_VALUE_LABEL = "(none recorded)"
TOTAL_LABEL = "(total: each counted once)"
ALL_VALUES_CODE = "*"


def as_csv(result: StatsResult, *, hxl: bool = False) -> tuple[str, str]:
    """The CSV text and a file name for it; with `hxl`, the HXL hashtags under the header."""
    names = [name.value for name in result.group_by]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in code_rows(result, hxl=hxl):
        writer.writerow(csv_row(row))
    suffix = "-hxl" if hxl else ""
    return buffer.getvalue(), "crsv-stats-" + "-".join(names) + suffix + ".csv"


def code_rows(result: StatsResult, *, hxl: bool = False) -> list[list[str | int]]:
    """The API's table: the header, (the hashtags), one row per group, then the total.

    Figures are as published: a suppressed one is its marker (`<5`, `suppressed`).
    """
    names = [name.value for name in result.group_by]
    rows: list[list[str | int]] = [[*names, "incidents", victims_heading(result)]]
    if hxl:
        rows.append(list(hashtag_row(names, result.measure.value)))
    for group in result.groups:
        labels = [NO_VALUE_LABEL if group.key[n] is None else group.key[n] for n in names]
        rows.append([*labels, group.incidents, group.victims])  # type: ignore[list-item]
    rows.append([TOTAL_LABEL] * len(names) + [result.total.incidents, result.total.victims])
    return rows


@dataclass(frozen=True)
class CsvWording:
    """The words of a labelled CSV, in one language."""

    dimensions: Mapping[str, str]  # dimension code -> its name
    values: Mapping[str, Mapping[str | int | None, str]]  # dimension -> value code -> its name
    incidents: str
    victims: str
    all_values: str
    total: str
    language: str


def as_labelled_csv(result: StatsResult, wording: CsvWording) -> tuple[str, str]:
    """Groups, then (with two dimensions) each margin, then the total; the text and a file name."""
    names = [name.value for name in result.group_by]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in labelled_rows(result, wording):
        writer.writerow(csv_row(row))
    filename = "crsv-stats-" + "-".join(names) + f"-{wording.language}.csv"
    return buffer.getvalue(), filename


def labelled_rows(result: StatsResult, wording: CsvWording) -> list[list[str | int]]:
    """The page's table: the header, groups, (margins), the total; values named and coded."""
    names = [name.value for name in result.group_by]
    headings = [heading for name in names for heading in (wording.dimensions[name], name)]
    table: list[list[str | int]] = [[*headings, wording.incidents, wording.victims]]
    rows = list(result.groups)
    for margin in (result.margins or {}).values():
        rows += margin
    for group in rows:
        table.append([*_key_columns(group, names, wording), group.incidents, group.victims])
    total = [wording.total if index == 0 else wording.all_values for index in range(len(names))]
    table.append(
        [
            *(cell for label in total for cell in (label, ALL_VALUES_CODE)),
            result.total.incidents,
            result.total.victims,
        ]
    )
    return table


def _key_columns(group: Group, names: list[str], wording: CsvWording) -> list[str | int]:
    columns: list[str | int] = []
    for name in names:
        if name not in group.key:  # a margin: every value of this dimension
            columns += [wording.all_values, ALL_VALUES_CODE]
            continue
        value = group.key[name]
        label = wording.values[name].get(value, "" if value is None else str(value))
        columns += [label, "" if value is None else value]
    return columns


def victims_heading(result: StatsResult) -> str:
    """The victims column is named after the measure when it counts only some victims."""
    return "victims" if result.measure is Measure.ALL_VICTIMS else result.measure.value


def as_xlsx(result: StatsResult, table: list[list[str | int]], filename: str) -> tuple[bytes, str]:
    """A workbook of two sheets: the table as published (suppressed figures as their markers),
    and the notes: what was counted, the filters, and how the figures were protected."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("table")
    for row in table:
        sheet.append(xlsx_row(sheet, row))
    notes = workbook.create_sheet("notes")
    for row in _note_rows(result):
        notes.append(xlsx_row(notes, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), filename


def _note_rows(result: StatsResult) -> list[list[str | int]]:
    protection, suppression = result.protection, result.suppression
    rows: list[list[str | int]] = [
        ["item", "value"],
        ["group_by", ", ".join(name.value for name in result.group_by)],
        ["basis", result.basis.value],
        ["basis_meaning", result.basis_meaning],
    ]
    rows += [[f"filter: {name}", _as_cell(value)] for name, value in result.filters.items()]
    rows += [
        ["protection: method", protection.method],
        ["protection: applies_to", protection.applies_to],
        ["protection: applied", str(protection.applied).lower()],
        ["protection: max_adjustment", protection.max_adjustment],
        ["protection: figures_perturbed", protection.figures_perturbed],
        ["protection: tables_add_up", str(protection.tables_add_up).lower()],
        ["suppression: k", suppression.k],
        ["suppression: applied", str(suppression.applied).lower()],
        ["suppression: small_marker", suppression.small_marker],
        ["suppression: withheld_marker", suppression.withheld_marker],
    ]
    rows += [["note", note] for note in result.notes]
    return rows


def _as_cell(value: object) -> str | int:
    if isinstance(value, int | str):
        return value
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return json.dumps(value)

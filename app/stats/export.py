"""A statistics table as CSV: one row per group, then the total; safe to open in a spreadsheet.

`as_csv` is the API's CSV (codes only). `as_labelled_csv` is the page's: in the page's language,
each dimension in two columns, its value named (headed by the dimension's name) then its code
(headed by the dimension's code, e.g. `source`); a code is empty for "not recorded" and `*` for
"all values", which marks the margins of a two-dimension table and the total. Every figure is one
the API publishes: margins and the total are cells of their own, never sums of other rows.
"""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from app.stats.schemas import Group, Measure, StatsResult

NO_VALUE_LABEL = "(none recorded)"
# A cell starting with one of these is run as a formula by spreadsheet programs: a region or
# party name typed as "=HYPERLINK(...)" must reach a report writer's sheet as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TOTAL_LABEL = "(total: each counted once)"
ALL_VALUES_CODE = "*"


def as_csv(result: StatsResult) -> tuple[str, str]:
    """The CSV text and a file name for it."""
    names = [name.value for name in result.group_by]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*names, "incidents", victims_heading(result)])
    for group in result.groups:
        labels = [NO_VALUE_LABEL if group.key[n] is None else _as_text(group.key[n]) for n in names]
        writer.writerow([*labels, group.incidents, group.victims])
    writer.writerow([TOTAL_LABEL] * len(names) + [result.total.incidents, result.total.victims])
    return buffer.getvalue(), "crsv-stats-" + "-".join(names) + ".csv"


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
    headings = [heading for name in names for heading in (wording.dimensions[name], name)]
    writer.writerow([*headings, wording.incidents, wording.victims])
    rows = list(result.groups)
    for margin in (result.margins or {}).values():
        rows += margin
    for group in rows:
        writer.writerow([*_key_columns(group, names, wording), group.incidents, group.victims])
    total = [wording.total if index == 0 else wording.all_values for index in range(len(names))]
    writer.writerow(
        [
            *(cell for label in total for cell in (label, ALL_VALUES_CODE)),
            result.total.incidents,
            result.total.victims,
        ]
    )
    filename = "crsv-stats-" + "-".join(names) + f"-{wording.language}.csv"
    return buffer.getvalue(), filename


def _key_columns(group: Group, names: list[str], wording: CsvWording) -> list[str | int]:
    columns: list[str | int] = []
    for name in names:
        if name not in group.key:  # a margin: every value of this dimension
            columns += [wording.all_values, ALL_VALUES_CODE]
            continue
        value = group.key[name]
        label = wording.values[name].get(value, "" if value is None else str(value))
        columns += [_as_text(label), "" if value is None else _as_text(value)]
    return columns


def victims_heading(result: StatsResult) -> str:
    """The victims column is named after the measure when it counts only some victims."""
    return "victims" if result.measure is Measure.ALL_VICTIMS else result.measure.value


def _as_text(value: str | int) -> str | int:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value

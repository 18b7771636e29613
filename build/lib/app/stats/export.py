"""A statistics table as CSV: one row per group, then the total; safe to open in a spreadsheet."""

import csv
import io

from app.stats.schemas import StatsResult

NO_VALUE_LABEL = "(none recorded)"
# A cell starting with one of these is run as a formula by spreadsheet programs: a region or
# party name typed as "=HYPERLINK(...)" must reach a report writer's sheet as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TOTAL_LABEL = "(total: each counted once)"


def as_csv(result: StatsResult) -> tuple[str, str]:
    """The CSV text and a file name for it."""
    names = [name.value for name in result.group_by]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*names, "incidents", "victims"])
    for group in result.groups:
        labels = [NO_VALUE_LABEL if group.key[n] is None else _as_text(group.key[n]) for n in names]
        writer.writerow([*labels, group.incidents, group.victims])
    writer.writerow([TOTAL_LABEL] * len(names) + [result.total.incidents, result.total.victims])
    return buffer.getvalue(), "crsv-stats-" + "-".join(names) + ".csv"


def _as_text(value: str | int) -> str | int:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value

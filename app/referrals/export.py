"""The two service reports as CSV, for the API and the pages alike."""

import csv
import io
from typing import Any

from fastapi import Response

from app.core.spreadsheets import csv_row
from app.referrals.reports import MEASURES_72H

GAP_COLUMNS = ("country", "admin1", "admin2", "incidents", "victims", "has_service")


def indicator_csv(result: dict[str, Any]) -> Response:
    """One row per group, then the total."""
    names = result["group_by"]
    rows = [
        [*(group["key"].get(n) for n in names), *(group[m] for m in MEASURES_72H)]
        for group in result["groups"]
    ]
    total = result["total"]
    rows.append(["total"] * len(names) + [total[m] for m in MEASURES_72H])
    return _csv([*names, *MEASURES_72H], rows, "crsv-72-hours.csv")


def gaps_csv(result: dict[str, Any]) -> Response:
    """One row per locality, the kinds missing there separated by spaces."""
    rows = [
        [*(item[name] for name in GAP_COLUMNS), " ".join(item["kinds_missing"])]
        for item in result["localities"]
    ]
    return _csv([*GAP_COLUMNS, "kinds_missing"], rows, "crsv-service-gaps.csv")


def _csv(header: list[str], rows: list[list[Any]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(csv_row(row))
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )

"""Statistics beside hand-written SQL, and peak memory: table rows (what, service, baseline,
ratio, target). The list and create measures are in `bench/compare.py`."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg

Row = tuple[str, str, str, str, str]
RUNS = 15

# Hand-written SQL for the same counts the service returns (same filters, same consent rule).
BASE = """
WITH i AS (
  SELECT id, occurred_on, source, verification_status, admin1,
         CASE WHEN organisation_id = %(org)s THEN victim_count ELSE shared_victim_count END
           AS victims
  FROM incidents
  WHERE archived_at IS NULL AND duplicate_of_id IS NULL AND {basis} {where}
    AND (organisation_id = %(org)s OR victim_count = 0 OR shared_victim_count > 0)
)
SELECT {group}, count(*), sum(victims)
FROM i {join}
GROUP BY {group}
"""
# The victim category needs the victims themselves (and their consent, for others' data).
BY_VICTIM = """
SELECT v.category, count(DISTINCT v.incident_id), count(*)
FROM incidents i JOIN victims v ON v.incident_id = i.id
WHERE i.archived_at IS NULL AND i.duplicate_of_id IS NULL
  AND i.verification_status <> 'discarded'
  AND (i.organisation_id = %(org)s OR EXISTS (SELECT 1 FROM victim_consents c
       WHERE c.victim_id = v.id AND c.kind = 'statistics' AND c.granted))
GROUP BY v.category
"""
ALL = "verification_status <> 'discarded'"
STATS_QUERIES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    (
        "by perpetrator category",
        {"group_by": "perpetrator_category"},
        {
            "group": "p.category",
            "join": "LEFT JOIN (SELECT DISTINCT incident_id, category FROM "
            "perpetrators) p ON p.incident_id = i.id",
        },
    ),
    (
        "by source x status",
        {"group_by": "source,verification_status"},
        {"group": "i.source, i.verification_status"},
    ),
    (
        "2019, by month",
        {"group_by": "month", "occurred_from": "2019-01-01", "occurred_to": "2019-12-31"},
        {
            "group": "date_trunc('month', i.occurred_on)",
            "where": "AND occurred_on BETWEEN '2019-01-01' AND '2019-12-31'",
        },
    ),
    (
        "verified only, by region",
        {"group_by": "admin1", "basis": "verified_only"},
        {"group": "i.admin1", "basis": "verification_status = 'verified'"},
    ),
    ("by victim category", {"group_by": "victim_category"}, {"sql": BY_VICTIM}),
    (
        "Mali, by violation",
        {"group_by": "violation", "country": "ML"},
        {
            "group": "iv.violation",
            "where": "AND country = 'ML'",
            "join": "LEFT JOIN incident_violations iv ON iv.incident_id = i.id",
        },
    ),
]


def _ms(samples: list[float], quantile: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(quantile * (len(ordered) - 1)))] * 1000


def _timed(call: Callable[[], Any], runs: int = RUNS) -> list[float]:
    call()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def stats(port: int, token: str, dsn: str) -> list[Row]:
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}/api/v1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    rows = []
    with psycopg.connect(dsn) as connection:
        org = connection.execute(
            "SELECT organisation_id FROM users u JOIN user_roles r ON r.user_id = u.id "
            "WHERE r.role = 'report_writer'"
        ).fetchone()[0]
        for label, params, sql in STATS_QUERIES:
            query = sql.get("sql") or BASE.format(
                basis=sql.get("basis", ALL),
                where=sql.get("where", ""),
                group=sql["group"],
                join=sql.get("join", ""),
            )
            served = _timed(lambda p=params: client.get("/stats", params=p).raise_for_status())
            raw = _timed(lambda q=query: connection.execute(q, {"org": org}).fetchall())
            p50, p95, raw50, raw95 = (
                _ms(served, 0.5),
                _ms(served, 0.95),
                _ms(raw, 0.5),
                _ms(raw, 0.95),
            )
            rows.append(
                (
                    f"stats: {label} (p50 / p95 ms)",
                    f"{p50:.0f} / {p95:.0f}",
                    f"{raw50:.0f} / {raw95:.0f}",
                    f"{p50 / raw50:.2f}x",
                    "p50 <= 150 ms, <= 2x raw",
                )
            )
    return rows


def memory(pid: int) -> Row:
    """Peak resident memory of the service: its processes' high-water marks, added up."""
    pids = [pid, *_children(pid)]
    peaks = [_peak_kib(p) for p in pids]
    total = sum(peaks) / 1024
    return (
        f"peak memory, MB ({len(pids)} processes)",
        f"{total:.0f} (max {max(peaks) / 1024:.0f})",
        "-",
        "-",
        "< 300 MB",
    )


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def table(rows: list[Row]) -> str:
    header = ("measure", "service", "raw PostgreSQL", "ratio", "target")
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)

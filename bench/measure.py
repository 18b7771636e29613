"""The four measurements, each returning table rows: (what, service, baseline, ratio, target)."""

import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.generate import incidents

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


LIST_SCRIPT = Path(__file__).with_name("list.lua")


def listing(port: int, token: str, clients: int = 50, seconds: int = 20) -> list[Row]:
    """50 concurrent clients paging through a filtered list, driven by wrk.

    The load generator shares the machine with the service and PostgreSQL. A Python client
    took about 7 ms of CPU per page (over a quarter of the two cores) and added its own event loop's
    queueing to the latencies it measured; wrk takes a few percent of one core.

    Beside it, the same clients asking for a page that is always empty (authentication and one
    indexed query, no incidents to write out): what a request costs before any page is built.
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("the list measure needs wrk: apt-get install wrk (make bench does)")
    url = f"http://127.0.0.1:{port}"

    def run(duration: int, extra: str = "") -> list[int]:
        command = [wrk, f"-t{clients}", f"-c{clients}", f"-d{duration}s", "--timeout", "60s"]
        command += ["-s", str(LIST_SCRIPT), url, "--", token, "20", extra]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        line = next(line for line in output.splitlines() if line.startswith("RESULT "))
        p50, p99, pages, microseconds, failed = (int(field) for field in line.split()[1:])
        if failed:
            raise RuntimeError(f"{failed} of {pages} list requests failed")
        return [p50, p99, round(pages / (microseconds / 1e6))]

    rows = []
    for label, extra in (("", ""), (", empty page", "&occurred_from=2100-01-01")):
        # A warm-up of its own for each measure, so that neither inherits the other's queue. The
        # empty page's tail is erratic even so (150 ms to 4.9 s at p99; see RESULTS.md).
        run(3, extra)
        p50, p99, rate = run(seconds, extra)
        rows.append(
            (
                f"list{label}: {clients} concurrent clients (p50 / p99 ms; pages/s)",
                f"{p50 / 1000:.0f} / {p99 / 1000:.0f}; {rate}/s",
                "-",
                "-",
                "p99 <= 50 ms",
            )
        )
    return rows


def _bodies(count: int) -> list[dict[str, Any]]:
    fake_orgs = {country: uuid.uuid4() for country in ("ML", "CD", "SS", "CF", "SO")}
    bodies = []
    for row in incidents(count, fake_orgs, [uuid.uuid4()], seed=99):  # parties unused here
        bodies.append(
            {
                "occurred_on": row["occurred_on"].isoformat(),
                "date_precision": row["precision"],
                "reported_on": row["reported_on"].isoformat(),
                "country": row["country"],
                "admin1": row["admin1"],
                "violations": row["violations"],
                "source": row["source"],
                "victims": [
                    {"sex": sex, "age": age, "consent": {"statistics": consent}}
                    for _, sex, age, _, _, consent in row["victims"][:20]
                ],
                "perpetrators": [{"category": category} for _, category, _ in row["perpetrators"]],
            }
        )
    return bodies


def _in_threads(work: Callable[[list[Any]], None], items: list[Any], threads: int) -> float:
    """Items per second through `work` in `threads` threads; any failure fails the measure."""
    chunks = [items[n::threads] for n in range(threads)]
    failures: list[BaseException] = []

    def run(chunk: list[Any]) -> None:
        try:
            work(chunk)
        except BaseException as error:  # a thread's exception would otherwise be lost
            failures.append(error)

    workers = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise RuntimeError(f"{len(failures)} of {threads} clients failed") from failures[0]
    return len(items) / (time.perf_counter() - started)


def ingest(port: int, token: str, dsn: str, count: int, threads: int = 8) -> list[Row]:
    bodies = _bodies(count)

    def post(chunk: list[dict[str, Any]]) -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}/api/v1",
            timeout=120,
            headers={"Authorization": f"Bearer {token}"},
        ) as http:
            for body in chunk:
                http.post("/incidents", json=body).raise_for_status()

    served = _in_threads(post, bodies, threads)
    with psycopg.connect(dsn) as connection:
        org = connection.execute("SELECT id FROM organisations LIMIT 1").fetchone()[0]

    def insert(chunk: list[dict[str, Any]]) -> None:
        with psycopg.connect(dsn) as connection:
            for body in chunk:
                _raw_insert(connection, body, org)
                connection.commit()

    raw = _in_threads(insert, bodies, threads)
    return [
        (
            f"ingest: incidents/s, {threads} clients",
            f"{served:.0f}",
            f"{raw:.0f}",
            f"{served / raw:.0%}",
            ">= 50% of raw",
        )
    ]


def _raw_insert(connection: psycopg.Connection, body: dict[str, Any], org: uuid.UUID) -> None:
    incident = uuid.uuid4()
    now = datetime.now(UTC)
    connection.execute(
        "INSERT INTO incidents (id, reference, occurred_on, date_precision, reported_on, country,"
        " admin1, source, verification_status, created_at, updated_at, version, organisation_id)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'reported', %s, %s, 1, %s)",
        (
            incident,
            f"RAW-{incident.hex[:18]}",
            body["occurred_on"],
            body["date_precision"],
            body["reported_on"],
            body["country"],
            body["admin1"],
            body["source"],
            now,
            now,
            org,
        ),
    )
    for violation in body["violations"]:
        connection.execute(
            "INSERT INTO incident_violations (incident_id, violation) VALUES (%s, %s)",
            (incident, violation),
        )
    for position, victim in enumerate(body["victims"]):
        connection.execute(
            "INSERT INTO victims (id, incident_id, position, sex, age, age_group, category,"
            " displacement_status, disability) VALUES (%s, %s, %s, %s, %s, 'unknown', 'unknown',"
            " 'unknown', 'unknown')",
            (uuid.uuid4(), incident, position, victim["sex"], victim["age"]),
        )
    for position, perpetrator in enumerate(body["perpetrators"]):
        connection.execute(
            "INSERT INTO perpetrators (id, incident_id, position, category)"
            " VALUES (%s, %s, %s, %s)",
            (uuid.uuid4(), incident, position, perpetrator["category"]),
        )


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

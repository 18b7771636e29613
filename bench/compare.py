"""Load generators and what they measure: wrk against HTTP servers, pgbench against PostgreSQL.

Every measure gets a warm-up of its own and then runs for a fixed time with a fixed number of
always-busy clients; it reports throughput, p50 and p99, the Python CPU the server's worker
processes spent per request (from /proc/<pid>/stat, utime + stime, before and after), and the
machine's load average when it started. The same two cores run the server, PostgreSQL and the
load generator, so every figure includes their competition; measures taken side by side in one
run share the same conditions.
"""

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).parent
TICK = os.sysconf("SC_CLK_TCK")
WARM_UP = 3


@dataclass
class Result:
    label: str
    rate: float  # requests (or pgbench transactions) per second
    p50: float  # ms
    p99: float  # ms
    cpu: float | None  # ms of the Python workers' CPU per request
    load: float  # 1-minute load average when the measure started
    requests: int


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        # Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total


def _wrk_binary() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("the benchmark needs wrk: apt-get install wrk (make bench does)")
    return wrk


def wrk(
    label: str,
    url: str,
    script: str,
    arguments: list[str],
    *,
    connections: int,
    seconds: int,
    workers: list[int],
    threads: int | None = None,
) -> Result:
    """`connections` clients of `url` through a wrk script printing a RESULT line."""
    threads = threads or min(connections, 8)

    def run(duration: int) -> tuple[list[int], float]:
        command = [_wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
        command += ["--timeout", "60s", "-s", str(BENCH / script), url, "--", *arguments]
        load = os.getloadavg()[0]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        line = next(line for line in output.splitlines() if line.startswith("RESULT "))
        return [int(field) for field in line.split()[1:]], load

    run(WARM_UP)
    before = cpu_ticks(workers)
    (p50, p99, requests, microseconds, failed), load = run(seconds)
    spent = cpu_ticks(workers) - before
    if failed:
        raise RuntimeError(f"{label}: {failed} of {requests} requests failed")
    cpu = spent / TICK * 1000 / requests if workers else None
    return Result(
        label, requests / (microseconds / 1e6), p50 / 1000, p99 / 1000, cpu, load, requests
    )


def pgbench(label: str, dsn: str, script: Path, *, clients: int, seconds: int) -> Result:
    """pgbench running `script` with `clients` connections, prepared statements, no vacuum."""
    if shutil.which("pgbench") is None:
        raise SystemExit("the benchmark needs pgbench (Debian: postgresql-client; make bench)")
    threads = min(clients, 4)
    base = ["pgbench", "-n", "-M", "prepared", "-f", str(script), f"-c{clients}", f"-j{threads}"]
    subprocess.run([*base, f"-T{WARM_UP}", dsn], capture_output=True, text=True, check=True)
    with tempfile.TemporaryDirectory() as logs:
        load = os.getloadavg()[0]
        completed = subprocess.run(
            [*base, f"-T{seconds}", "-l", f"--log-prefix={logs}/tx", dsn],
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{label}: pgbench failed\n{completed.stderr[-2000:]}")
        latencies = sorted(
            int(line.split()[2]) for log in Path(logs).iterdir() for line in log.open()
        )
    match = re.search(r"tps = ([\d.]+) \(without initial", completed.stdout)
    if match is None:
        raise RuntimeError(f"{label}: no tps in pgbench's output\n{completed.stdout}")

    def quantile(q: float) -> float:
        return latencies[min(len(latencies) - 1, round(q * (len(latencies) - 1)))] / 1000

    return Result(
        label, float(match.group(1)), quantile(0.5), quantile(0.99), None, load, len(latencies)
    )


def ratio(service: Result, baseline: Result) -> str:
    return f"{service.rate / baseline.rate:.2f} of {baseline.label}"


def table(rows: list[tuple[Result, list[str]]]) -> str:
    header = ("measure", "per s", "p50 ms", "p99 ms", "Python CPU ms/req", "load", "ratio")
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    for result, ratios in rows:
        cpu = "-" if result.cpu is None else f"{result.cpu:.1f}"
        lines.append(
            f"| {result.label} | {result.rate:,.0f} | {_ms(result.p50)} | {_ms(result.p99)} | "
            f"{cpu} | {result.load:.1f} | {'; '.join(ratios) or '-'} |"
        )
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"

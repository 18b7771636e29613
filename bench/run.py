"""Measure crsv-registry beside baselines doing the same work, in one run, and print a table.

    .venv/bin/python -m bench.run --incidents 100000      (see bench/README.md)

Fills a database of its own (`crsv_bench_<size>`, dropped at the end unless `--keep`), starts
the service as deployed (`crsv-registry serve`, 2 workers), captures the SQL it sends for a list
page and a create (`bench/capture.py`), starts the reference app (`bench/reference_app.py`) and
then measures, side by side: the list (service, reference app, pgbench with the service's own
statements at 8, 16 and 50 connections), an always-empty page, `/health` and a bare route, the
create (service, reference app, pgbench), the statistics against hand-written SQL, and the
service's peak memory.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import psycopg

from app.cli import migrate
from app.core.config import Settings
from app.core.crypto import generate_key
from app.core.db import build_engine
from app.counting import rollup
from app.main import create_app
from app.models.enums import Role
from bench import capture, compare, measure, profile
from bench.compare import Result
from bench.generate import generate
from tests.factories import make_user

ADMIN_DSN = os.environ.get("CRSV_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
PORT = 8765
REFERENCE_PORT = 8766
KEY = generate_key()
LIST_CLIENTS, CREATE_CLIENTS = 50, 8
PGBENCH_LIST_CLIENTS = (8, 16, 50)


def database_dsn(size: int) -> str:
    return ADMIN_DSN.rsplit("/", 1)[0] + f"/crsv_bench_{size}"


def prepare(size: int, regenerate: bool) -> str:
    dsn = database_dsn(size)
    name = dsn.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not regenerate:
            print(f"reusing {name} (kept by an earlier --keep)")
            migrate(dsn)  # data kept from an earlier schema follows the migrations
            return dsn
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    migrate(dsn)
    result = generate(dsn, size)
    print(
        f"generated {result.incidents:,} incidents, {result.victims:,} victims, "
        f"{result.perpetrators:,} perpetrators in {result.seconds:.0f} s"
    )
    engine = build_engine(dsn)
    with engine.begin() as connection:
        rollup.rebuild(connection)  # COPY bypasses the service, which keeps them on each write
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return dsn


def drop(dsn: str) -> None:
    name = dsn.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_users(dsn: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """The Mali organisation's name, and an adviser and a report writer of it."""
    app = create_app(Settings(database_url=dsn, encryption_keys=KEY))
    with psycopg.connect(dsn) as connection:
        row = connection.execute("SELECT name FROM organisations WHERE name LIKE '%%ML'").fetchone()
    users = {}
    for role in (Role.PROTECTION_ADVISER, Role.REPORT_WRITER):
        user = make_user(app, role, organisation=row[0])
        users[role.value] = (user.username, user.password)
    app.state.engine.dispose()
    return row[0], users


def _wait_until_up(port: int, path: str) -> None:
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, probe: str):
    process = subprocess.Popen(command, env={**os.environ, **env})
    try:
        _wait_until_up(port, probe)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def service(dsn: str, workers: int):
    # The service as it is deployed: the console script, with its own worker processes.
    command = [str(Path(sys.executable).with_name("crsv-registry")), "serve", "--no-migrate"]
    command += ["--host", "127.0.0.1", "--port", str(PORT), "--workers", str(workers)]
    env = {"DATABASE_URL": dsn, "ENCRYPTION_KEYS": KEY, "LOG_LEVEL": "WARNING"}
    # The workers run `python -P`: without this they would import the installed checkout's
    # `app`, not the one under measure (as the tests do, tests/conftest.py).
    checkout = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [checkout, os.environ.get("PYTHONPATH")]))
    return server(command, env, PORT, "/health")


def reference(dsn: str, workers: int, template: Path, pool: int):
    command = [sys.executable, "-m", "bench.reference_app", "127.0.0.1", str(REFERENCE_PORT)]
    command += [str(workers), dsn, str(template), str(pool)]
    return server(command, {}, REFERENCE_PORT, "/bare")


def token(username: str, password: str) -> str:
    response = httpx.post(
        f"http://127.0.0.1:{PORT}/api/v1/auth/token",
        data={"username": username, "password": password},
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def measure_all(args: argparse.Namespace, dsn: str, work: Path) -> tuple[str, str]:
    organisation, users = bench_users(dsn)
    seconds = args.seconds
    body = orjson.dumps(capture.CREATE_BODY).decode()
    rows: list[tuple[Result, list[str]]] = []
    with service(dsn, args.workers) as process:
        workers = compare.children(process.pid)
        adviser = token(*users["protection_adviser"])
        writer = token(*users["report_writer"])
        scripts = capture.capture(dsn, KEY, adviser, organisation, work)
        url = f"http://127.0.0.1:{PORT}"
        with reference(dsn, args.workers, scripts["template"], args.reference_pool) as ref:
            ref_workers = compare.children(ref.pid)
            ref_url = f"http://127.0.0.1:{REFERENCE_PORT}"

            def listing(label: str, base: str, pids: list[int], extra: str = "") -> Result:
                return compare.wrk(
                    label,
                    base,
                    "list.lua",
                    [adviser, str(capture.PAGES), extra],
                    connections=LIST_CLIENTS,
                    threads=LIST_CLIENTS,
                    seconds=seconds,
                    workers=pids,
                )

            def one(label: str, base: str, pids: list[int], *request: str, clients: int) -> Result:
                return compare.wrk(
                    label,
                    base,
                    "request.lua",
                    list(request),
                    connections=clients,
                    seconds=seconds,
                    workers=pids,
                )

            service_list = listing("list: service", url, workers)
            ref_list = listing("list: reference app", ref_url, ref_workers)
            pg_lists = [
                compare.pgbench(
                    f"pgbench list, {clients} conn",
                    dsn,
                    scripts["list"],
                    clients=clients,
                    seconds=seconds,
                )
                for clients in PGBENCH_LIST_CLIENTS
            ]
            best = max(pg_lists, key=lambda result: result.rate)
            rows.append(
                (
                    service_list,
                    [compare.ratio(service_list, ref_list), compare.ratio(service_list, best)],
                )
            )
            rows.append((ref_list, [compare.ratio(ref_list, best)]))
            rows += [(result, []) for result in pg_lists]
            if args.only == "list":
                return compare.table(rows), ""
            empty = listing("empty page: service", url, workers, "&occurred_from=2100-01-01")
            rows.append((empty, []))
            health = one(
                "/health: service", url, workers, "GET", "/health", "-", "-", clients=LIST_CLIENTS
            )
            bare = one(
                "bare sync route: reference app",
                ref_url,
                ref_workers,
                "GET",
                "/bare",
                "-",
                "-",
                clients=LIST_CLIENTS,
            )
            rows += [(health, [compare.ratio(health, bare)]), (bare, [])]
            path = "/api/v1/incidents"
            create = one(
                "create: service", url, workers, "POST", path, adviser, body, clients=CREATE_CLIENTS
            )
            ref_create = one(
                "create: reference app",
                ref_url,
                ref_workers,
                "POST",
                path,
                adviser,
                body,
                clients=CREATE_CLIENTS,
            )
            pg_create = compare.pgbench(
                f"pgbench create, {CREATE_CLIENTS} conn",
                dsn,
                scripts["create"],
                clients=CREATE_CLIENTS,
                seconds=seconds,
            )
            rows.append(
                (create, [compare.ratio(create, ref_create), compare.ratio(create, pg_create)])
            )
            rows += [(ref_create, [compare.ratio(ref_create, pg_create)]), (pg_create, [])]
        if args.profile:
            profile.record(args.profile, workers[0], url, adviser, body, seconds)
        stats_rows = measure.stats(PORT, writer, dsn)
        stats_rows.append(measure.memory(process.pid))
    return compare.table(rows), measure.table(stats_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=20, help="length of each measure")
    parser.add_argument(
        "--reference-pool", type=int, default=4, help="database connections per reference worker"
    )
    parser.add_argument("--profile", type=Path, default=None, help="py-spy profiles go here")
    parser.add_argument("--results", type=Path, default=None, help="append the tables here")
    parser.add_argument(
        "--only", choices=["list"], default=None, help="only the list's measures (no profile)"
    )
    args = parser.parse_args()

    dsn = prepare(args.incidents, args.regenerate)
    try:
        with tempfile.TemporaryDirectory() as work:
            load = os.getloadavg()
            main_table, stats_table = measure_all(args, dsn, Path(work))
    finally:
        if not args.keep:
            drop(dsn)
    header = (
        f"{args.incidents:,} incidents, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()} {os.cpu_count()} cores, PostgreSQL, {args.workers} workers, "
        f"{args.seconds} s a measure, load average at start {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f}"
    )
    print(header, main_table, stats_table, sep="\n\n")
    if args.results:
        with args.results.open("a") as handle:
            handle.write(f"\n### {header}\n\n{main_table}\n\n{stats_table}\n")


if __name__ == "__main__":
    main()

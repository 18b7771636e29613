"""Benchmark crsv-registry against raw PostgreSQL on the same data, and print a table.

    .venv/bin/python -m bench.run --incidents 1000000      (see bench/README.md)

Generates the data once per size (database `crsv_bench_<size>`; `--regenerate` to redo it),
starts the service with uvicorn on 127.0.0.1, then measures ingest, statistics, the incident
list and the service's peak memory, each beside its raw-PostgreSQL baseline where one applies.
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg

from app.cli import migrate
from app.core.config import Settings
from app.core.crypto import generate_key
from app.core.db import build_engine
from app.main import create_app
from app.stats import rollup
from bench import measure
from bench.generate import generate
from tests.factories import make_user

ADMIN_DSN = os.environ.get("CRSV_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
PORT = 8765
KEY = generate_key()


def database_dsn(size: int) -> str:
    return ADMIN_DSN.rsplit("/", 1)[0] + f"/crsv_bench_{size}"


def prepare(size: int, regenerate: bool) -> str:
    dsn = database_dsn(size)
    name = dsn.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not regenerate:
            print(f"reusing {name}")
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
    started = time.perf_counter()
    engine = build_engine(dsn)
    with engine.begin() as connection:
        rollup.rebuild(connection)  # COPY bypasses the service, which keeps them on each write
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    print(f"recounted the statistics' kept counts in {time.perf_counter() - started:.0f} s")
    return dsn


def bench_users(dsn: str) -> dict[str, tuple[str, str]]:
    """An adviser and a report writer of the Mali organisation, as (username, password)."""
    settings = Settings(database_url=dsn, encryption_keys=KEY)
    app = create_app(settings)
    users = {}
    with psycopg.connect(dsn) as connection:
        name = connection.execute(
            "SELECT name FROM organisations WHERE name LIKE '%%ML'"
        ).fetchone()[0]
    from app.models.enums import Role

    for role in (Role.PROTECTION_ADVISER, Role.REPORT_WRITER):
        user = make_user(app, role, organisation=name)
        users[role.value] = (user.username, user.password)
    app.state.engine.dispose()
    return users


@contextmanager
def service(dsn: str, workers: int):
    env = {**os.environ, "DATABASE_URL": dsn, "ENCRYPTION_KEYS": KEY, "LOG_LEVEL": "WARNING"}
    # The service as it is deployed: the console script, with its own worker processes.
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("crsv-registry")),
            "serve",
            "--no-migrate",
            "--host",
            "127.0.0.1",
            "--port",
            str(PORT),
            "--workers",
            str(workers),
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{PORT}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def token(username: str, password: str) -> str:
    response = httpx.post(
        f"http://127.0.0.1:{PORT}/api/v1/auth/token",
        data={"username": username, "password": password},
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--ingest", type=int, default=2000, help="incidents created per side")
    parser.add_argument("--results", type=Path, default=None, help="append the table here")
    args = parser.parse_args()

    dsn = prepare(args.incidents, args.regenerate)
    users = bench_users(dsn)
    rows = []
    with service(dsn, args.workers) as process:
        writer = token(*users["report_writer"])
        adviser = token(*users["protection_adviser"])
        rows += measure.stats(PORT, writer, dsn)
        rows += measure.listing(PORT, adviser)
        rows += measure.ingest(PORT, adviser, dsn, args.ingest)
        rows.append(measure.memory(process.pid))
    table = measure.table(rows)
    header = (
        f"{args.incidents:,} incidents, {datetime.now(UTC):%Y-%m-%d}, "
        f"{platform.machine()} {os.cpu_count()} cores, PostgreSQL, {args.workers} workers"
    )
    print(header)
    print(table)
    if args.results:
        with args.results.open("a") as handle:
            handle.write(f"\n### {header}\n\n{table}\n")


if __name__ == "__main__":
    main()

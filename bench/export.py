"""Time and peak memory of the record export (`/exports/incidents.csv` and `.xlsx`).

    .venv/bin/python -m bench.export [--incidents 100000] [--regenerate]

Fills a PostgreSQL database `crsv_bench_export_<size>` (created once, as `bench/run.py` does,
then every incident moved to one organisation, so one adviser exports them all), serves it as
deployed with one worker, downloads each format as a client would and prints the seconds, the
time to the first byte, the size and the worker's peak resident memory (VmHWM) before and after.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import psycopg

from app.cli import migrate
from app.core.config import Settings
from app.core.crypto import generate_key
from app.main import create_app
from app.models.enums import Role
from bench.generate import generate
from bench.run import ADMIN_DSN
from tests.factories import make_user

PORT = 8766
KEY = generate_key()


def prepare(size: int, regenerate: bool) -> str:
    name = f"crsv_bench_export_{size}"
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not regenerate:
            migrate(dsn)
            return dsn
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    migrate(dsn)
    result = generate(dsn, size)
    print(f"generated {result.incidents:,} incidents, {result.victims:,} victims")
    with psycopg.connect(dsn) as connection:
        organisation = connection.execute(
            "SELECT id FROM organisations WHERE name LIKE '%%ML'"
        ).fetchone()[0]
        connection.execute("UPDATE incidents SET organisation_id = %s", (organisation,))
        connection.execute("ANALYZE")
    return dsn


def peak_memory_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    dsn = prepare(args.incidents, args.regenerate)
    app = create_app(Settings(database_url=dsn, encryption_keys=KEY))
    with psycopg.connect(dsn) as connection:
        name = connection.execute(
            "SELECT name FROM organisations WHERE name LIKE '%%ML'"
        ).fetchone()[0]
    user = make_user(app, Role.PROTECTION_ADVISER, organisation=name)
    app.state.engine.dispose()
    env = {**os.environ, "DATABASE_URL": dsn, "ENCRYPTION_KEYS": KEY, "LOG_LEVEL": "WARNING"}
    command = [str(Path(sys.executable).with_name("crsv-registry")), "serve", "--no-migrate"]
    command += ["--host", "127.0.0.1", "--port", str(PORT), "--workers", "1"]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        login = {"username": user.username, "password": user.password}
        token = httpx.post(f"{base}/api/v1/auth/token", data=login).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        httpx.get(f"{base}/api/v1/incidents", headers=headers, timeout=60)
        workers = psutil.Process(process.pid).children(recursive=True) or [process]
        print(f"worker peak memory before: {peak_memory_mib(workers[0].pid)} MiB")
        for file_format in ("csv", "xlsx"):
            started, first, size = time.perf_counter(), None, 0
            url = f"{base}/api/v1/exports/incidents.{file_format}"
            with httpx.stream("GET", url, headers=headers, timeout=900) as response:
                response.raise_for_status()
                for chunk in response.iter_bytes():
                    first = first or time.perf_counter() - started
                    size += len(chunk)
            print(
                f"{file_format}: {time.perf_counter() - started:.1f} s, first byte after "
                f"{first or 0:.1f} s, {size / 1e6:.1f} MB, worker peak memory "
                f"{peak_memory_mib(workers[0].pid)} MiB"
            )
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()

"""How `POST /api/v1/incidents:batch` scales with the incidents and victims it carries.

    .venv/bin/python -m bench.batch_scaling                       (PostgreSQL at 127.0.0.1)
    .venv/bin/python -m bench.batch_scaling --sizes 10x500,40x500 --profile

Each size is posted once, in process (TestClient), to a fresh database; the table shows the
seconds, the seconds per victim (flat when the cost is linear) and the process's peak memory
growth. `--profile` calls the service for the last size in process under cProfile and
prints its heaviest functions (cumulative).
"""

import argparse
import cProfile
import os
import pstats
import resource
import time
import uuid
from typing import Any

import psycopg
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.cli import migrate
from app.core.auth import principal_for_token
from app.core.config import Settings
from app.core.crypto import generate_key
from app.incidents import intake
from app.main import create_app
from app.models.enums import Role
from tests.factories import log_in, make_user

ADMIN_DSN = os.environ.get("CRSV_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
DEFAULT_SIZES = "10x500,20x500,40x500,80x500"


def _row(victims: int) -> dict[str, Any]:
    return {
        "occurred_on": "2019-03-14",
        "reported_on": "2019-03-20",
        "country": "ML",
        "admin1": "Mopti",
        "violations": ["rape"],
        "source": "gbvims",
        "victims": [
            {"sex": "female", "age": 20 + i % 40, "consent": {"statistics": True}}
            for i in range(victims)
        ],
        "perpetrators": [{"category": "unidentified_armed_element"}],
    }


def fresh_database(prefix: str = "crsv_batch_bench") -> str:
    """A new PostgreSQL database, migrated; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    migrate(dsn)
    return dsn


def drop_database(dsn: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{dsn.rsplit("/", 1)[1]}" WITH (FORCE)')


def peak_mib() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(incidents: int, victims: int, profile: bool) -> tuple[float, float, int]:
    dsn = fresh_database()
    try:
        settings = Settings(database_url=dsn, encryption_keys=generate_key())
        app = create_app(settings)
        with TestClient(app) as client:
            user = make_user(app, Role.PROTECTION_ADVISER)
            token = log_in(client, user)
            client.headers["Authorization"] = f"Bearer {token}"
            body = {"incidents": [_row(victims) for _ in range(incidents)]}
            before = peak_mib()
            started = time.perf_counter()
            if profile:
                status = _profiled(app, token, body["incidents"])
            else:
                status = client.post("/api/v1/incidents:batch", json=body).status_code
            seconds = time.perf_counter() - started
        app.state.engine.dispose()
        return seconds, peak_mib() - before, status
    finally:
        drop_database(dsn)


def _profiled(app: FastAPI, token: str, rows: list[dict[str, Any]]) -> int:
    """The batch's service call, in this thread, under cProfile (a request runs in another
    thread, which the profiler would not see); its heaviest functions are printed."""
    with app.state.session_factory() as session:
        principal = principal_for_token(session, token)
        assert principal is not None
        profiler = cProfile.Profile()
        profiler.enable()
        intake.import_batch(session, rows, principal, app.state.cipher)
        session.commit()
        profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats("app/", 30)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    return 201


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="INCIDENTSxVICTIMS,...")
    parser.add_argument("--profile", action="store_true", help="cProfile the largest size")
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]
    print(f"{'incidents x victims':>20} {'status':>6} {'seconds':>8} {'ms/victim':>9} {'+MiB':>6}")
    for number, (incidents, victims) in enumerate(sizes):
        profile = args.profile and number == len(sizes) - 1
        seconds, grown, status = measure(incidents, victims, profile)
        per_victim = 1000 * seconds / (incidents * victims)
        print(
            f"{f'{incidents} x {victims}':>20} {status:>6} {seconds:>8.2f} "
            f"{per_victim:>9.3f} {grown:>6.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()

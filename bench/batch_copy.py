"""A batch of incidents beside COPY of the same rows, in the same run.

    .venv/bin/python -m bench.batch_copy [--calls 5] [--size 1000]

Posts `POST /api/v1/incidents:batch` (each incident as the create benchmark's: two victims, one
consenting to statistics, one perpetrator) `--calls` times, in process through the HTTP API
(TestClient), to a fresh PostgreSQL database, the body encoded once beforehand as a client would
have it. The rows the first call wrote are read out, and after each call they are written again
with COPY (`bench/copy_baseline.py`), so each batch has its baseline beside it. Prints incidents
per second of each, their ratio (of the medians, and call by call), and the process's peak
memory growth during the batches.

The process is tuned as a serving worker's is (`app.core.server.worker_app`): once the app has
started, the objects it built are frozen out of the garbage collector, and the collector runs
less often (`app.core.memory.collect_less_often`). Without the freeze every full collection a
batch sets off walks the application's 240,000 objects as well as the batch's (some 0.3 s of
each batch of 1,000 on the 2-core machine of bench/RESULTS.md), which a server never pays;
`--no-freeze` measures without either all the same.
"""

import argparse
import os
import statistics
import time
import uuid

import orjson
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.crypto import generate_key
from app.core.memory import collect_less_often, freeze_startup_objects
from app.main import create_app
from app.models.enums import Role
from bench import copy_baseline
from bench.batch_scaling import drop_database, fresh_database, peak_mib
from bench.capture import CREATE_BODY
from tests.factories import log_in, make_user

ADMIN_DSN = os.environ.get("CRSV_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def run(calls: int, size: int, freeze: bool = True) -> None:
    dsn = fresh_database("crsv_batch_copy")
    try:
        app = create_app(Settings(database_url=dsn, encryption_keys=generate_key()))
        with TestClient(app) as client:
            if freeze:  # as the worker's lifespan does once the app has started
                freeze_startup_objects()
                collect_less_often()
            client.headers["Authorization"] = (
                f"Bearer {log_in(client, make_user(app, Role.PROTECTION_ADVISER))}"
            )
            # Encoded once, as a client would have it ready: its encoding is the client's work,
            # not the service's.
            body = orjson.dumps({"incidents": [CREATE_BODY] * size})
            json_type = {"Content-Type": "application/json"}
            client.post("/api/v1/incidents:batch", json={"incidents": [CREATE_BODY] * 10})
            before = peak_mib()

            def batch() -> tuple[float, list[uuid.UUID]]:
                started = time.perf_counter()
                response = client.post("/api/v1/incidents:batch", content=body, headers=json_type)
                seconds = time.perf_counter() - started
                assert response.status_code == 201, response.text[:500]
                return seconds, [uuid.UUID(item["id"]) for item in response.json()["created"]]

            first_seconds, ids = batch()
            rows = copy_baseline.dump(dsn, ids)
            batch_seconds, copy_seconds = [first_seconds], [copy_baseline.copy_again(dsn, rows)]
            # Each batch beside a COPY right after it, so that both see the machine as it is at
            # that moment (the load of a shared 2-core machine moves both by a third).
            for _ in range(calls - 1):
                batch_seconds.append(batch()[0])
                copy_seconds.append(copy_baseline.copy_again(dsn, rows))
            grown = peak_mib() - before
        app.state.engine.dispose()
    finally:
        drop_database(dsn)
    ratios = [copied / batched for batched, copied in zip(batch_seconds, copy_seconds, strict=True)]
    batch_rate = size / statistics.median(batch_seconds)
    copy_rate = size / statistics.median(copy_seconds)
    load = os.getloadavg()[0]
    print(
        f"{size:,} incidents a call, {calls} calls, {rows.rows:,} rows a call, load {load:.1f}"
        f"{'' if freeze else ', start-up objects not frozen'}"
    )
    print("| measure | median s a call | incidents/s | ratio |")
    print("| --- | --- | --- | --- |")
    print(
        f"| batch: service | {statistics.median(batch_seconds):.2f} | {batch_rate:,.0f} | "
        f"{batch_rate / copy_rate:.2f} of COPY |"
    )
    print(
        f"| COPY of the same rows | {statistics.median(copy_seconds):.2f} | {copy_rate:,.0f} | - |"
    )
    spread = ", ".join(f"{ratio:.2f}" for ratio in ratios)
    median = statistics.median(ratios)
    print(f"each batch against the COPY right after it: {spread} (median {median:.2f})")
    print(f"peak memory growth during the batches: {grown:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave the start-up objects in every garbage collection (unlike a server's worker)",
    )
    args = parser.parse_args()
    run(args.calls, args.size, freeze=not args.no_freeze)


if __name__ == "__main__":
    main()

"""Python CPU a list page costs, measured in process: no HTTP server, no load generator.

    .venv/bin/python -m bench.list_cpu [--incidents 100000] [--pages 2000] [--clients 8]

Runs against the database `bench.run` keeps (`--keep`), calling the application as the server
would (ASGI, with every middleware) for an adviser walking 20 pages deep through
`GET /api/v1/incidents?limit=50`, as `bench/list.lua` does, with `--clients` walking at once.
Prints the process's CPU time (all threads) and the wall time per page. On a shared machine this
is steadier than a throughput: the other processes' load changes the wall time, hardly the CPU.
"""

import argparse
import asyncio
import os
import re
import time
from typing import Any

import httpx
from fastapi import FastAPI

from app.core.config import get_settings
from app.core.crypto import generate_key
from app.core.logging import configure_logging
from app.core.server import worker_app
from bench import capture
from bench.run import bench_users, database_dsn

PATH = "/api/v1/incidents"
NEXT_CURSOR = re.compile(rb'"next_cursor":"([^"]*)"')


async def page(app: FastAPI, token: str, cursor: str | None) -> str | None:
    """One page through the ASGI interface; its next cursor."""
    query = "limit=50" + (f"&cursor={cursor}" if cursor else "")
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8765),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = sent[0]["status"]
    body = b"".join(message.get("body", b"") for message in sent[1:])
    if status != 200:
        raise RuntimeError(f"{status}: {body[:300]!r}")
    # Only the cursor: parsing the whole page here would count the client's work as the app's.
    found = NEXT_CURSOR.search(body)
    return found.group(1).decode() if found else None


async def walk(app: FastAPI, token: str, pages: int) -> None:
    cursor = None
    for number in range(pages):
        cursor = None if number % capture.PAGES == 0 else cursor
        cursor = await page(app, token, cursor)


async def measure(app: FastAPI, token: str, pages: int, clients: int) -> tuple[float, float]:
    """CPU and wall milliseconds per page, `clients` walking at once."""
    each = pages // clients
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(walk(app, token, each) for _ in range(clients)))
    done = each * clients
    return (
        (time.process_time() - cpu) * 1000 / done,
        (time.perf_counter() - wall) * 1000 / done,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--log-level", default="WARNING", help="INFO writes the access log (to stderr)"
    )
    args = parser.parse_args()
    configure_logging(args.log_level)
    dsn = database_dsn(args.incidents)
    _, users = bench_users(dsn)
    username, password = users["protection_adviser"]
    # The application as a serving worker builds it (thread pool size, frozen start-up objects).
    os.environ.update(DATABASE_URL=dsn, ENCRYPTION_KEYS=generate_key(), LOG_LEVEL=args.log_level)
    get_settings.cache_clear()
    app = worker_app()
    transport = httpx.ASGITransport(app=app)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                response = await client.post(
                    "/api/v1/auth/token", data={"username": username, "password": password}
                )
                token = response.json()["access_token"]
            await measure(app, token, 200, args.clients)  # warm-up: statement caches, pool
            for _ in range(args.rounds):
                cpu, wall = await measure(app, token, args.pages, args.clients)
                print(f"{cpu:.2f} ms CPU a page, {wall:.2f} ms wall ({args.clients} clients)")

    asyncio.run(run())
    app.state.engine.dispose()


if __name__ == "__main__":
    main()

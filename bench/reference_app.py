"""A minimal FastAPI app doing a list page's and a create's work, as a baseline for the service.

It does what the service must do for those two requests and nothing else: the same token check
(the user behind a live token's hash, with roles and second-factor policy, in the same table and
the same query), then for the list the same page of fifty incidents with their forms of violence,
victims, consent and perpetrators, built as JSON by PostgreSQL in one statement; for a create the
very statements the service sent for a create (captured by `bench/capture.py`, replayed with fresh
ids in one transaction). Async psycopg, a few connections per worker opened at start-up, no ORM,
no validation beyond parsing the body. `/bare` is a sync route that touches no database.

    python -m bench.reference_app HOST PORT WORKERS DSN CREATE_TEMPLATE POOL

Each worker listens on its own SO_REUSEPORT socket, as `crsv-registry serve` does, so that the
connections are spread the same way.
"""

import asyncio
import base64
import hashlib
import json
import secrets
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
from fastapi import FastAPI, Header, HTTPException, Request, Response
from psycopg.types.json import Json

TOKEN_QUERY = """
SELECT users.id, users.username, users.organisation_id, user_roles.role,
       second_factors.confirmed_at, second_factor_policies.required_for_identity_readers
FROM users JOIN auth_tokens ON auth_tokens.user_id = users.id
LEFT OUTER JOIN user_roles ON user_roles.user_id = users.id
LEFT OUTER JOIN second_factors ON second_factors.user_id = users.id
LEFT OUTER JOIN second_factor_policies
  ON second_factor_policies.organisation_id = users.organisation_id
WHERE auth_tokens.token_hash = %(digest)s::VARCHAR AND auth_tokens.revoked_at IS NULL
  AND auth_tokens.expires_at > %(now)s::TIMESTAMP WITH TIME ZONE AND users.is_active IS true
"""
READERS = {"protection_adviser", "data_manager", "mission_reviewer", "report_writer"}
INCIDENT_FIELDS = [
    "time_of_day",
    "place_type",
    "displacement_stage",
    "abduction",
    "goods_money_exchanged",
    "reported_elsewhere",
    "previous_gbv_incidents",
    "perpetrator_count",
    "id",
    "reference",
    "occurred_on",
    "date_precision",
    "reported_on",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "pcode",
    "gbv_type",
    "reporting_delay",
    "source",
    "verification_status",
    "verified_on",
    "organisation_id",
    "duplicate_of_id",
    "duplicate_reason",
    "duplicate_marked_by_id",
    "duplicate_marked_at",
    "version",
    "created_at",
    "updated_at",
    "archived_at",
    "archive_reason",
]
VICTIM_FIELDS = [
    "id",
    "sex",
    "age",
    "age_group",
    "category",
    "displacement_status",
    "disability",
    "disability_kind",
    "marital_status",
    "unaccompanied_separated",
    "country_of_origin",
]
PERPETRATOR_FIELDS = [
    "id",
    "category",
    "sex",
    "age_group",
    "relationship",
    "occupation",
    "involvement",
]


def _pairs(alias: str, names: list[str]) -> str:
    return ", ".join(f"'{name}', {alias}.{name}" for name in names)


PAGE_QUERY = f"""
SELECT i.occurred_on, i.id, json_build_object({_pairs("i", INCIDENT_FIELDS)},
  'violations', coalesce((SELECT json_agg(v.violation ORDER BY v.violation)
                 FROM incident_violations v WHERE v.incident_id = i.id), '[]'),
  'victims', coalesce((SELECT json_agg(json_build_object({_pairs("vi", VICTIM_FIELDS)},
        'has_identity', EXISTS (SELECT 1 FROM victim_identities x WHERE x.victim_id = vi.id),
        'consent', coalesce((SELECT json_object_agg(c.kind, json_build_object(
            'granted', c.granted, 'recorded_at', c.recorded_at,
            'recorded_by_id', c.recorded_by_id))
          FROM victim_consents c WHERE c.victim_id = vi.id), '{{}}'))
        ORDER BY vi.position, vi.id)
      FROM victims vi WHERE vi.incident_id = i.id), '[]'),
  'perpetrators', coalesce((SELECT json_agg(json_build_object({_pairs("p", PERPETRATOR_FIELDS)},
        'armed_party', CASE WHEN a.id IS NULL THEN NULL ELSE
          json_build_object('id', a.id, 'name', a.name, 'acronym', a.acronym) END)
        ORDER BY p.position)
      FROM perpetrators p LEFT JOIN armed_parties a ON a.id = p.armed_party_id
      WHERE p.incident_id = i.id), '[]'),
  'has_summary', EXISTS (SELECT 1 FROM incident_narratives n WHERE n.incident_id = i.id),
  'summary', NULL, 'warnings', '[]'::json)::text
FROM incidents i
WHERE i.organisation_id = %(org)s AND i.archived_at IS NULL {{after}}
ORDER BY i.occurred_on DESC, i.id DESC LIMIT %(limit)s
"""
FIRST_PAGE = PAGE_QUERY.replace("{after}", "")
NEXT_PAGE = PAGE_QUERY.replace("{after}", "AND (i.occurred_on, i.id) < (%(day)s, %(after)s)")


def decode(value: Any) -> Any:
    """A captured parameter back to the Python value psycopg was given (see bench/capture.py)."""
    if isinstance(value, dict):
        kind, raw = next(iter(value.items()))
        if kind == "uuid":
            return uuid.UUID(raw)
        if kind == "date":
            return date.fromisoformat(raw)
        if kind == "datetime":
            return datetime.fromisoformat(raw)
        if kind == "json":
            return Json(raw)
        if kind == "array":
            return [decode(item) for item in raw]
        raise ValueError(kind)
    return value


class Pool:
    """Connections opened at start-up, lent one request at a time."""

    def __init__(self, dsn: str, size: int) -> None:
        self.dsn, self.size = dsn, size
        self.idle: asyncio.Queue[psycopg.AsyncConnection] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            self.idle.put_nowait(await psycopg.AsyncConnection.connect(self.dsn, autocommit=True))

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        connection = await self.idle.get()
        try:
            yield connection
        finally:
            self.idle.put_nowait(connection)


def create_app(dsn: str, template_path: str, pool_size: int) -> FastAPI:
    template = json.loads(Path(template_path).read_text())
    statements = [
        (
            item["sql"],
            [_decoded_row(row) for row in item["rows"]],
            item["many"],
        )
        for item in template["statements"]
    ]
    fresh = {decode(value) for value in template["fresh"]}
    pool = Pool(dsn, pool_size)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await pool.open()
        yield

    app = FastAPI(lifespan=lifespan)

    async def principal(connection: psycopg.AsyncConnection, authorization: str | None) -> Any:
        token = (authorization or "").removeprefix("Bearer ")
        digest = hashlib.sha256(token.encode()).hexdigest()
        cursor = await connection.execute(TOKEN_QUERY, {"digest": digest, "now": datetime.now(UTC)})
        rows = await cursor.fetchall()
        if not rows or not any(row[3] in READERS for row in rows):
            raise HTTPException(401)
        return rows[0]

    @app.get("/api/v1/incidents")
    async def page(
        limit: int = 50, cursor: str | None = None, authorization: str | None = Header(None)
    ) -> Response:
        async with pool.connection() as connection:
            user = await principal(connection, authorization)
            params: dict[str, Any] = {"org": user[2], "limit": limit + 1}
            query = FIRST_PAGE
            if cursor:
                day, after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
                params |= {"day": date.fromisoformat(day), "after": uuid.UUID(after)}
                query = NEXT_PAGE
            rows = await (await connection.execute(query, params)).fetchall()
        next_cursor = "null"
        if len(rows) > limit:
            rows = rows[:limit]
            key = json.dumps([rows[-1][0].isoformat(), str(rows[-1][1])]).encode()
            next_cursor = '"' + base64.urlsafe_b64encode(key).decode().rstrip("=") + '"'
        body = '{"items":[' + ",".join(row[2] for row in rows) + "]"
        body += f',"next_cursor":{next_cursor},"limit":{limit}}}'
        return Response(body, media_type="application/json")

    @app.post("/api/v1/incidents", status_code=201)
    async def create(request: Request, authorization: str | None = Header(None)) -> Response:
        json.loads(await request.body())
        # Fresh ids (and reference) for this incident in place of the captured ones.
        renamed: dict[Any, Any] = {old: _fresh(old) for old in fresh}
        async with pool.connection() as connection:
            await principal(connection, authorization)
            async with connection.transaction():
                newest = None
                for sql, rows, many in statements:
                    rows = [_renamed_row(row, renamed) for row in rows]
                    if many:
                        await connection.cursor().executemany(sql, rows)
                        continue
                    if isinstance(rows[0], dict) and "last_event_id" in rows[0]:
                        rows[0]["last_event_id"] = newest  # the chain's head moves to it
                    cursor = await connection.execute(sql, rows[0])
                    if "AS last_id" in sql:
                        newest = (await cursor.fetchone() or (None,))[0]
        return Response('{"created":true}', status_code=201, media_type="application/json")

    @app.get("/bare")
    def bare() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _decoded_row(row: Any) -> Any:
    if isinstance(row, list):  # positional: one array per column of an unnest() insert
        return tuple(decode(value) for value in row)
    return {name: decode(value) for name, value in row.items()}


def _renamed_row(row: Any, renamed: dict[Any, Any]) -> Any:
    def new(value: Any) -> Any:
        if isinstance(value, list):
            return [new(item) for item in value]
        if isinstance(value, Json):
            return value
        return renamed.get(value, value)

    if isinstance(row, tuple):
        return tuple(new(value) for value in row)
    return {name: new(value) for name, value in row.items()}


def _fresh(old: Any) -> Any:
    """A new id for a captured one, a new reference, or a new audit hash (64 hex digits)."""
    if isinstance(old, uuid.UUID):
        return uuid.uuid4()
    if len(old) == 64:
        return secrets.token_hex(32)
    return f"REF-{uuid.uuid4().hex[:16]}"


def _worker(host: str, port: int, dsn: str, template: str, pool_size: int) -> None:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    app = create_app(dsn, template, pool_size)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def main() -> None:
    host, port, workers, dsn, template, pool_size = sys.argv[1:7]
    if workers == "worker":
        _worker(host, int(port), dsn, template, int(pool_size))
        return
    command = [sys.executable, "-m", "bench.reference_app", host, port, "worker"]
    children = [subprocess.Popen([*command, dsn, template, pool_size]) for _ in range(int(workers))]

    def stop(_signum: int, _frame: Any) -> None:
        for child in children:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        child.wait()


if __name__ == "__main__":
    main()

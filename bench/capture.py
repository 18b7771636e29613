"""The SQL the service sends for a list page and for a create, captured and made replayable.

The service is run in process against the benchmark's database with a listener on its engine;
what it sends for one list page (after a cursor) and one create becomes:

- pgbench scripts running the same statements, with pgbench variables where a value changes from
  one run to the next (the page's cursor and incident ids, read from `bench_pages`; a create's new
  ids and reference, made from a random number);
- a template of the create's statements and parameters for `bench/reference_app.py`.

So the baselines always run what the code under measure sends today, not a copy written by hand.
"""

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from psycopg.types.json import Json
from sqlalchemy import event

from app.core.config import Settings
from app.core.db import ids_array_text
from app.main import create_app
from app.models.enums import Role
from tests.factories import make_user

PAGES = 20  # pages a client walks before starting again (as bench/list.lua)
PAGE_SIZE = 50
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%|%s")
# A create of the benchmark: two victims (one consenting to statistics), one perpetrator.
CREATE_BODY: dict[str, Any] = {
    "occurred_on": "2024-03-01",
    "date_precision": "day",
    "reported_on": "2024-03-05",
    "country": "ML",
    "admin1": "Mopti",
    "violations": ["rape"],
    "source": "ngo",
    "victims": [
        {"sex": "female", "age": 24, "consent": {"statistics": True}},
        {"sex": "female", "age": 15, "consent": {"statistics": False}},
    ],
    "perpetrators": [{"category": "non_state_armed_group"}],
}


@dataclass
class Captured:
    statements: list[tuple[str, Any, bool]] = field(default_factory=list)

    def listen(self, conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool):
        # Named parameters come as a dict (or a list of dicts for executemany); positional ones
        # (the unnest() inserts: one array per column) as one tuple.
        rows = [params] if isinstance(params, dict | tuple) else list(params)
        self.statements.append((statement, rows, len(rows) > 1))


def literal(value: Any) -> str:
    """A parameter as an SQL literal, for a pgbench script."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Json):
        value = json.dumps(value.obj)
    elif isinstance(value, list | tuple):
        value = "{" + ",".join(str(item) for item in value) + "}"
    elif isinstance(value, uuid.UUID | date | datetime):
        value = value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    elif not isinstance(value, str):
        raise TypeError(f"no literal for {type(value).__name__}")
    if ":" in value:
        # pgbench reads `:name` as one of its variables, which compact JSON text (`"old":null`)
        # is full of: the colon goes as an escape of a string with escapes.
        escaped = value.replace("\\", "\\\\").replace("'", "''").replace(":", "\\x3a")
        return "E'" + escaped + "'"
    return "'" + value.replace("'", "''") + "'"


def encode(value: Any) -> Any:
    """A parameter as JSON that `bench.reference_app.decode` turns back into the same value."""
    if isinstance(value, uuid.UUID):
        return {"uuid": str(value)}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Json):
        return {"json": value.obj}
    if isinstance(value, list | tuple):
        return {"array": [encode(item) for item in value]}
    return value


def render(statement: str, params: Any, variables: dict[Any, str]) -> str:
    positions = iter(range(len(params))) if isinstance(params, tuple) else None

    def value_of(value: Any, name: str | None) -> str:
        if isinstance(value, list) and positions is not None:
            # An unnest() array: each element may be a fresh id, hash or reference.
            return "ARRAY[" + ", ".join(value_of(item, None) for item in value) + "]"
        key = tuple(value) if isinstance(value, list) else value
        named = variables.get(("param", name)) if name else None
        try:
            return named or variables.get(key) or literal(value)
        except TypeError:  # unhashable (Json)
            return literal(value)

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        if match.group(0) == "%s":
            assert positions is not None
            return value_of(params[next(positions)], None)
        name = match.group(1)
        return value_of(params[name], name)

    return " ".join(PLACEHOLDER.sub(one, _colons_escaped(statement)).split())


def _colons_escaped(statement: str) -> str:
    """The statement's own string literals with their colons escaped, as `literal` escapes a
    value's (`to_char(..., 'HH24:MI:SS')` would otherwise read as pgbench variables)."""

    def escaped(match: re.Match[str]) -> str:
        text = match.group(1)
        if ":" not in text:
            return match.group(0)
        return "E'" + text.replace("\\", "\\\\").replace(":", "\\x3a") + "'"

    # Every literal in turn, left to right, so that a quote closing one never opens the next.
    return re.sub(r"'([^']*)'", escaped, statement)


def pgbench_lines(captured: list[tuple[str, Any, bool]], variables: dict[Any, str]) -> list[str]:
    lines = []
    for statement, params, _many in captured:
        if statement.strip() == "select pg_catalog.version()":
            continue
        # The chain's head moves to the newest audit event, read after the events' insert.
        end = " \\gset" if "AS last_id" in statement else ";"
        for row in params:
            lines.append(render(statement, row, variables) + end)
    return lines


def store_pages(dsn: str, organisation: uuid.UUID) -> None:
    """The first pages of the organisation's list as each client walks it: each page's cursor
    (the last incident of the page before) and its incidents' ids, for the pgbench script."""
    with psycopg.connect(dsn) as connection:
        rows = connection.execute(
            "SELECT occurred_on, id FROM incidents WHERE organisation_id = %s"
            " AND archived_at IS NULL ORDER BY occurred_on DESC, id DESC LIMIT %s",
            (organisation, PAGE_SIZE * (PAGES + 1)),
        ).fetchall()
        columns = ", ".join(f"id{n} uuid" for n in range(1, PAGE_SIZE + 1))
        connection.execute("DROP TABLE IF EXISTS bench_pages")
        connection.execute(
            f"CREATE TABLE bench_pages (n int PRIMARY KEY, cursor_on date, cursor_id uuid,"
            f" ids uuid[], {columns})"
        )
        for n in range(1, PAGES + 1):
            page = rows[n * PAGE_SIZE : (n + 1) * PAGE_SIZE]
            ids = [row[1] for row in page]
            if len(ids) < PAGE_SIZE:
                raise SystemExit(f"too few incidents for {PAGES} full pages of the list")
            cursor_on, cursor_id = rows[n * PAGE_SIZE - 1]
            holes = ", ".join(["%s"] * (PAGE_SIZE + 4))
            connection.execute(
                f"INSERT INTO bench_pages VALUES ({holes})", (n, cursor_on, cursor_id, ids, *ids)
            )


def capture(dsn: str, key: str, token: str, organisation_name: str, out: Path) -> dict[str, Path]:
    """Write list.sql and create.sql (pgbench) and create.json (reference app) into `out`."""
    settings = Settings(database_url=dsn, encryption_keys=key)
    app = create_app(settings)
    captured = Captured()
    event.listen(app.state.engine, "before_cursor_execute", captured.listen)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        first = client.get("/api/v1/incidents?limit=50", headers=headers).json()
        captured.statements.clear()
        response = client.get(
            f"/api/v1/incidents?limit=50&cursor={first['next_cursor']}", headers=headers
        )
        response.raise_for_status()
        listing = list(captured.statements)
        page = response.json()["items"]
        cursor = (date.fromisoformat(first["items"][-1]["occurred_on"]), first["items"][-1]["id"])
        client.post("/api/v1/incidents", json=CREATE_BODY, headers=headers).raise_for_status()
        captured.statements.clear()
        created = client.post("/api/v1/incidents", json=CREATE_BODY, headers=headers)
        created.raise_for_status()
        creating = list(captured.statements)
    app.state.engine.dispose()
    organisation = uuid.UUID(page[0]["organisation_id"])
    store_pages(dsn, organisation)

    ids = [uuid.UUID(item["id"]) for item in page]
    variables: dict[Any, str] = {cursor[0]: ":cursor_on", uuid.UUID(cursor[1]): ":cursor_id"}
    variables |= {value: f":id{n}" for n, value in enumerate(ids, 1)}
    variables[tuple(ids)] = ":ids"
    variables[ids_array_text(ids)] = ":ids"  # the ids as one array literal
    columns = ", ".join(["cursor_on", "cursor_id", "ids", *(f"id{n}" for n in range(1, 51))])
    list_script = [
        f"\\set p random(1, {PAGES})",
        f"SELECT {columns} FROM bench_pages WHERE n = :p \\gset",
        *pgbench_lines(listing, variables),
    ]

    incident = created.json()
    fresh: list[Any] = [uuid.UUID(incident["id"]), incident["reference"]]
    fresh += [uuid.UUID(child["id"]) for child in incident["victims"] + incident["perpetrators"]]
    # The audit events' hashes are unique too: each replay seals its events with new ones.
    fresh += [
        value
        for statement, rows, _ in creating
        if statement.startswith("INSERT INTO audit_events")
        for value in _column(statement, rows[0], "hash")
    ]
    new_values: dict[Any, str] = {
        fresh[1]: "('BENCH-' || :k::text)",
        ("param", "last_event_id"): ":last_id",
    }
    for n, old in enumerate(fresh):
        if isinstance(old, uuid.UUID):
            new_values[old] = f"md5(:k::text || '-{n}')::uuid"
        elif n > 1:
            new_values[old] = f"(md5(:k::text || '-{n}') || md5(:k::text || '+{n}'))"
    # The incident read back by its id as one array literal ('{id}'): the new one's.
    new_values[ids_array_text([fresh[0]])] = "('{' || md5(:k::text || '-0')::uuid || '}')"
    create_script = [
        "\\set k random(1, 1000000000000)",
        "BEGIN;",
        *pgbench_lines(creating, new_values),
        "COMMIT;",
    ]
    template = {
        "fresh": [encode(value) for value in fresh],
        "statements": [
            {
                "sql": statement,
                "rows": [_encoded_row(row) for row in params],
                "many": many,
            }
            for statement, params, many in creating[1:]  # the reference checks the token itself
        ],
    }
    paths = {
        "list": out / "list.sql",
        "create": out / "create.sql",
        "template": out / "create.json",
    }
    paths["list"].write_text("\n".join(list_script) + "\n")
    paths["create"].write_text("\n".join(create_script) + "\n")
    paths["template"].write_text(json.dumps(template))
    return paths


def _encoded_row(row: Any) -> Any:
    if isinstance(row, tuple):
        return [encode(value) for value in row]
    return {name: encode(value) for name, value in row.items()}


def _column(statement: str, row: Any, name: str) -> list[Any]:
    """The values of one column of a captured insert: a positional row's array for it, or a
    named row's value(s)."""
    if isinstance(row, tuple):
        columns = statement.split("(", 1)[1].split(")", 1)[0]
        names = [column.strip().strip('"') for column in columns.split(",")]
        return list(row[names.index(name)])
    return [value for key, value in row.items() if re.fullmatch(rf"{name}(__\d+)?", key)]


def bench_user(app_settings: Settings, organisation_name: str) -> tuple[str, str]:
    app = create_app(app_settings)
    user = make_user(app, Role.PROTECTION_ADVISER, organisation=organisation_name)
    app.state.engine.dispose()
    return user.username, user.password

"""The baseline for writing many incidents: COPY of the very rows the service wrote.

After the service has written a set of incidents, their rows (incidents, forms of violence,
victims, consent, identity, summaries, perpetrators, verification decisions, versions, and the
audit events naming them) are read out with `COPY ... TO STDOUT`. `copy_again` then writes the
same rows again with `COPY ... FROM STDIN` in one transaction, into the same tables with the same
indexes, constraints and triggers, and times it. Only what must stay unique changes: the rows'
own ids (consistently, JSON included), the references and the audit hashes. The kept counts are
not part of it: COPY has no way to add to a row, which is why the service does more than COPY.
"""

import re
import time
import uuid
from dataclasses import dataclass

import psycopg

UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HASH = re.compile(rb"\b[0-9a-f]{64}\b")
# (table, its columns as written, the rows of the set): the ids are in the temporary table `ids`.
TABLES = (
    ("incidents", "*", "id IN (SELECT id FROM ids)"),
    ("incident_violations", "*", "incident_id IN (SELECT id FROM ids)"),
    ("victims", "*", "incident_id IN (SELECT id FROM ids)"),
    (
        "victim_consents",
        "*",
        "victim_id IN (SELECT id FROM victims WHERE incident_id IN (SELECT id FROM ids))",
    ),
    (
        "victim_identities",
        "*",
        "victim_id IN (SELECT id FROM victims WHERE incident_id IN (SELECT id FROM ids))",
    ),
    ("incident_narratives", "*", "incident_id IN (SELECT id FROM ids)"),
    ("perpetrators", "*", "incident_id IN (SELECT id FROM ids)"),
    ("verification_events", "*", "incident_id IN (SELECT id FROM ids)"),
    ("incident_versions", "*", "incident_id IN (SELECT id FROM ids)"),
)
AUDIT_COLUMNS = (
    "at, actor_user_id, actor_username, actor_organisation_id, action, record_type, record_id, "
    "fields, details, prev_hash, hash"
)


@dataclass
class Dump:
    tables: list[tuple[str, str, bytes]]  # table, column list, COPY text
    own_ids: set[bytes]  # the ids of the set's rows, to be renewed on each copy
    rows: int


def dump(dsn: str, incident_ids: list[uuid.UUID]) -> Dump:
    """The rows the service wrote for these incidents, as COPY text."""
    with psycopg.connect(dsn) as connection:
        connection.execute("CREATE TEMPORARY TABLE ids (id uuid PRIMARY KEY)")
        with connection.cursor().copy("COPY ids (id) FROM STDIN") as copy:
            for incident_id in incident_ids:
                copy.write_row([incident_id])
        tables = []
        for table, columns, where in TABLES:
            names = _columns(connection, table) if columns == "*" else columns
            tables.append((table, names, _copy_out(connection, table, names, where)))
        audit_where = (
            "record_id IN (SELECT id::text FROM ids UNION ALL SELECT id::text FROM victims "
            "WHERE incident_id IN (SELECT id FROM ids))"
        )
        tables.append(
            (
                "audit_events",
                AUDIT_COLUMNS,
                _copy_out(connection, "audit_events", AUDIT_COLUMNS, audit_where),
            )
        )
        own = set()
        for query in (
            "SELECT id::text FROM ids",
            "SELECT id::text FROM victims WHERE incident_id IN (SELECT id FROM ids)",
            "SELECT id::text FROM perpetrators WHERE incident_id IN (SELECT id FROM ids)",
            "SELECT id::text FROM verification_events WHERE incident_id IN (SELECT id FROM ids)",
        ):
            own |= {row[0].encode() for row in connection.execute(query)}
    rows = sum(text.count(b"\n") for _, _, text in tables)
    return Dump(tables, own, rows)


def copy_again(dsn: str, rows: Dump) -> float:
    """Seconds to COPY the same rows (new ids) in one transaction, committed."""
    renewed = _renew(rows)
    with psycopg.connect(dsn) as connection:
        started = time.perf_counter()
        with connection.transaction():
            for table, columns, text in renewed:
                with connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(text)
        return time.perf_counter() - started


def _renew(rows: Dump) -> list[tuple[str, str, bytes]]:
    mapping: dict[bytes, bytes] = {}

    def new_id(match: re.Match[bytes]) -> bytes:
        old = match.group(0)
        if old not in rows.own_ids:
            return old  # an organisation's, a user's, an armed party's: kept
        return mapping.setdefault(old, str(uuid.uuid4()).encode())

    token = uuid.uuid4().hex[:4].encode()
    renewed = []
    for table, columns, text in rows.tables:
        text = UUID.sub(new_id, text)
        if table == "incidents":
            names = columns.split(", ")
            for name in ("reference", "external_reference"):
                text = _renew_references(text, names.index(name), token)
        if table == "audit_events":
            text = HASH.sub(lambda _m: uuid.uuid4().hex.encode() * 2, text)
        renewed.append((table, columns, text))
    return renewed


def _renew_references(text: bytes, column: int, token: bytes) -> bytes:
    """References are unique: each becomes another of about the same width (none stays none)."""
    lines = []
    for number, line in enumerate(text.splitlines()):
        fields = line.split(b"\t")
        if fields[column] != b"\\N":
            fields[column] = b"C-" + token + b"-%06d" % number
        lines.append(b"\t".join(fields))
    return b"\n".join(lines) + b"\n" if lines else b""


def _columns(connection: psycopg.Connection, table: str) -> str:
    query = (
        "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) "
        "FROM information_schema.columns WHERE table_name = %s AND table_schema = 'public'"
    )
    row = connection.execute(query, (table,)).fetchone()
    assert row is not None
    return str(row[0])


def _copy_out(connection: psycopg.Connection, table: str, columns: str, where: str) -> bytes:
    out = bytearray()
    statement = f"COPY (SELECT {columns} FROM {table} WHERE {where}) TO STDOUT"
    with connection.cursor().copy(statement) as copy:
        for block in copy:
            out += block
    return bytes(out)

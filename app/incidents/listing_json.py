"""A page of the incident list written out by PostgreSQL: the API's JSON in one statement.

On PostgreSQL the list finds its page's ids with the filters (`listing.page_query`), then
this statement returns the fifty incidents, their violations, victims with their consent, and
perpetrators with their armed party, as one JSON text in `IncidentRead`'s shape, which Python
passes on with only the GBVIMS type warnings added (`items_text`). Reading the same as rows cost
four more statements, and turning their rows into dicts was most of a page's Python time. (A
created incident is read back by the same statement, parsed: `incidents_json`.)

The text is built once from the models' columns, so a column added to `IncidentRead` is written
here too. Values are written as the API's models write them: UUIDs, dates and strings alike;
times as UTC ending in "Z" with microseconds only when there are some, as orjson writes them
(`_utc_text`). Tests hold the list equal to the detail, which the models write, on PostgreSQL.
"""

import uuid
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.core.db import ids_array_text
from app.incidents.listing import (
    INCIDENT_FIELDS,
    PERPETRATOR_KEYS,
    VICTIM_FIELDS,
    add_warnings,
    cut_page,
    warnings_text,
)
from app.models import Incident, Perpetrator, Victim
from app.models.base import UTCDateTime

IDS_PARAMETER = "%(ids)s::uuid[]"


def page_json(
    session: Session, positions: Select[Any], parameters: dict[str, Any], limit: int
) -> tuple[str, str | None]:
    """A page of the list on PostgreSQL: its items as one JSON array text, and the next cursor.

    `positions`: `listing.page_query` (with its `parameters`) reading only the date and id.
    """
    found = session.connection().execute(positions, parameters).all()
    rows, next_cursor = cut_page(found, limit, lambda row: (row[0], row[1]))
    return items_text(session, [incident_id for _, incident_id in rows]), next_cursor


def items_text(session: Session, ids: list[uuid.UUID]) -> str:
    """The incidents with these ids, newest first, as the JSON array text of the list's items.

    Passed on as PostgreSQL wrote it: parsing fifty incidents only to write them out again was
    three tenths of a page's instructions (callgrind, `bench.list_cpu`). Only the GBVIMS type
    warnings are Python's (`type_warnings`): the statement writes a mark where each item's
    warnings go, and each item's type and forms of violence beside the text, in the same order.
    """
    if not ids:
        return "[]"
    parameters = {"ids": ids_array_text(ids)}
    written, kinds = session.connection().exec_driver_sql(page_text_statement(), parameters).one()
    pieces = written.split(WARNINGS_MARK)
    parts = [pieces[0]]
    for (gbv_type, violations), rest in zip(orjson.loads(kinds), pieces[1:], strict=True):
        parts += (warnings_text(gbv_type, tuple(violations)), rest)
    return "".join(parts)


def incidents_json(session: Session, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The incidents with these ids, newest first, as the list's items (JSON values)."""
    if not ids:
        return []
    connection = session.connection()
    parameters = {"ids": ids_array_text(ids)}
    written = connection.exec_driver_sql(page_statement(), parameters).scalar_one()
    items: list[dict[str, Any]] = orjson.loads(written)
    for item in items:
        add_warnings(item)
    return items


def page_document(items: str, next_cursor: str | None, limit: int) -> bytes:
    """The list's answer in `IncidentPage`'s shape, around its items already written as JSON."""
    cursor = orjson.dumps(next_cursor).decode()
    return f'{{"items":{items},"next_cursor":{cursor},"limit":{limit}}}'.encode()


def _utc_text(expression: str) -> str:
    """A timestamp as orjson writes an aware UTC datetime (`OPT_UTC_Z`); NULL stays NULL."""
    at_utc = f"({expression}) AT TIME ZONE 'UTC'"
    whole_second = f"mod(extract(microseconds FROM {expression})::bigint, 1000000) = 0"
    return (
        f"to_char({at_utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN {whole_second} THEN '' ELSE to_char({at_utc}, '.US') END || 'Z'"
    )


def _value(table: Any, alias: str, name: str) -> str:
    column = f"{alias}.{name}"
    return _utc_text(column) if isinstance(table.c[name].type, UTCDateTime) else column


def _object(table: Any, alias: str, names: tuple[str, ...], *extra: tuple[str, str]) -> str:
    pairs = [(name, _value(table, alias, name)) for name in names] + list(extra)
    return "json_build_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"


def _victims() -> str:
    consent = (
        "(SELECT coalesce(json_object_agg(c.kind, json_build_object("
        f"'granted', c.granted, 'recorded_at', {_utc_text('c.recorded_at')}, "
        "'recorded_by_id', c.recorded_by_id)), '{}') "
        "FROM victim_consents c WHERE c.victim_id = v.id)"
    )
    has_identity = "EXISTS (SELECT 1 FROM victim_identities vi WHERE vi.victim_id = v.id)"
    victim = _object(
        Victim.__table__,
        "v",
        tuple(name for name in VICTIM_FIELDS if name != "has_identity"),
        ("has_identity", has_identity),
        ("consent", consent),
    )
    return (
        f"(SELECT coalesce(json_agg({victim} ORDER BY v.position, v.id), '[]') "
        "FROM victims v WHERE v.incident_id = i.id)"
    )


def _perpetrators() -> str:
    party = (
        "CASE WHEN a.id IS NULL THEN NULL "
        "ELSE json_build_object('id', a.id, 'name', a.name, 'acronym', a.acronym) END"
    )
    perpetrator = _object(Perpetrator.__table__, "p", PERPETRATOR_KEYS, ("armed_party", party))
    return (
        f"(SELECT coalesce(json_agg({perpetrator} ORDER BY p.position), '[]') "
        "FROM perpetrators p LEFT JOIN armed_parties a ON a.id = p.armed_party_id "
        "WHERE p.incident_id = i.id)"
    )


# Where an item's warnings go in `page_text_statement`'s text. JSON text never holds this
# character as it is (PostgreSQL writes one in a string as \u0001), so splitting the text on
# it finds exactly these places; a mismatch in number would fail the page, not garble it.
WARNINGS_MARK = chr(1)  # written by the statement as chr(1)
PAGE_ORDER = "page.occurred_on DESC, page.id DESC"


@cache
def page_statement() -> str:
    """The incidents whose ids are given, newest first, as one JSON array (text)."""
    return f"SELECT coalesce(json_agg(page ORDER BY {PAGE_ORDER}), '[]')::text FROM {_page_rows()}"


@cache
def page_text_statement() -> str:
    """`page_statement`'s array with each item's `"warnings"` left as `WARNINGS_MARK`; beside
    it, each item's `[gbv_type, violations]`, in the same order (JSON text)."""
    item = "left(row_to_json(page)::text, -1) || ',\"warnings\":' || chr(1) || '}'"
    return (
        f"SELECT '[' || coalesce(string_agg({item}, ',' ORDER BY {PAGE_ORDER}), '') || ']', "
        "coalesce(json_agg(json_build_array(page.gbv_type, page.violations)"
        f" ORDER BY {PAGE_ORDER}), '[]')::text FROM {_page_rows()}"
    )


def _page_rows() -> str:
    """The incidents whose ids are given, a column for each of the list's fields."""
    columns = [f'{_value(Incident.__table__, "i", name)} AS "{name}"' for name in INCIDENT_FIELDS]
    columns += [
        "ARRAY(SELECT iv.violation FROM incident_violations iv WHERE iv.incident_id = i.id"
        " ORDER BY iv.violation) AS violations",
        f"{_victims()} AS victims",
        f"{_perpetrators()} AS perpetrators",
        "EXISTS (SELECT 1 FROM incident_narratives n WHERE n.incident_id = i.id) AS has_summary",
        "NULL AS summary",
    ]
    return (
        f"(SELECT {', '.join(columns)} FROM incidents i WHERE i.id = ANY({IDS_PARAMETER})) AS page"
    )

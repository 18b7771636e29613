"""Incident references: each organisation numbers its own incidents per country and year.

A reference reads ML-2019-MHRD-000001: country, year reported, the organisation's code and a
number from that prefix's counter, moved on atomically even under concurrent writes. Each
organisation numbers its own, so a reference says nothing of how many another one recorded.
References issued before organisations had codes (ML-2019-000001, one sequence for all) keep
their three parts, so the two never collide.
"""

import uuid
from collections import Counter
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Uuid,
    bindparam,
    cast,
    func,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.core.db import among_ids
from app.models import Incident, Organisation, ReferenceCounter

IDS_PER_STATEMENT = 30_000  # under SQLite's 32,766 bound parameters


def reference_text(prefix: str, number: int) -> str:
    """`ML-2019-MHRD-000042`: the number padded to six digits (beyond them, written whole)."""
    return f"{prefix}-{number:06d}"


def advance_counters(
    session: Session, organisation_id: uuid.UUID, wanted: Counter[tuple[str, int]]
) -> dict[tuple[str, int], tuple[str, int]]:
    """Move each (country, year) counter on by the number wanted: its prefix and new last value.

    In one order for every writer (sorted), so two batches never wait on each other's counters
    in opposite orders."""
    return {
        key: _advance(session, organisation_id, key[0], key[1], wanted[key])
        for key in sorted(wanted)
    }


def number_provisional(
    session: Session,
    organisation_id: uuid.UUID,
    token: str,
    awaiting: dict[tuple[str, int], list[uuid.UUID]],
) -> None:
    """Give an import's incidents their references: one counter move per country and year, then
    one UPDATE (per 30,000) that numbers its incidents from their provisional references
    ("~<token><country><year>-<n>", n in the order written), found by primary key."""
    wanted = Counter({key: len(ids) for key, ids in awaiting.items()})
    numbered = advance_counters(session, organisation_id, wanted)
    dialect = session.get_bind().dialect.name
    for (country, year), (prefix, last) in sorted(numbered.items()):
        offset = last - wanted[(country, year)]
        provisional = f"~{token}{country}{year}-"
        number = cast(func.substr(Incident.reference, len(provisional) + 1), Integer) + offset
        padded = (
            func.printf("%06d", number)
            if dialect == "sqlite"
            else func.lpad(cast(number, String), 6, "0")
        )
        if last > 999_999:  # beyond six digits, no padding (lpad would cut)
            padded = cast(number, String)
        statement = (
            update(Incident)
            .values(reference=literal(f"{prefix}-", String) + type_coerce(padded, String))
            .execution_options(synchronize_session=False)
        )
        ids = awaiting[(country, year)]
        for start in range(0, len(ids), IDS_PER_STATEMENT):
            chunk = ids[start : start + IDS_PER_STATEMENT]
            session.execute(statement.where(among_ids(Incident.id, dialect)), {"ids": chunk})


def _advance(
    session: Session, organisation_id: uuid.UUID, country: str, year: int, by: int
) -> tuple[str, int]:
    connection = session.connection()
    statement = _advance_statement(connection.dialect.name)
    parameters = {"start": f"{country}-{year}-", "by": by, "organisation_id": organisation_id}
    row = connection.execute(statement, parameters).one()
    return str(row.prefix), int(row.last_value)


@cache
def _advance_statement(dialect: str) -> Any:
    """One statement, built once: the prefix is made from the organisation's code as the
    counter moves on."""
    prefix = bindparam("start", type_=String) + Organisation.reference_code
    source = select(prefix, bindparam("by", type_=Integer)).where(
        Organisation.id == bindparam("organisation_id", type_=Uuid)
    )
    insert: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        ReferenceCounter
    )
    return (
        insert.from_select([ReferenceCounter.prefix, ReferenceCounter.last_value], source)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.prefix],
            set_={"last_value": ReferenceCounter.last_value + insert.excluded.last_value},
        )
        .returning(ReferenceCounter.prefix, ReferenceCounter.last_value)
    )

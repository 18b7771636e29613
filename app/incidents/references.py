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

from sqlalchemy import Integer, String, Uuid, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import Organisation, ReferenceCounter


def issue_reference(session: Session, organisation_id: uuid.UUID, country: str, year: int) -> str:
    """The organisation's next reference for a country and year."""
    prefix, last = _advance(session, organisation_id, country, year, 1)
    return f"{prefix}-{last:06d}"


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

"""Keeping the kept counts (`stat_counts`, and `stat_counts_yearly` summed from the same
contributions) equal to what counting the incidents would give, write by write.

Every change to an incident passes its state before and after (`history.snapshot`) to
`record_change`, which adds the difference of their contributions in one statement, inside the
change's own transaction: a committed incident is always counted, and a rolled-back one never.
`rebuild` recomputes the whole table from the incidents (after a bulk load, or to repair), and
`mismatches` says whether the kept counts differ from a recount (tests and `crsv-registry stats
check` use it). Both sides count by the rules of app/counting/rules.py: the contributions by their
Python predicates, the recount by their SQL expressions.
"""

import uuid
from datetime import date
from functools import lru_cache
from operator import add
from typing import Any

from sqlalchemy import Connection, Date, Select, String, case, delete, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.core.bulk_insert import upsert_rows
from app.counting.rules import (
    counted,
    is_counted,
    is_shareable,
    shareable,
    shares_statistics,
    statistics_consent,
)
from app.models import (
    Incident,
    IncidentViolation,
    Perpetrator,
    StatCount,
    Victim,
    VictimConsent,
    YearlyStatCount,
)
from app.models.rollup import NO_VALUE, Facet

KEY_COLUMNS = (
    "facet",
    "country",
    "month",
    "organisation_id",
    "admin1",
    "date_precision",
    "source",
    "verification_status",
    "value",
)
YEARLY_KEY_COLUMNS = (
    "facet",
    "country",
    "year_start",
    "organisation_id",
    "source",
    "verification_status",
    "value",
)
MEASURES = (
    "incidents",
    "victims",
    "shareable_incidents",
    "shared_victims",
    "shareable_incident_keys",
    "shared_victim_keys",
)
NOTHING = (0,) * len(MEASURES)
ORGANISATION = KEY_COLUMNS.index("organisation_id")  # its place in a key
RECORD_KEYS = "record_keys"  # where `history.snapshot` puts the incident's and victims' keys
Key = tuple[Any, ...]
Measures = tuple[int, ...]  # one value per name of MEASURES
Contributions = dict[Key, Measures]


# The facets' values, read once: `Facet.X.value` is a Python-level property, read for every row
# of every incident's contributions otherwise.
INCIDENT_FACET = Facet.INCIDENT.value
VIOLATION_FACET = Facet.VIOLATION.value
PERPETRATOR_FACET = Facet.PERPETRATOR_CATEGORY.value
VICTIM_FACET = Facet.VICTIM_CATEGORY.value


def contributions(organisation_id: uuid.UUID | None, state: dict[str, Any] | None) -> Contributions:
    """What one incident (as `history.snapshot` describes it) adds to each row of the table."""
    if not state or not is_counted(state):
        return {}
    base = (
        state["country"],
        _month_of(state["occurred_on"]),
        organisation_id,
        state.get("admin1") or NO_VALUE,
        state["date_precision"],
        state["source"],
        state["verification_status"],
    )
    keys = state[RECORD_KEYS]
    victim_keys = keys["victims"]
    # (category, record key, shares statistics) of each victim.
    victims = [
        (victim["category"], victim_keys[str(victim["id"])], shares_statistics(victim))
        for victim in state["victims"]
    ]
    consenting = [key for _, key, shares in victims if shares]
    seen = int(is_shareable(len(victims), len(consenting)))
    whole = (1, len(victims), seen, len(consenting), seen * keys["incident"], sum(consenting))
    rows: Contributions = {(INCIDENT_FACET, *base, NO_VALUE): whole}
    for violation in set(state["violations"]):
        rows[(VIOLATION_FACET, *base, violation)] = whole
    categories = {p["category"] for p in state["perpetrators"]} or {NO_VALUE}
    for category in categories:
        rows[(PERPETRATOR_FACET, *base, category)] = whole
    rows.update(_victim_rows(base, keys["incident"], victims))
    return rows


@lru_cache(maxsize=1024)
def _month_of(day: str) -> date:
    """The first day of the month of an ISO date: the same few months for a batch's thousand
    incidents."""
    return date.fromisoformat(day).replace(day=1)


def _victim_rows(
    base: tuple[Any, ...], incident_key: int, victims: list[tuple[str, int, bool]]
) -> Contributions:
    if not victims:
        return {(VICTIM_FACET, *base, NO_VALUE): (1, 0, 1, 0, incident_key, 0)}
    # Per category: [victims, those sharing, the sum of their keys], in the order first seen.
    # Plain lists rather than three Counters: built for every incident written.
    by_category: dict[str, list[int]] = {}
    for category, key, shares in victims:
        counts = by_category.get(category)
        if counts is None:
            counts = by_category[category] = [0, 0, 0]
        counts[0] += 1
        if shares:
            counts[1] += 1
            counts[2] += key
    rows: Contributions = {}
    for category, (count, sharing, sharing_keys) in by_category.items():
        seen = int(is_shareable(count, sharing))
        rows[(VICTIM_FACET, *base, category)] = (
            1,
            count,
            seen,
            sharing,
            seen * incident_key,
            sharing_keys,
        )
    return rows


def yearly(rows: Contributions) -> Contributions:
    """The same contributions by year, without region or precision (`stat_counts_yearly`)."""
    summed: dict[Key, list[int]] = {}
    for key, measures in rows.items():
        facet, country, month, organisation_id, _admin1, _precision, source, status, value = key
        yearly_key = (
            facet,
            country,
            month.replace(month=1),
            organisation_id,
            source,
            status,
            value,
        )
        total = summed.setdefault(yearly_key, [0] * len(MEASURES))
        for index, measure in enumerate(measures):
            total[index] += measure
    return {key: tuple(m) for key, m in summed.items()}


def record_change(
    session: Session,
    organisation_id: uuid.UUID,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add (after - before) to both tables of kept counts, in the current transaction."""
    old, new = contributions(organisation_id, before), contributions(organisation_id, after)
    _add_differences(session, old, new)


class NewCounts:
    """New incidents' contributions, summed as they come (an import too large to hold its
    incidents), then written at once by `write`: one statement per table, its rows locked in the
    one order every writer uses."""

    def __init__(self, organisation_id: uuid.UUID) -> None:
        self.organisation_id = organisation_id
        self.summed: dict[Key, Measures] = {}

    def add(self, state: dict[str, Any]) -> None:
        # Summed with None for the organisation, the same for every key: hashing a key hashes
        # each of its values again, and a UUID's hash is a Python method, called some ten
        # times an incident. `write` puts the organisation in.
        summed = self.summed
        for key, measures in contributions(None, state).items():
            total = summed.get(key)
            summed[key] = measures if total is None else tuple(map(add, total, measures))

    def write(self, session: Session) -> None:
        organisation = self.organisation_id
        summed = {
            (*key[:ORGANISATION], organisation, *key[ORGANISATION + 1 :]): measures
            for key, measures in self.summed.items()
        }
        _add_differences(session, {}, summed)


def _add_differences(session: Session, old: Contributions, new: Contributions) -> None:
    for table, columns, old_rows, new_rows in (
        (StatCount, KEY_COLUMNS, old, new),
        (YearlyStatCount, YEARLY_KEY_COLUMNS, yearly(old), yearly(new)),
    ):
        # One statement per table whatever the number of rows (a create's ten, an import's
        # thousands), in the sorted order every writer locks them in.
        deltas = _deltas(columns, old_rows, new_rows)
        upsert_rows(session, table.__table__, columns, MEASURES, deltas)


def _deltas(
    columns: tuple[str, ...], old: Contributions, new: Contributions
) -> list[dict[str, Any]]:
    deltas = []
    for key in sorted(old.keys() | new.keys(), key=str):  # one lock order for every writer
        change = [n - o for n, o in zip(new.get(key, NOTHING), old.get(key, NOTHING), strict=True)]
        if any(change):
            deltas.append(dict(zip((*columns, *MEASURES), (*key, *change), strict=True)))
    return deltas


def rebuild(connection: Connection) -> None:
    """Recount both tables from the incidents (after a bulk load, or to repair them)."""
    connection.execute(delete(StatCount))
    connection.execute(delete(YearlyStatCount))
    for query in recount_queries(connection.dialect.name):
        connection.execute(
            StatCount.__table__.insert().from_select([*KEY_COLUMNS, *MEASURES], query)
        )
    connection.execute(
        YearlyStatCount.__table__.insert().from_select(
            [*YEARLY_KEY_COLUMNS, *MEASURES], yearly_from_monthly(connection.dialect.name)
        )
    )


def yearly_from_monthly(dialect: str) -> Select[Any]:
    year_start = (
        func.date_trunc("year", StatCount.month).cast(Date)
        if dialect == "postgresql"
        else func.date(StatCount.month, "start of year")
    )
    key = [
        StatCount.facet,
        StatCount.country,
        year_start,
        StatCount.organisation_id,
        StatCount.source,
        StatCount.verification_status,
        StatCount.value,
    ]
    measures = [func.sum(getattr(StatCount, name)) for name in MEASURES]
    return select(*key, *measures).group_by(*key)


Mismatch = tuple[str, Key, tuple[int, ...], tuple[int, ...]]


def mismatches(connection: Connection) -> list[Mismatch]:
    """Rows whose kept counts differ from a recount: (table, key, kept, recounted)."""
    expected: Contributions = {}
    for query in recount_queries(connection.dialect.name):
        for row in connection.execute(query):
            expected[_key(row[: len(KEY_COLUMNS)])] = tuple(
                int(value) for value in row[len(KEY_COLUMNS) :]
            )
    found = []
    for table, columns, recounted in (
        (StatCount, KEY_COLUMNS, expected),
        (YearlyStatCount, YEARLY_KEY_COLUMNS, yearly(expected)),
    ):
        kept = {
            _key(row[: len(columns)]): tuple(int(value) for value in row[len(columns) :])
            for row in connection.execute(
                select(*(table.__table__.c[c] for c in (*columns, *MEASURES)))
            )
        }
        found += [
            (table.__tablename__, key, kept.get(key, NOTHING), recounted.get(key, NOTHING))
            for key in sorted(recounted.keys() | kept.keys(), key=str)
            if kept.get(key, NOTHING) != recounted.get(key, NOTHING)
        ]
    return found


def _key(values: Any) -> Key:
    """Keys as plain values (dates as dates, enums as strings) whatever the driver returns."""
    key = [getattr(value, "value", value) for value in values]
    if isinstance(key[2], str):
        key[2] = date.fromisoformat(key[2][:10])
    key[3] = key[3] if isinstance(key[3], uuid.UUID) else uuid.UUID(str(key[3]))
    return tuple(key)


def _month_start(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.date_trunc("month", Incident.occurred_on).cast(Date)
    return func.date(Incident.occurred_on, "start of month")


def recount_queries(dialect: str) -> list[Select[Any]]:
    """One INSERT-able SELECT per facet, counting as `contributions` does."""
    live = counted()
    seen = case((shareable(Incident.victim_count, Incident.shared_victim_count), 1), else_=0)
    base = [
        Incident.country,
        _month_start(dialect),
        Incident.organisation_id,
        func.coalesce(Incident.admin1, NO_VALUE),
        Incident.date_precision,
        Incident.source,
        Incident.verification_status,
    ]
    whole = [
        func.count(),
        func.sum(Incident.victim_count),
        func.sum(seen),
        func.sum(Incident.shared_victim_count),
        func.sum(seen * Incident.record_key),
        func.sum(Incident.shared_victim_keys),
    ]

    def by(facet: Facet, value: ColumnElement[Any]) -> Select[Any]:
        return select(literal(facet.value), *base, value).group_by(*base, value)

    perpetrators = select(Perpetrator.incident_id, Perpetrator.category).distinct().subquery()
    queries = [
        by(Facet.INCIDENT, literal(NO_VALUE)).add_columns(*whole).where(live),
        by(Facet.VIOLATION, IncidentViolation.violation)
        .add_columns(*whole)
        .join(IncidentViolation, IncidentViolation.incident_id == Incident.id)
        .where(live),
        by(
            Facet.PERPETRATOR_CATEGORY,
            func.coalesce(perpetrators.c.category, NO_VALUE, type_=String),
        )
        .add_columns(*whole)
        .outerjoin(perpetrators, perpetrators.c.incident_id == Incident.id)
        .where(live),
    ]
    return [*queries, *_victim_recounts(base, live, by)]


def _victim_recounts(base: list[Any], live: Any, by: Any) -> list[Select[Any]]:
    shared_key = case((VictimConsent.victim_id.is_not(None), Victim.record_key), else_=0)
    per_category = (
        select(
            Victim.incident_id,
            Victim.category,
            func.count().label("all_victims"),
            func.count(VictimConsent.victim_id).label("shared_victims"),
            func.sum(shared_key).label("shared_keys"),
        )
        .outerjoin(VictimConsent, statistics_consent())
        .group_by(Victim.incident_id, Victim.category)
        .subquery()
    )
    group_seen = shareable(per_category.c.all_victims, per_category.c.shared_victims)
    with_victims = (
        by(Facet.VICTIM_CATEGORY, per_category.c.category)
        .add_columns(
            func.count(),
            func.sum(per_category.c.all_victims),
            func.sum(case((group_seen, 1), else_=0)),
            func.sum(per_category.c.shared_victims),
            func.sum(case((group_seen, Incident.record_key), else_=0)),
            func.sum(per_category.c.shared_keys),
        )
        .join(per_category, per_category.c.incident_id == Incident.id)
        .where(live)
    )
    without_victims = (
        by(Facet.VICTIM_CATEGORY, literal(NO_VALUE))
        .add_columns(
            func.count(),
            literal(0),
            func.count(),
            literal(0),
            func.sum(Incident.record_key),
            literal(0),
        )
        .where(live, Incident.victim_count == 0)
    )
    return [with_victims, without_victims]

"""Reports on survivor services, counted directly from the records:

- the 72-hour indicator: of the victims of rape who reported within 72 hours of the incident,
  how many received health care within 72 hours (post-exposure prophylaxis) and within 120 hours
  (emergency contraception);
- service gaps: where incidents were recorded, which kinds of service have no operating point;
- victims referred, and victims who received a service, by service kind or referral status.

Counting follows the statistics' rules (app/counting/rules.py): the caller's organisation's
records in full; other organisations' only where the survivor consented to statistics, archived
and duplicate incidents and discarded reports left out. Each figure is a `Figure` of
app/stats/suppression.py: exact for the caller's own part, the part from other organisations
perturbed by its cell key (the sum of the counted records' keys) and hidden where small.

Times of day are not recorded: elapsed time is counted in whole days between dates, 72 hours
being three days and 120 hours five. An incident dated only to the month or the year cannot be
timed: its victims are counted as "unknown timing", never guessed into the indicator.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.core.place_names import place_key
from app.counting.rules import Basis, counted, on_basis, shareable, victim_shares
from app.models import Incident, IncidentViolation, Victim
from app.models.enums import DatePrecision, GbvType, Violation
from app.models.referral import (
    Referral,
    ReferralStatus,
    ServiceKind,
    ServicePoint,
    ServicePointKind,
)
from app.referrals.counting import counted_referrals
from app.stats.cellkey import cell_key
from app.stats.suppression import Figure, render, suppress_small

PEP_DAYS = 3  # 72 hours
EC_DAYS = 5  # 120 hours
OWN = "own"
OTHERS = "others"
KindsAt = dict[Any, set[ServiceKind]]  # kinds offered, by place
MEASURES_72H = (
    "rape_victims",
    "unknown_timing",
    "reported_later",
    "reported_within_72h",
    "care_within_72h",
    "care_within_120h",
)


@dataclass
class Counter:
    """A figure being counted: all records, and those of other organisations with their keys."""

    value: int = 0
    foreign: int = 0
    keys: int = 0

    def add(self, foreign: bool, record_key: int) -> None:
        self.value += 1
        if foreign:
            self.foreign += 1
            self.keys += record_key

    def figure(self) -> Figure:
        return Figure(self.value, self.foreign, cell_key(self.keys))


@dataclass
class Period:
    occurred_from: date | None = None
    occurred_to: date | None = None
    country: str | None = None
    admin1: str | None = None


def _counted(period: Period) -> list[Any]:
    """The conditions on incidents that statistics count: live, not a duplicate, not discarded."""
    conditions = [counted(), on_basis(Incident.verification_status, Basis.ALL_REPORTED)]
    if period.occurred_from:
        conditions.append(Incident.occurred_on >= period.occurred_from)
    if period.occurred_to:
        conditions.append(Incident.occurred_on <= period.occurred_to)
    if period.country:
        conditions.append(Incident.country == period.country)
    if period.admin1:
        conditions.append(func.lower(Incident.admin1) == period.admin1.lower())
    return conditions


# The 72-hour indicator ------------------------------------------------------------------------


@dataclass
class SeventyTwoHourRow:
    key: dict[str, str | int | None]
    counters: dict[str, Counter] = field(
        default_factory=lambda: {name: Counter() for name in MEASURES_72H}
    )


def _rape_victims(session: Session, period: Period, organisation_id: uuid.UUID) -> list[Any]:
    own = Incident.organisation_id == organisation_id
    rape = or_(
        Incident.gbv_type == GbvType.RAPE,
        Incident.violation_rows.any(IncidentViolation.violation == Violation.RAPE),
    )
    health_care = (
        select(func.min(Referral.status_on))
        .where(
            Referral.victim_id == Victim.id,
            Referral.service_kind == ServiceKind.HEALTH_MEDICAL,
            Referral.status == ReferralStatus.SERVICE_PROVIDED,
            counted_referrals(organisation_id),
        )
        .scalar_subquery()
    )
    query = (
        select(
            Victim.record_key,
            own.label("own"),
            Incident.occurred_on,
            Incident.date_precision,
            Incident.reported_on,
            Incident.admin1,
            health_care.label("care_on"),
        )
        .join(Incident, Victim.incident_id == Incident.id)
        .where(*_counted(period), rape, or_(own, victim_shares()))
    )
    return list(session.execute(query))


def _timing(row: Any) -> list[str]:
    """The measures of the indicator one victim counts in."""
    if row.date_precision != DatePrecision.DAY:
        return ["rape_victims", "unknown_timing"]
    if (row.reported_on - row.occurred_on).days > PEP_DAYS:
        return ["rape_victims", "reported_later"]
    measures = ["rape_victims", "reported_within_72h"]
    if row.care_on is not None:
        elapsed = (row.care_on - row.occurred_on).days
        measures += ["care_within_72h"] if elapsed <= PEP_DAYS else []
        measures += ["care_within_120h"] if elapsed <= EC_DAYS else []
    return measures


def _group_key(row: Any, group_by: Iterable[str], period_unit: str) -> dict[str, str | int | None]:
    key: dict[str, str | int | None] = {}
    for name in group_by:
        if name == "period":
            year = row.occurred_on.year
            key["period"] = (
                f"{year}-{row.occurred_on.month:02d}" if period_unit == "month" else year
            )
            if period_unit == "month" and row.date_precision == DatePrecision.YEAR:
                key["period"] = str(year)  # a date known only to the year has no month
        elif name == "region":
            key["region"] = row.admin1
        elif name == "organisation":
            key["organisation"] = OWN if row.own else OTHERS
    return key


def seventy_two_hours(
    session: Session,
    period: Period,
    organisation_id: uuid.UUID,
    group_by: list[str],
    period_unit: str,
    k: int,
) -> dict[str, Any]:
    groups: dict[tuple[Any, ...], SeventyTwoHourRow] = {}
    total = SeventyTwoHourRow(key={})
    for row in _rape_victims(session, period, organisation_id):
        key = _group_key(row, group_by, period_unit)
        group = groups.setdefault(tuple(key.items()), SeventyTwoHourRow(key=key))
        for measure in _timing(row):
            group.counters[measure].add(not row.own, row.record_key)
            total.counters[measure].add(not row.own, row.record_key)
    # Names (regions, organisations) alphabetically, case and accents aside; periods as written.
    ordered = [
        groups[key]
        for key in sorted(groups, key=lambda k: [(place_key(str(v)), str(v)) for _, v in k])
    ]
    rows = [*ordered, total]
    figures = {id(r): {m: c.figure() for m, c in r.counters.items()} for r in rows}
    suppress_small([f for per_row in figures.values() for f in per_row.values()], k)

    def as_dict(row: SeventyTwoHourRow) -> dict[str, Any]:
        return {
            "key": row.key,
            **{m: render(f, k) for m, f in figures[id(row)].items()},
            "protected": any(f.protected for f in figures[id(row)].values()),
        }

    return {
        "group_by": group_by,
        "period_unit": period_unit,
        "groups": [as_dict(r) for r in ordered],
        "total": as_dict(total),
        "k": k,
    }


# Service gaps ---------------------------------------------------------------------------------


@dataclass
class Locality:
    country: str
    admin1: str | None
    admin2: str | None
    incidents: Counter = field(default_factory=Counter)
    victims: Counter = field(default_factory=Counter)


def _place(value: str | None) -> str:
    return (value or "").casefold()


def _operating_kinds(session: Session) -> tuple[KindsAt, KindsAt]:
    """Kinds offered by operating points, per district and per region."""
    query = (
        select(
            ServicePoint.country, ServicePoint.admin1, ServicePoint.admin2, ServicePointKind.kind
        )
        .join(ServicePointKind, ServicePointKind.service_point_id == ServicePoint.id)
        .where(ServicePoint.operating.is_(True))
    )
    by_district: dict[tuple[str, str, str], set[ServiceKind]] = defaultdict(set)
    by_region: dict[tuple[str, str], set[ServiceKind]] = defaultdict(set)
    for country, admin1, admin2, kind in session.execute(query):
        by_district[(country, _place(admin1), _place(admin2))].add(kind)
        by_region[(country, _place(admin1))].add(kind)
    return by_district, by_region


def _localities(session: Session, period: Period, organisation_id: uuid.UUID) -> list[Locality]:
    own = Incident.organisation_id == organisation_id
    seen = or_(own, shareable(Incident.victim_count, Incident.shared_victim_count))
    query = select(
        Incident.country,
        Incident.admin1,
        Incident.admin2,
        own.label("own"),
        Incident.record_key,
        Incident.victim_count,
        Incident.shared_victim_count,
        Incident.shared_victim_keys,
    ).where(*_counted(period), seen)
    # The caller's own rows first: a district they recorded is named as they spell it, never as
    # another organisation did (a spelling of theirs would tell that they recorded it there).
    query = query.order_by(own.desc())
    places: dict[tuple[str, str, str], Locality] = {}
    for row in session.execute(query):
        key = (row.country, _place(row.admin1), _place(row.admin2))
        place = places.setdefault(key, Locality(row.country, row.admin1, row.admin2))
        place.incidents.add(not row.own, row.record_key)
        if row.own:
            place.victims.value += row.victim_count
        else:
            place.victims.value += row.shared_victim_count
            place.victims.foreign += row.shared_victim_count
            place.victims.keys += row.shared_victim_keys
    return sorted(places.values(), key=_alphabetical)


def _alphabetical(place: Locality) -> tuple[str, ...]:
    """Regions, then districts, alphabetically, case and accents aside; then as written."""
    admin1, admin2 = place.admin1 or "", place.admin2 or ""
    return (place.country, place_key(admin1), admin1, place_key(admin2), admin2)


def service_gaps(
    session: Session, period: Period, organisation_id: uuid.UUID, k: int
) -> dict[str, Any]:
    by_district, by_region = _operating_kinds(session)
    localities = _localities(session, period, organisation_id)
    rows = []
    for place in localities:
        region_kinds = by_region.get((place.country, _place(place.admin1)), set())
        # A district left unrecorded is judged by its region's points.
        kinds = (
            by_district.get((place.country, _place(place.admin1), _place(place.admin2)), set())
            if place.admin2
            else region_kinds
        )
        rows.append((place, kinds, region_kinds))
    figures = [place.incidents.figure() for place, _, _ in rows]
    victim_figures = [place.victims.figure() for place, _, _ in rows]
    suppress_small([*figures, *victim_figures], k)
    # Other organisations' incidents too few to show in a district are left out of it, and the
    # district with them unless the caller recorded there too: naming it, or showing the
    # caller's own district as "suppressed", would say that something happened there in the
    # period, to the day and the district, which no protected figure may tell. They are counted
    # as left out whether or not the caller recorded there, so recording there moves nothing.
    shown = []
    left_out = Figure(0, 0, 0)
    for row, incidents, victims in zip(rows, figures, victim_figures, strict=True):
        if incidents.hidden:
            # One more district, standing for the other organisations' incidents in it.
            left_out += Figure(1, 1, incidents.key)
            if incidents.value == incidents.foreign:
                continue
            incidents = Figure(incidents.value - incidents.foreign, 0, 0)
            victims = Figure(victims.value - victims.foreign, 0, 0)
        shown.append((row, incidents, victims))
    rows = [row for row, _, _ in shown]
    figures = [incidents for _, incidents, _ in shown]
    victim_figures = [victims for _, _, victims in shown]
    without = sum(1 for _, kinds, _ in rows if not kinds)
    return {
        "localities": [
            {
                "country": place.country,
                "admin1": place.admin1,
                "admin2": place.admin2,
                "incidents": render(incidents, k),
                "victims": render(victims, k),
                "protected": incidents.protected or victims.protected,
                "kinds_missing": [kind.value for kind in ServiceKind if kind not in kinds],
                "kinds_missing_in_region": [
                    kind.value for kind in ServiceKind if kind not in region_kinds
                ],
                "has_service": bool(kinds),
            }
            for (place, kinds, region_kinds), incidents, victims in zip(
                rows, figures, victim_figures, strict=True
            )
        ],
        "localities_with_incidents": len(rows),
        # Each district left out holds at least one hidden incident: the number of them is a
        # count of other organisations' data. Exact, a small one would bound the hidden count
        # from below, and two periods a day apart would give the districts (so the incidents)
        # of that day by subtraction: it is perturbed by the key of the incidents it stands
        # for, and hidden where small, as every such figure is.
        "localities_left_out": _left_out(left_out, k),
        "localities_without_service": without,
        "share_without_service": round(100 * without / len(rows), 1) if rows else None,
        "k": k,
    }


def _left_out(districts: Figure, k: int) -> int | str:
    suppress_small([districts], k)
    return render(districts, k)


# Referrals by service kind or status -----------------------------------------------------------

REFERRAL_DIMENSIONS = ("service_kind", "referral_status")
REFERRAL_MEASURES = ("victims_referred", "victims_served")


def _referral_rows(session: Session, period: Period, organisation_id: uuid.UUID) -> list[Any]:
    own = Incident.organisation_id == organisation_id
    query = (
        select(
            Victim.id,
            Victim.record_key,
            own.label("own"),
            Referral.service_kind,
            Referral.status,
        )
        .join(Victim, Referral.victim_id == Victim.id)
        .join(Incident, Victim.incident_id == Incident.id)
        .where(
            *_counted(period),
            or_(own, victim_shares()),
            counted_referrals(organisation_id),
        )
    )
    return list(session.execute(query))


def referrals_by(
    session: Session, period: Period, organisation_id: uuid.UUID, dimension: str, k: int
) -> dict[str, Any]:
    """Victims referred, and victims who received a service, by service kind or status. Each
    victim counts once per group (and once in the total), however many referrals they have."""
    values = ServiceKind if dimension == "service_kind" else ReferralStatus
    referred: dict[str, dict[uuid.UUID, tuple[bool, int]]] = {v.value: {} for v in values}
    served: dict[str, dict[uuid.UUID, tuple[bool, int]]] = {v.value: {} for v in values}
    all_referred: dict[uuid.UUID, tuple[bool, int]] = {}
    all_served: dict[uuid.UUID, tuple[bool, int]] = {}
    for row in _referral_rows(session, period, organisation_id):
        value = (row.service_kind if dimension == "service_kind" else row.status).value
        victim = (not row.own, row.record_key)
        referred[value][row.id] = all_referred[row.id] = victim
        if row.status is ReferralStatus.SERVICE_PROVIDED:
            served[value][row.id] = all_served[row.id] = victim
    figures = {value: (_figure(referred[value]), _figure(served[value])) for value in referred}
    total = (_figure(all_referred), _figure(all_served))
    suppress_small([f for pair in [*figures.values(), total] for f in pair], k)
    return {
        "group_by": dimension,
        "groups": [
            {
                "key": value,
                "victims_referred": render(pair[0], k),
                "victims_served": render(pair[1], k),
                "protected": pair[0].protected or pair[1].protected,
            }
            for value, pair in figures.items()
        ],
        "total": {
            "victims_referred": render(total[0], k),
            "victims_served": render(total[1], k),
            "protected": total[0].protected or total[1].protected,
        },
        "k": k,
    }


def _figure(victims: dict[uuid.UUID, tuple[bool, int]]) -> Figure:
    counter = Counter()
    for foreign, record_key in victims.values():
        counter.add(foreign, record_key)
    return counter.figure()

"""The dimensions statistics can be grouped by, declared once; SQL is built from these entries.

Each dimension says how many values an incident can have for it:
- INCIDENT: at most one (its source, its year...);
- INCIDENT_SET: any number (its forms of violence, its perpetrators' categories...), so an
  incident counts in each of its groups and once in the total;
- VICTIM: one per victim (a victim's category, age group, displacement status...), so victims are
  split exactly between groups, and an incident counts in the group of each of its victims;
- VICTIM_SET: any number per victim (the kinds of service a victim was referred to, the statuses
  of their referrals), so a victim counts in each of their groups and once in the total, and an
  incident in the group of each of its victims. A victim with none (never referred) is in the
  no-value group.
"""

from dataclasses import dataclass
from enum import Enum, StrEnum

from sqlalchemy import ColumnElement, case, extract, literal, select
from sqlalchemy.sql.selectable import Subquery

from app.counting.periods import (
    VerificationTiming,
    format_quarter_number,
    month_known,
    quarter_number,
    verification_date_known,
    verification_timing,
)
from app.models import (
    ArmedParty,
    CaseIncident,
    Court,
    IncidentViolation,
    JudicialCase,
    Perpetrator,
    Victim,
)
from app.models.enums import (
    AgeGroup,
    Disability,
    DisplacementStatus,
    GbvType,
    JudicialStage,
    PerpetratorCategory,
    Source,
    VerificationStatus,
    VictimCategory,
    Violation,
)
from app.models.gbvims import DisplacementStage, PlaceType, ReportingDelay, TimeOfDay
from app.models.referral import Referral, ReferralStatus, ServiceKind


class DimensionName(StrEnum):
    PERPETRATOR_CATEGORY = "perpetrator_category"
    VICTIM_CATEGORY = "victim_category"
    VIOLATION = "violation"
    VERIFICATION_STATUS = "verification_status"
    SOURCE = "source"
    ADMIN1 = "admin1"
    YEAR = "year"
    MONTH = "month"
    QUARTER = "quarter"
    VERIFIED_IN_QUARTER = "verified_in_quarter"
    VERIFICATION_TIMING = "verification_timing"
    ARMED_PARTY = "armed_party"
    JUDICIAL_STAGE = "judicial_stage"
    COURT = "court"
    SERVICE_KIND = "service_kind"
    REFERRAL_STATUS = "referral_status"
    COUNTRY = "country"
    GBV_TYPE = "gbv_type"
    TIME_OF_DAY = "time_of_day"
    PLACE_TYPE = "place_type"
    DISPLACEMENT_STAGE = "displacement_stage"
    REPORTING_DELAY = "reporting_delay"
    DISPLACEMENT_STATUS = "displacement_status"
    DISABILITY = "disability"
    AGE_GROUP = "age_group"


class Level(Enum):
    INCIDENT = "incident"
    INCIDENT_SET = "incident_set"
    VICTIM = "victim"
    VICTIM_SET = "victim_set"


@dataclass(frozen=True)
class Dimension:
    name: DimensionName
    level: Level
    description: str
    no_value: str  # what the bucket of incidents without a value means
    vocabulary: tuple[str, ...] = ()  # every possible value, listed even when zero; () if open

    @property
    def incidents_in_several_groups(self) -> bool:
        return self.level is not Level.INCIDENT

    @property
    def victims_in_several_groups(self) -> bool:
        return self.level in (Level.INCIDENT_SET, Level.VICTIM_SET)

    @property
    def per_victim(self) -> bool:
        """Whether its values belong to victims, so it is counted by joining the victims."""
        return self.level in (Level.VICTIM, Level.VICTIM_SET)


def _values(enum_class: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum_class)


# Victims known only as children or adults have no band: they count in `unknown`.
BANDLESS = (AgeGroup.CHILD, AgeGroup.ADULT)
VICTIM_AGE_BANDS = tuple(group.value for group in AgeGroup if group not in BANDLESS)


DIMENSIONS: dict[DimensionName, Dimension] = {
    d.name: d
    for d in (
        Dimension(
            DimensionName.PERPETRATOR_CATEGORY,
            Level.INCIDENT_SET,
            "Category of the perpetrators; an incident with several counts in each.",
            "no perpetrator recorded",
            _values(PerpetratorCategory),
        ),
        Dimension(
            DimensionName.VICTIM_CATEGORY,
            Level.VICTIM,
            "Woman, girl, man, boy or unknown, from each victim's sex and age.",
            "no victim recorded",
            _values(VictimCategory),
        ),
        Dimension(
            DimensionName.VIOLATION,
            Level.INCIDENT_SET,
            "Form of sexual violence; an incident with several forms counts in each.",
            "no form recorded",
            _values(Violation),
        ),
        Dimension(
            DimensionName.VERIFICATION_STATUS,
            Level.INCIDENT,
            "Verification status of the incident.",
            "no status recorded",
            _values(VerificationStatus),
        ),
        Dimension(
            DimensionName.SOURCE,
            Level.INCIDENT,
            "Source that reported the incident.",
            "no source recorded",
            _values(Source),
        ),
        Dimension(
            DimensionName.ADMIN1, Level.INCIDENT, "Region (admin level 1).", "no region recorded"
        ),
        Dimension(
            DimensionName.YEAR, Level.INCIDENT, "Year the incident occurred.", "no year known"
        ),
        Dimension(
            DimensionName.MONTH,
            Level.INCIDENT,
            "Month the incident occurred (YYYY-MM).",
            "month not known (only the year is)",
        ),
        Dimension(
            DimensionName.QUARTER,
            Level.INCIDENT,
            "Quarter the incident occurred (YYYY-Qn, e.g. 2019-Q3).",
            "quarter not recorded (only the year is known)",
        ),
        Dimension(
            DimensionName.VERIFIED_IN_QUARTER,
            Level.INCIDENT,
            "Quarter the incident was verified (YYYY-Qn), from the day its verification concluded.",
            "not verified, or the day of verification not recorded",
        ),
        Dimension(
            DimensionName.VERIFICATION_TIMING,
            Level.INCIDENT,
            "Whether the verification concluded by the end of the quarter the incident was "
            "reported in (same_quarter) or after it (late).",
            "not verified, or the day of verification not recorded",
            _values(VerificationTiming),
        ),
        Dimension(
            DimensionName.ARMED_PARTY,
            Level.INCIDENT_SET,
            "Named armed party of the perpetrators; an incident with several counts in each.",
            "no named armed party recorded",
        ),
        Dimension(
            DimensionName.JUDICIAL_STAGE,
            Level.INCIDENT_SET,
            "Stage of the judicial cases concerning the incident; one before two courts counts "
            "in the stage of each.",
            "no judicial case recorded",
            _values(JudicialStage),
        ),
        Dimension(
            DimensionName.COURT,
            Level.INCIDENT_SET,
            "Court of the judicial cases concerning the incident.",
            "no judicial case recorded",
        ),
        Dimension(
            DimensionName.SERVICE_KIND,
            Level.VICTIM_SET,
            "Kind of service the victims were referred to (with measure=victims_served: the kind "
            "they received); a victim referred to several counts in each.",
            "no referral recorded (victims never referred, or no victim recorded)",
            _values(ServiceKind),
        ),
        Dimension(
            DimensionName.REFERRAL_STATUS,
            Level.VICTIM_SET,
            "Status of the victims' referrals; a victim with referrals in several statuses "
            "counts in each.",
            "no referral recorded (victims never referred, or no victim recorded)",
            _values(ReferralStatus),
        ),
        Dimension(
            DimensionName.COUNTRY,
            Level.INCIDENT,
            "Country of the incident (ISO 3166-1 alpha-2).",
            "no country recorded",
        ),
        Dimension(
            DimensionName.GBV_TYPE,
            Level.INCIDENT,
            "GBVIMS core incident type.",
            "no GBVIMS type recorded",
            _values(GbvType),
        ),
        Dimension(
            DimensionName.TIME_OF_DAY,
            Level.INCIDENT,
            "Time of day the incident took place.",
            "no time of day recorded",
            _values(TimeOfDay),
        ),
        Dimension(
            DimensionName.PLACE_TYPE,
            Level.INCIDENT,
            "Type of place where the incident took place.",
            "no type of place recorded",
            _values(PlaceType),
        ),
        Dimension(
            DimensionName.DISPLACEMENT_STAGE,
            Level.INCIDENT,
            "Stage of displacement at the time of the incident.",
            "no stage of displacement recorded",
            _values(DisplacementStage),
        ),
        Dimension(
            DimensionName.REPORTING_DELAY,
            Level.INCIDENT,
            "Days from the incident to its report, in GBVIMS bands (from the dates).",
            "delay not known: the incident's date is known only to the month or the year",
            _values(ReportingDelay),
        ),
        Dimension(
            DimensionName.DISPLACEMENT_STATUS,
            Level.VICTIM,
            "Each victim's displacement status at report.",
            "no victim recorded",
            _values(DisplacementStatus),
        ),
        Dimension(
            DimensionName.DISABILITY,
            Level.VICTIM,
            "Whether each victim has a disability (yes, no, unknown).",
            "no victim recorded",
            _values(Disability),
        ),
        Dimension(
            DimensionName.AGE_GROUP,
            Level.VICTIM,
            "Each victim's age band, from the age or the age group recorded; a victim known "
            "only to be a child or an adult is in `unknown` (their band is not known).",
            "no victim recorded",
            VICTIM_AGE_BANDS,
        ),
    )
}
# Incident-level dimensions read from the incident's column of the same name, which only the
# tables grouped by them need (the country is read for every table: the kept counts hold it).
INCIDENT_COLUMNS = frozenset(
    {
        DimensionName.GBV_TYPE,
        DimensionName.TIME_OF_DAY,
        DimensionName.PLACE_TYPE,
        DimensionName.DISPLACEMENT_STAGE,
        DimensionName.REPORTING_DELAY,
    }
)


def group_column(
    name: DimensionName, incidents: Subquery
) -> tuple[ColumnElement[object], Subquery | None]:
    """The SQL value of a dimension, and the (incident_id, value) subquery to LEFT JOIN if any.

    Set subqueries hold each (incident, value) once, so joining one never counts an incident
    twice within a group.
    """
    if name is DimensionName.YEAR:
        return extract("year", incidents.c.occurred_on), None
    if name is DimensionName.MONTH:
        # Months are numbered yyyymm so that both backends group and sort them the same way.
        month_number = extract("year", incidents.c.occurred_on) * 100 + extract(
            "month", incidents.c.occurred_on
        )
        return case((month_known(incidents.c.date_precision), month_number), else_=None), None
    if name is DimensionName.QUARTER:
        known = month_known(incidents.c.date_precision)
        return case((known, quarter_number(incidents.c.occurred_on)), else_=None), None
    if name is DimensionName.VERIFIED_IN_QUARTER:
        c = incidents.c
        known = verification_date_known(c.verification_status, c.verified_on)
        return case((known, quarter_number(c.verified_on)), else_=None), None
    if name is DimensionName.VERIFICATION_TIMING:
        c = incidents.c
        return verification_timing(c.verification_status, c.verified_on, c.reported_on), None
    if name in _SET_VALUES:
        values = _SET_VALUES[name]().subquery(name.value)
        return values.c.value, values
    return incidents.c[name.value], None


def format_value(name: DimensionName, value: object) -> str | int | None:
    if value is None:
        return None
    if name is DimensionName.MONTH:
        number = int(value)  # type: ignore[call-overload]
        return f"{number // 100:04d}-{number % 100:02d}"
    if name is DimensionName.YEAR:
        return int(value)  # type: ignore[call-overload]
    if name in (DimensionName.QUARTER, DimensionName.VERIFIED_IN_QUARTER):
        return format_quarter_number(value)
    return str(value.value if isinstance(value, Enum) else value)


_SET_VALUES = {
    DimensionName.PERPETRATOR_CATEGORY: lambda: select(
        Perpetrator.incident_id, Perpetrator.category.label("value")
    ).distinct(),
    DimensionName.VIOLATION: lambda: select(
        IncidentViolation.incident_id, IncidentViolation.violation.label("value")
    ),
    DimensionName.ARMED_PARTY: lambda: (
        select(Perpetrator.incident_id, ArmedParty.name.label("value"))
        .join(ArmedParty, ArmedParty.id == Perpetrator.armed_party_id)
        .distinct()
    ),
    DimensionName.JUDICIAL_STAGE: lambda: (
        select(CaseIncident.incident_id, JudicialCase.stage.label("value"))
        .join(JudicialCase, JudicialCase.id == CaseIncident.case_id)
        .distinct()
    ),
    DimensionName.COURT: lambda: (
        select(CaseIncident.incident_id, Court.name.label("value"))
        .join(JudicialCase, JudicialCase.id == CaseIncident.case_id)
        .join(Court, Court.id == JudicialCase.court_id)
        .distinct()
    ),
}


_VICTIM_COLUMNS: dict[DimensionName, ColumnElement[object]] = {
    DimensionName.VICTIM_CATEGORY: Victim.category,
    DimensionName.DISPLACEMENT_STATUS: Victim.displacement_status,
    DimensionName.DISABILITY: Victim.disability,
}


def victim_value(
    name: DimensionName, served_only: bool, referrals_counted: ColumnElement[bool]
) -> tuple[ColumnElement[object], Subquery | None]:
    """The SQL value of a per-victim dimension, and the (victim_id, value) subquery to LEFT JOIN
    onto the victims if any. Each (victim, value) is held once, so joining never counts a victim
    twice within a group; `served_only` keeps only the referrals whose service was provided, and
    only the referrals `referrals_counted` holds count (app/referrals/counting.py)."""
    if name in _VICTIM_COLUMNS:
        return _VICTIM_COLUMNS[name], None
    if name is DimensionName.AGE_GROUP:
        bandless = Victim.age_group.in_(BANDLESS)
        return case((bandless, literal(AgeGroup.UNKNOWN.value)), else_=Victim.age_group), None
    column = (
        Referral.service_kind if name is DimensionName.SERVICE_KIND else Referral.status
    ).label("value")
    pairs = select(Referral.victim_id, column).where(referrals_counted).distinct()
    if served_only:
        pairs = pairs.where(Referral.status == ReferralStatus.SERVICE_PROVIDED)
    values = pairs.subquery(name.value)
    return values.c.value, values

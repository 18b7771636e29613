"""Pure rules about incidents and victims: derived fields and cross-field checks.

Kept free of the database so that create, update and (later) batch import apply the same rules.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.core.domain_errors import FieldProblem
from app.incidents.schemas import IncidentFields, VictimCreate, field_values
from app.models.enums import AgeGroup, DatePrecision, Disability, Sex, VictimCategory
from app.models.gbvims import ChildSeparation, ReportingDelay

AGE_BANDS: tuple[tuple[int, AgeGroup], ...] = (
    # (upper bound inclusive, band), in order
    (11, AgeGroup.AGE_0_11),
    (17, AgeGroup.AGE_12_17),
    (25, AgeGroup.AGE_18_25),
    (40, AgeGroup.AGE_26_40),
    (60, AgeGroup.AGE_41_60),
    (120, AgeGroup.AGE_61_PLUS),
)
CHILD_GROUPS = frozenset({AgeGroup.AGE_0_11, AgeGroup.AGE_12_17, AgeGroup.CHILD})
ADULT_GROUPS = frozenset(
    {
        AgeGroup.AGE_18_25,
        AgeGroup.AGE_26_40,
        AgeGroup.AGE_41_60,
        AgeGroup.AGE_61_PLUS,
        AgeGroup.ADULT,
    }
)
CATEGORY_BY_SEX_AND_CHILDHOOD = {
    (Sex.FEMALE, True): VictimCategory.GIRL,
    (Sex.FEMALE, False): VictimCategory.WOMAN,
    (Sex.MALE, True): VictimCategory.BOY,
    (Sex.MALE, False): VictimCategory.MAN,
}
# Days from the incident to its report -> GBVIMS band, in order (upper bound inclusive); past
# the last, over a month.
DELAY_BANDS: tuple[tuple[int, ReportingDelay], ...] = (
    (3, ReportingDelay.DAYS_0_3),
    (5, ReportingDelay.DAYS_4_5),
    (14, ReportingDelay.DAYS_6_14),
    (30, ReportingDelay.WEEKS_2_MONTH_1),
)
# The furthest ahead of UTC any time zone runs: a report logged "today" in Kiribati is not future.
LATEST_UTC_OFFSET = timedelta(hours=14)


def age_group_for(age: int) -> AgeGroup:
    # A loop rather than next() over a generator: a fifth of the cost, for every victim written.
    for upper, band in AGE_BANDS:
        if age <= upper:
            return band
    raise ValueError(f"no age group for {age}")


def victim_age_group(victim: VictimCreate) -> AgeGroup | None:
    """The age group to store, or None when `age` and `age_group` contradict each other."""
    if victim.age is None:
        return victim.age_group or AgeGroup.UNKNOWN
    derived = age_group_for(victim.age)
    given = victim.age_group
    is_child = derived in CHILD_GROUPS
    compatible = (
        given in (None, derived, AgeGroup.UNKNOWN)
        or (given == AgeGroup.CHILD and is_child)
        or (given == AgeGroup.ADULT and not is_child)
    )
    return derived if compatible else None


def victim_category(sex: Sex, age_group: AgeGroup) -> VictimCategory:
    """Woman, girl, man or boy when both sex and childhood are known; otherwise unknown."""
    if age_group in CHILD_GROUPS:
        is_child = True
    elif age_group in ADULT_GROUPS:
        is_child = False
    else:
        return VictimCategory.UNKNOWN
    return CATEGORY_BY_SEX_AND_CHILDHOOD.get((sex, is_child), VictimCategory.UNKNOWN)


def reporting_delay(
    occurred_on: date, reported_on: date, precision: DatePrecision
) -> ReportingDelay | None:
    """The GBVIMS reporting delay band; None (unknown, never guessed) unless the day is known."""
    if precision != DatePrecision.DAY:
        return None
    days = (reported_on - occurred_on).days
    for upper, band in DELAY_BANDS:  # a loop rather than next() over a generator, as above
        if days <= upper:
            return band
    return ReportingDelay.OVER_1_MONTH


def victim_disability(victim: VictimCreate) -> Disability | None:
    """The disability answer to store: `yes` when only its kind was given; None when a kind is
    given with `no`."""
    if victim.disability_kind is None:
        return victim.disability
    if victim.disability == Disability.NO:
        return None
    return Disability.YES


def adult_said_separated(victim: VictimCreate, age_group: AgeGroup) -> bool:
    """Unaccompanied or separated is asked of children only: an adult cannot be either."""
    separated = victim.unaccompanied_separated in (
        ChildSeparation.UNACCOMPANIED,
        ChildSeparation.SEPARATED,
    )
    return separated and age_group in ADULT_GROUPS


def period_start(day: date, precision: DatePrecision) -> date:
    """The first day of the period a date stands for: its month or year when only that is known."""
    if precision == DatePrecision.YEAR:
        return day.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return day.replace(day=1)
    return day


def latest_allowed_date() -> date:
    return (datetime.now(UTC) + LATEST_UTC_OFFSET).date()


def incident_problems(fields: IncidentFields) -> list[FieldProblem]:
    """Checks that involve several fields of an incident."""
    problems: list[FieldProblem] = []
    latest = latest_allowed_date()
    occurred_start = period_start(fields.occurred_on, fields.date_precision)
    if occurred_start > latest:
        problems.append(FieldProblem(("body", "occurred_on"), "must not be in the future"))
    if fields.reported_on > latest:
        problems.append(FieldProblem(("body", "reported_on"), "must not be in the future"))
    if fields.reported_on < occurred_start:
        problems.append(
            FieldProblem(("body", "reported_on"), "must not be before the incident (occurred_on)")
        )
    if fields.pcode and not fields.pcode.startswith(fields.country):
        problems.append(
            FieldProblem(("body", "pcode"), "must begin with the incident's country code")
        )
    return problems


# The incident's own columns among its fields (its forms of violence are rows of their own); named
# rather than excluding the rest, as the fields may be those of an `IncidentCreate`.
COLUMN_FIELDS = tuple(name for name in IncidentFields.model_fields if name != "violations")


def column_values(fields: IncidentFields) -> dict[str, Any]:
    """The incident's own columns as stored: the date as its period's first day, and the delay."""
    values = field_values(fields, COLUMN_FIELDS)
    values["occurred_on"] = period_start(fields.occurred_on, fields.date_precision)
    values["reporting_delay"] = reporting_delay(
        values["occurred_on"], fields.reported_on, fields.date_precision
    )
    return values

"""Quarters as reports use them, and when a verification counts as late: the rules stated once.

A quarter is written `2019-Q3` (July to September 2019). An incident's quarter is known when its
date is known to the day or the month; one known only to the year has no quarter (it is never
guessed into one). A verification is **late** when the day it concluded (`verified_on`) falls
after the end of the quarter in which the incident was reported (`reported_on`), as in MRM
practice: "verified this quarter, of which N were reported in earlier quarters".

In SQL a quarter is numbered `year * 4 + (quarter - 1)`, so that quarters compare, group and sort
as numbers on both databases, and a late verification is simply a larger number than the report's.
"""

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator
from sqlalchemy import ColumnElement, and_, case, extract, or_

from app.core.dates import EARLIEST_DATE, LATEST_FILTER_DATE
from app.models.enums import DatePrecision, VerificationStatus

_QUARTER_CODE = re.compile(r"(\d{4})-Q([1-4])", re.IGNORECASE)


class VerificationTiming(StrEnum):
    """Whether a verification concluded by the end of the quarter the incident was reported in."""

    SAME_QUARTER = "same_quarter"
    LATE = "late"


def _quarter_code(value: str) -> str:
    match = _QUARTER_CODE.fullmatch(value.strip())
    if match is None:
        raise ValueError("must be a quarter written as 2019-Q3 (year, Q, quarter 1 to 4)")
    year = int(match.group(1))
    if not EARLIEST_DATE.year <= year <= LATEST_FILTER_DATE.year:
        raise ValueError("must be a quarter of a year from 1900 to 2100")
    return f"{year:04d}-Q{match.group(2)}"


# A quarter as a filter takes it: `2019-Q3` (`2019-q3` and spaces around are accepted).
QuarterCode = Annotated[str, AfterValidator(_quarter_code)]


def quarter_bounds(code: str) -> tuple[date, date]:
    """The first and last day of a quarter given as `2019-Q3`."""
    year, quarter = int(code[:4]), int(code[-1])
    first_month = 3 * (quarter - 1) + 1
    start = date(year, first_month, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def quarter_of(day: date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def quarter_number(day: Any) -> ColumnElement[Any]:
    """A date column's quarter as `year * 4 + (quarter - 1)`."""
    month = extract("month", day)
    within_year = case((month <= 3, 0), (month <= 6, 1), (month <= 9, 2), else_=3)
    return extract("year", day) * 4 + within_year


def format_quarter_number(number: object) -> str:
    """The number `quarter_number` gives, written as `2019-Q3`."""
    year, within_year = divmod(int(number), 4)  # type: ignore[call-overload]
    return f"{year:04d}-Q{within_year + 1}"


def month_known(date_precision: Any) -> ColumnElement[bool]:
    """Whether an incident's date says its month, hence its quarter: known to the day or the
    month, not only to the year."""
    return date_precision != DatePrecision.YEAR.value


def verification_date_known(status: Any, verified_on: Any) -> ColumnElement[bool]:
    """Verified, and the day it was verified recorded (not so for older or imported decisions)."""
    return and_(status == VerificationStatus.VERIFIED.value, verified_on.is_not(None))


def in_quarters(day: Any, codes: list[str]) -> ColumnElement[bool]:
    """A date column within any of these quarters: one range per run of consecutive quarters.

    A filter may repeat a quarter or list hundreds; one condition per quarter sent made an
    expression too deep for SQLite (past a thousand). Runs merged, there are at most 402 (every
    other quarter from 1900 to 2100), and each still reads an index on the column."""
    ranges: list[list[date]] = []
    for start, end in sorted(quarter_bounds(code) for code in set(codes)):
        if ranges and start.toordinal() <= ranges[-1][1].toordinal() + 1:
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([start, end])
    return or_(*(day.between(start, end) for start, end in ranges))


def verification_timing(
    status: Any, verified_on: Any, reported_on: Any
) -> ColumnElement[str | None]:
    """`late`, `same_quarter`, or NULL when not verified or the day of verification unknown."""
    return case(
        (~verification_date_known(status, verified_on), None),
        (
            quarter_number(verified_on) > quarter_number(reported_on),
            VerificationTiming.LATE.value,
        ),
        else_=VerificationTiming.SAME_QUARTER.value,
    )

"""The dates the service accepts: plausible ones, so no arithmetic on them can overflow.

- Dates of events (an incident, its report, a complaint, a judicial act) lie from 1900-01-01 to
  today (in the time zone furthest ahead of UTC); the upper bound is checked by the rules that
  know "today", the lower one here.
- Filters and periods lie from 1900-01-01 to 2100-12-31: wide enough for any real question,
  and far from the year 9999 where adding a day or a month overflows.
"""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import Field

EARLIEST_DATE = date(1900, 1, 1)
LATEST_FILTER_DATE = date(2100, 12, 31)

EventDate = Annotated[date, Field(ge=EARLIEST_DATE)]
FilterDate = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_FILTER_DATE)]
FilterDateTime = Annotated[
    datetime,
    Field(
        ge=datetime(1900, 1, 1, tzinfo=UTC),
        le=datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC),
    ),
]

"""The query and the answer of the drafted paragraphs."""

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.core.countries import normalise_country_code
from app.core.dates import EARLIEST_DATE, LATEST_FILTER_DATE, FilterDate

_PERIOD = re.compile(r"(\d{4})(?:-Q([1-4]))?", re.IGNORECASE)


class Language(StrEnum):
    EN = "en"
    FR = "fr"


def _period_code(value: str) -> str:
    match = _PERIOD.fullmatch(value.strip())
    if match is None:
        raise ValueError("must be a year (2019) or a quarter (2019-Q3)")
    year = int(match.group(1))
    if not EARLIEST_DATE.year <= year <= LATEST_FILTER_DATE.year:
        raise ValueError("must be a year from 1900 to 2100")
    return f"{year:04d}-Q{match.group(2)}" if match.group(2) else f"{year:04d}"


class ParagraphsQuery(BaseModel):
    """A period (`period`, or `occurred_from` and `occurred_to`), an optional country, and the
    language of the draft."""

    model_config = ConfigDict(extra="forbid")

    occurred_from: FilterDate | None = Field(
        default=None, description="First day of the period (with `occurred_to`, no `period`)."
    )
    occurred_to: FilterDate | None = Field(
        default=None,
        validate_default=True,
        description="Last day of the period (with `occurred_from`, no `period`).",
    )
    period: Annotated[str, AfterValidator(_period_code)] | None = Field(
        default=None,
        validate_default=True,
        description="A year (`2019`) or a quarter (`2019-Q3`). An incident known only to the "
        "year is in no quarter: it is never guessed into one.",
    )
    country: Annotated[str, AfterValidator(normalise_country_code)] | None = Field(
        default=None, description="Only this country's incidents, tables and service gaps."
    )
    lang: Language = Field(default=Language.EN, description="`en` or `fr`.")

    @field_validator("occurred_to")
    @classmethod
    def _dates_together(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("occurred_from")
        if start is not None and value is None:
            raise ValueError("is required with occurred_from")
        if value is not None and start is not None and start > value:
            raise ValueError("must not be before occurred_from")
        return value

    @field_validator("period")
    @classmethod
    def _one_period(cls, value: str | None, info: ValidationInfo) -> str | None:
        dates = info.data.get("occurred_from") or info.data.get("occurred_to")
        if value is not None and dates:
            raise ValueError("give either a period or occurred_from and occurred_to, not both")
        if value is None and not dates and "occurred_to" in info.data:
            raise ValueError("give a period (2019 or 2019-Q3), or occurred_from and occurred_to")
        return value


class Origin(StrEnum):
    RECORDS = "records"  # counted from incident records, as /stats counts them
    PARTNER_TABLE = "partner_table"  # a partner's aggregate table, never added to records
    JUDICIAL_CASES = "judicial_cases"  # your organisation's cases, as they stand today
    SERVICE_GAPS = "service_gaps"  # the service gaps report


class FigureLink(BaseModel):
    text: str = Field(
        description="The figure as the sentence writes it (`one`, `fewer than five`)."
    )
    value: int | float | str = Field(
        description="The figure as the linked query publishes it: a number, or `<5` / "
        "`suppressed` where it is withheld."
    )
    origin: Origin
    url: str = Field(description="The API query that gives the figure.")
    pointer: str = Field(
        description="Where the figure is in that query's answer (a JSON pointer, RFC 6901)."
    )
    counts_items: bool = Field(
        default=False,
        description="True when the figure is the number of items of the list at `pointer`.",
    )
    page_url: str | None = Field(
        default=None, description="The page of the web interface showing the same figure."
    )


class Segment(BaseModel):
    text: str
    figure: int | None = Field(
        default=None, description="Index in `figures` of the figure this piece of text writes."
    )


class Sentence(BaseModel):
    kind: str = Field(
        description="`verified`, `reported`, `partner_table`, `forms`, `judicial` or "
        "`service_gaps`."
    )
    text: str
    segments: list[Segment] = Field(description="The text, cut where each figure is written.")
    figures: list[FigureLink]


class Paragraph(BaseModel):
    key: str = Field(description="`violations` (figures) or `response` (justice and services).")
    text: str
    sentences: list[Sentence]


class Omitted(BaseModel):
    kind: str
    reason: str


class ParagraphsResult(BaseModel):
    language: Language
    period: dict[str, Any] = Field(description="The period drafted, as given and as written.")
    paragraphs: list[Paragraph]
    omitted: list[Omitted] = Field(description="Sentences not drafted, and why.")
    notes: list[str]

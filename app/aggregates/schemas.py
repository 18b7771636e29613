"""Request and response bodies for partners' aggregate tables."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from app.core.countries import normalise_country_code
from app.core.dates import FilterDate
from app.incidents.schemas import CountryCode, InputModel
from app.models.aggregate import AggregateDimension, AggregateMeasure
from app.models.enums import Source
from app.stats.schemas import Basis

MAX_CELLS = 2000
MAX_COUNT = 100_000_000  # far above any real table; keeps sums inside a database integer

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Place = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
CellCount = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
Note = Annotated[str, StringConstraints(max_length=5000)]


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _distinct(dimensions: list[AggregateDimension]) -> list[AggregateDimension]:
    if len(set(dimensions)) != len(dimensions):
        raise ValueError("must name two different dimensions")
    return dimensions


def _split_commas(value: Any) -> Any:
    """Accept `dimensions=a,b` as well as `dimensions=a&dimensions=b`."""
    items = value if isinstance(value, list) else [value]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


Dimensions = Annotated[list[AggregateDimension], Field(max_length=2), AfterValidator(_distinct)]


class TemplateQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dimensions: Annotated[Dimensions, BeforeValidator(_split_commas)] = Field(
        default=[], description="Zero, one or two dimensions, e.g. `perpetrator_category`."
    )


class CellIn(InputModel):
    labels: dict[str, Annotated[Label | None, BeforeValidator(_blank_is_none)]] = Field(
        default={},
        max_length=2,
        description="The partner's own label for each dimension of the table, e.g. "
        '`{"perpetrator_category": "Security forces"}`. A dimension left out, null or empty is '
        "the remainder with no category (unattributed); `*` is every value of the dimension "
        "(a margin of a two-dimension table).",
    )
    count: CellCount


class SubmissionFields(InputModel):
    partner_name: Name = Field(
        description="Who the table comes from, e.g. `GBVIMS Mali consolidated`."
    )
    source_kind: Source = Field(description="The kind of source, e.g. `gbvims`.")
    period_from: FilterDate
    period_to: FilterDate
    country: CountryCode
    admin1: Annotated[Place | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, description="The region the table covers; none for the whole country."
    )
    measure: AggregateMeasure = Field(description="What the cells count.")
    total: CellCount | None = Field(
        default=None,
        description="The table's total as the partner states it; the cells must then add up "
        "to it (or, along forms of violence, to at least it).",
    )
    note: Note | None = None

    @field_validator("period_to")
    @classmethod
    def _period_in_order(cls, period_to: date, info: Any) -> date:
        period_from = info.data.get("period_from")
        if period_from and period_to < period_from:
            raise ValueError("must not be before period_from")
        return period_to


class SubmissionCreate(SubmissionFields):
    dimensions: Dimensions = Field(
        default=[], description="Zero, one or two dimensions the table is broken down by."
    )
    cells: Annotated[list[CellIn], Field(min_length=1, max_length=MAX_CELLS)]


class SubmissionUpdate(InputModel):
    """The fields sent replace the stored ones; `cells` (with `dimensions` if they change)
    replaces the whole table."""

    partner_name: Name | None = None
    source_kind: Source | None = None
    period_from: FilterDate | None = None
    period_to: FilterDate | None = None
    country: CountryCode | None = None
    admin1: Annotated[Place | None, BeforeValidator(_blank_is_none)] = None
    measure: AggregateMeasure | None = None
    total: CellCount | None = None
    note: Note | None = None
    dimensions: Dimensions | None = None
    cells: Annotated[list[CellIn], Field(min_length=1, max_length=MAX_CELLS)] | None = None
    version: int | None = Field(default=None, description="Or send If-Match.")


def _form_digits(value: Any) -> Any:
    """A form sends every field as text: its digits are the whole number they write (anything
    else stays text and is refused as not a whole number)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return _blank_is_none(value)


class UploadFields(SubmissionFields):
    """What goes with an uploaded CSV (a form, of the API or of the page): the table's
    dimensions come from its header."""

    total: Annotated[CellCount | None, BeforeValidator(_form_digits)] = Field(
        default=None,
        description="The table's total as the partner states it (the file's `*` row may say it "
        "instead; both given, they must agree).",
    )


class CellRead(BaseModel):
    labels: dict[str, str | None] = Field(description="The partner's labels, as sent.")
    categories: dict[str, str | None] = Field(
        description="Ours for each label: a category code, `unmapped` for a label the mapping "
        "does not know (kept and shown as its own category), `*` for all values, or null for "
        "the unattributed remainder."
    )
    count: int


class SubmissionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_id: uuid.UUID
    partner_name: str
    source_kind: Source
    period_from: date
    period_to: date
    country: str
    admin1: str | None
    measure: AggregateMeasure
    dimensions: list[AggregateDimension]
    total: int | None
    cells_sum: int = Field(description="The sum of the inner cells (margins left out).")
    unattributed: int = Field(description="The sum of the cells with no category.")
    unmapped_labels: list[str] = Field(
        description="The partner's labels the mapping does not know: shown as `unmapped`."
    )
    cells: list[CellRead]
    note: str | None
    origin: str = Field(
        default="partner_table", description="Always a partner's aggregate table, not records."
    )
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    version: int


class SideBySideQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period_from: FilterDate | None = Field(
        default=None,
        description="Tables whose period starts on or after this day; records "
        "that occurred on or after it.",
    )
    period_to: FilterDate | None = Field(
        default=None,
        description="Tables whose period ends on or before this day; records "
        "that occurred on or before it.",
    )
    country: list[Annotated[str, AfterValidator(normalise_country_code)]] = []
    admin1: list[Place] = []
    source: list[Source] = Field(
        default=[],
        description="The kind of source, e.g. `gbvims`: partners' tables of that kind, and "
        "records from that source.",
    )
    measure: AggregateMeasure | None = Field(
        default=None, description="Only partners' tables counting this."
    )
    basis: Basis = Field(
        default=Basis.ALL_REPORTED, description="Which records: all reported or verified only."
    )
    group_by: AggregateDimension | None = Field(
        default=None, description="One dimension to break every figure down by."
    )

    @field_validator("period_to")
    @classmethod
    def _period_in_order(cls, period_to: date | None, info: Any) -> date | None:
        period_from = info.data.get("period_from")
        if period_to and period_from and period_to < period_from:
            raise ValueError("must not be before period_from")
        return period_to


class PartnerGroup(BaseModel):
    category: str | None = Field(
        description="Ours: a category code, `unmapped` (with the partner's label), or null for "
        "the unattributed remainder."
    )
    partner_labels: list[str] = Field(description="The partner's labels counted here.")
    count: int | str = Field(description="The count, or `<k` / `suppressed` when hidden.")
    origin: str = "partner_table"


class PartnerColumn(BaseModel):
    origin: str = Field(
        default="partner_table",
        description="Every figure of this column comes from a partner's aggregate table "
        "(a submission), not from records.",
    )
    label: str = Field(description="The column in a sentence, e.g. for a report.")
    submission_id: uuid.UUID | None = Field(
        description="Your organisation's submission; null for another organisation's."
    )
    own_organisation: bool
    partner_name: str
    source_kind: Source
    period_from: date
    period_to: date
    country: str
    admin1: str | None
    measure: AggregateMeasure
    dimensions: list[AggregateDimension]
    total: int | str | None = Field(
        description="As stated by the partner, else the sum of its cells where they are "
        "exclusive; null if neither tells."
    )
    total_stated: bool
    groups: list[PartnerGroup] | None = Field(
        description="By `group_by`, when the table is broken down by it."
    )
    exact: bool = Field(
        description="Your organisation's tables are exact; in another's, counts from 1 to k-1 "
        "are hidden (and one more where a single hidden count could be worked out)."
    )
    notes: list[str]


class RecordsGroup(BaseModel):
    category: str | int | None
    incidents: int | str
    victims: int | str
    origin: str = "records"


class RecordsColumn(BaseModel):
    origin: str = Field(
        default="records",
        description="Every figure of this column is counted from incident records, as "
        "`/stats` counts them (other organisations' data protected).",
    )
    label: str
    basis: Basis
    total_incidents: int | str
    total_victims: int | str
    groups: list[RecordsGroup] | None
    protected: bool = Field(description="Whether other organisations' data is in it, protected.")
    notes: list[str]


class OverlapNotice(BaseModel):
    submission_id: uuid.UUID | None
    partner_name: str
    period_from: date
    period_to: date
    country: str
    admin1: str | None
    notice: str


class SideBySideResult(BaseModel):
    group_by: AggregateDimension | None
    filters: dict[str, Any]
    partner_tables: list[PartnerColumn]
    records: RecordsColumn
    summary: str = Field(
        description='Each column in a sentence, side by side: "745 incidents reported through '
        'GBVIMS Mali consolidated (gbvims, aggregate table) | 25 incidents verified (records)".'
    )
    added_together: bool = Field(
        default=False, description="Always false: partners' tables and records are never summed."
    )
    overlaps: list[OverlapNotice] = Field(
        description="Partners' tables covering a period and area where your organisation has "
        "records too: the two may count the same cases, and are not added."
    )
    notes: list[str]

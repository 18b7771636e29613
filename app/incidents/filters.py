"""The incident filters shared by the list and by statistics, declared once, and the list's
own: its page, and the reference that names one incident (never a statistics filter)."""

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import ColumnElement, Exists, Select, exists, select

from app.core.countries import normalise_country_code
from app.core.dates import FilterDate
from app.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.counting.periods import QuarterCode, in_quarters, month_known, verification_date_known
from app.models import Incident, IncidentViolation, Perpetrator
from app.models.enums import PerpetratorCategory, Source, VerificationStatus, Violation


class IncidentFilters(BaseModel):
    """Repeat a parameter to match any of several values, e.g. `?source=gbvims&source=ngo`."""

    model_config = ConfigDict(extra="forbid")

    occurred_from: FilterDate | None = Field(
        default=None, description="Incidents whose (start) date is on or after this day."
    )
    occurred_to: FilterDate | None = Field(
        default=None, description="Incidents whose (start) date is on or before this day."
    )
    country: list[Annotated[str, AfterValidator(normalise_country_code)]] = []
    admin1: list[str] = []
    violation: list[Violation] = []
    source: list[Source] = []
    verification_status: list[VerificationStatus] = []
    perpetrator_category: list[PerpetratorCategory] = []
    armed_party_id: list[uuid.UUID] = []
    quarter: list[QuarterCode] = Field(
        default=[],
        description="Incidents that occurred in any of these quarters, e.g. `2019-Q3` (repeat "
        "for several: `quarter=2019-Q3&quarter=2019-Q4`). An incident known only to the year "
        "matches no quarter: its quarter is never guessed.",
    )
    verified_in_quarter: list[QuarterCode] = Field(
        default=[],
        description="Incidents verified in any of these quarters (the day `verified_on`), e.g. "
        "`2019-Q3`. Incidents not verified, or whose day of verification is not recorded, match "
        "none.",
    )

    @field_validator("occurred_to")
    @classmethod
    def _period_in_order(cls, occurred_to: date | None, info: ValidationInfo) -> date | None:
        occurred_from = info.data.get("occurred_from")
        if occurred_to and occurred_from and occurred_from > occurred_to:
            raise ValueError("must not be before occurred_from")
        return occurred_to

    def as_query_params(self, exclude: set[str] | None = None) -> dict[str, Any]:
        """Only the filters that are set, as a caller would have sent them."""
        return self.model_dump(mode="json", exclude_defaults=True, exclude=exclude)


def apply_incident_filters(
    query: Select[Any], filters: IncidentFilters, *, include_archived: bool = False
) -> Select[Any]:
    """Narrow a query over `Incident` to the incidents matching the filters.

    Archived incidents are left out unless asked for; statistics never ask.
    """
    if not include_archived:
        query = query.where(Incident.archived_at.is_(None))
    if filters.occurred_from:
        query = query.where(Incident.occurred_on >= filters.occurred_from)
    if filters.occurred_to:
        query = query.where(Incident.occurred_on <= filters.occurred_to)
    for column, values in (
        (Incident.country, filters.country),
        (Incident.admin1, filters.admin1),
        (Incident.source, filters.source),
        (Incident.verification_status, filters.verification_status),
    ):
        if values:
            query = query.where(column.in_(values))
    if filters.quarter:
        query = query.where(
            month_known(Incident.date_precision), in_quarters(Incident.occurred_on, filters.quarter)
        )
    if filters.verified_in_quarter:
        query = query.where(
            verification_date_known(Incident.verification_status, Incident.verified_on),
            in_quarters(Incident.verified_on, filters.verified_in_quarter),
        )
    if filters.violation:
        query = query.where(
            exists(
                select(IncidentViolation.incident_id).where(
                    IncidentViolation.incident_id == Incident.id,
                    IncidentViolation.violation.in_(filters.violation),
                )
            )
        )
    if filters.perpetrator_category:
        query = query.where(
            _has_perpetrator(Perpetrator.category.in_(filters.perpetrator_category))
        )
    if filters.armed_party_id:
        query = query.where(
            _has_perpetrator(Perpetrator.armed_party_id.in_(filters.armed_party_id))
        )
    return query


def _has_perpetrator(condition: ColumnElement[bool]) -> Exists:
    return exists(select(Perpetrator.id).where(Perpetrator.incident_id == Incident.id, condition))


# A reference as typed: surrounding spaces dropped, in capitals as every reference is written
# (country codes, organisation codes and digits).
TypedReference = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=64)
]


def with_reference(query: Select[Any], reference: str | None) -> Select[Any]:
    """Narrow a query over `Incident` to the incident with this whole reference, if one is given.

    Only the whole reference matches (its unique index finds it); a part of one finds nothing.
    The list's filter only: naming one record, it would let statistics single out an incident.
    """
    if reference is None:
        return query
    return query.where(Incident.reference == reference)


class IncidentListQuery(IncidentFilters):
    reference: TypedReference | None = Field(
        default=None,
        description="The incident with this reference, e.g. `ML-2019-MHRD-000123`, whatever its "
        "case and surrounding spaces. Only the whole reference matches, and only among the "
        "incidents you may read: another organisation's reference finds nothing.",
    )
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    include_archived: bool = False

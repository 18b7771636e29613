"""Partners' aggregate tables: consolidated, anonymous counts a partner shares instead of records
(the GBVIMS information-sharing protocol), kept beside the incident-level data, never in it.

A submission belongs to the organisation that recorded it (for itself, or on behalf of the named
partner). Its cells keep the partner's own labels as sent; what they mean in our vocabularies is
read from the mapping table (app/aggregates/mapping.py) each time, so correcting the mapping
corrects every table without touching what the partner sent.
"""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, str_enum, utcnow
from app.models.enums import Source


class AggregateDimension(StrEnum):
    """What a partner's table may be broken down by (zero, one or two of these)."""

    PERPETRATOR_CATEGORY = "perpetrator_category"
    VICTIM_CATEGORY = "victim_category"  # the survivor's sex and age group
    GBV_TYPE = "gbv_type"
    ADMIN1 = "admin1"
    VIOLATION = "violation"


class AggregateMeasure(StrEnum):
    """What a table counts."""

    INCIDENTS = "incidents"
    SURVIVORS = "survivors"


class AggregateSubmission(Base):
    __tablename__ = "aggregate_submissions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # The owner: it alone reads the table itself; others see it only through statistics.
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    partner_name: Mapped[str] = mapped_column(String(200))  # e.g. "GBVIMS Mali consolidated"
    source_kind: Mapped[Source] = mapped_column(str_enum(Source, "source_kind"), index=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    country: Mapped[str] = mapped_column(String(2), index=True)
    admin1: Mapped[str | None] = mapped_column(String(120))
    measure: Mapped[AggregateMeasure] = mapped_column(
        str_enum(AggregateMeasure, "aggregate_measure")
    )
    first_dimension: Mapped[AggregateDimension | None] = mapped_column(
        str_enum(AggregateDimension, "first_dimension")
    )
    second_dimension: Mapped[AggregateDimension | None] = mapped_column(
        str_enum(AggregateDimension, "second_dimension")
    )
    # The grand total as the partner states it, if it does; the cells must then add up to it.
    stated_total: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column()
    archive_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    cells: Mapped[list["AggregateCell"]] = relationship(
        cascade="all, delete-orphan", order_by="AggregateCell.position", lazy="selectin"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @property
    def dimensions(self) -> list[AggregateDimension]:
        return [d for d in (self.first_dimension, self.second_dimension) if d is not None]


class AggregateCell(Base):
    """One count of a partner's table, under the partner's own labels: NULL is the remainder
    with no category ("unattributed"), `*` all values of that dimension (a margin)."""

    __tablename__ = "aggregate_cells"

    submission_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("aggregate_submissions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_label: Mapped[str | None] = mapped_column(String(200))
    second_label: Mapped[str | None] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)

"""Courts, judicial cases, the incidents they concern, and every act and stage change."""

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, str_enum, utcnow
from app.models.enums import CaseEventKind, JudicialStage, Jurisdiction


class Court(Base):
    __tablename__ = "courts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    jurisdiction: Mapped[Jurisdiction] = mapped_column(str_enum(Jurisdiction, "jurisdiction"))
    country: Mapped[str | None] = mapped_column(String(2))
    place: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JudicialCase(Base):
    __tablename__ = "judicial_cases"
    __table_args__ = (CheckConstraint("accused_count >= 0", name="accused_count_positive"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    court_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courts.id", ondelete="RESTRICT"), index=True
    )
    docket_reference: Mapped[str | None] = mapped_column(String(120))
    stage: Mapped[JudicialStage] = mapped_column(str_enum(JudicialStage, "stage"), index=True)
    stage_since: Mapped[date] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date)  # the first date on record: nothing precedes it
    last_act_on: Mapped[date] = mapped_column(Date, index=True)
    charges: Mapped[list[str]] = mapped_column(JSON, default=list)
    accused_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    court: Mapped[Court] = relationship(lazy="joined")
    incident_links: Mapped[list["CaseIncident"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    events: Mapped[list["CaseEvent"]] = relationship(
        cascade="all, delete-orphan", order_by="CaseEvent.sequence", lazy="selectin"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @property
    def incident_ids(self) -> list[uuid.UUID]:
        return [link.incident_id for link in self.incident_links]

    @property
    def consent_overrides(self) -> list["CaseIncident"]:
        return [link for link in self.incident_links if link.consent_override_reason]


class CaseIncident(Base):
    """An incident a case concerns. One incident can be before several courts."""

    __tablename__ = "case_incidents"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("judicial_cases.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    # Set when the incident was linked although a victim had not consented to justice: why,
    # who decided and when (see app/judicial/consent.py).
    consent_override_reason: Mapped[str | None] = mapped_column(Text)
    consent_override_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    consent_override_at: Mapped[datetime | None]


class CaseEvent(Base):
    """A judicial act or a stage change, dated as it happened; kept for ever."""

    __tablename__ = "case_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("judicial_cases.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[CaseEventKind] = mapped_column(str_enum(CaseEventKind, "case_event_kind"))
    occurred_on: Mapped[date] = mapped_column(Date)
    from_stage: Mapped[JudicialStage | None] = mapped_column(str_enum(JudicialStage, "from_stage"))
    to_stage: Mapped[JudicialStage | None] = mapped_column(str_enum(JudicialStage, "to_stage"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

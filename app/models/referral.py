"""Survivor services: the directory of service points, and referrals of victims to them.

A service point holds no survivor data. A referral belongs to the organisation that made it
(as an incident does); its follow-up notes are encrypted like the incident summary, and every
change is kept as a numbered event (the referral's history).
"""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, str_enum, utcnow
from app.models.incident import Incident


class ServiceKind(StrEnum):
    """Kinds of service a survivor may be referred to (GBVIMS referral categories)."""

    HEALTH_MEDICAL = "health_medical"
    PSYCHOSOCIAL = "psychosocial"
    LEGAL_ASSISTANCE = "legal_assistance"
    SAFETY_SHELTER = "safety_shelter"
    POLICE_SECURITY = "police_security"
    LIVELIHOODS = "livelihoods"
    CHILD_PROTECTION = "child_protection"
    EDUCATION = "education"
    OTHER = "other"


class ReferralStatus(StrEnum):
    REFERRED = "referred"
    ACCEPTED = "accepted"
    SERVICE_PROVIDED = "service_provided"
    DECLINED_BY_SURVIVOR = "declined_by_survivor"
    SERVICE_UNAVAILABLE = "service_unavailable"
    NOT_APPLICABLE = "not_applicable"
    ALREADY_RECEIVED_FROM_ANOTHER_AGENCY = "already_received_from_another_agency"


class ServicePoint(Base):
    __tablename__ = "service_points"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    # The organisation that runs it: it alone edits the entry, and sees referrals made to it.
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    # Clinical management of rape: the health care of the 72-hour indicator.
    clinical_management_of_rape: Mapped[bool] = mapped_column(Boolean, default=False)
    country: Mapped[str] = mapped_column(String(2))
    admin1: Mapped[str | None] = mapped_column(String(120), index=True)
    admin2: Mapped[str | None] = mapped_column(String(120))
    pcode: Mapped[str | None] = mapped_column(String(20))
    operating: Mapped[bool] = mapped_column(Boolean, default=True)
    referral_contact: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    kind_rows: Mapped[list["ServicePointKind"]] = relationship(
        cascade="all, delete-orphan", order_by="ServicePointKind.kind", lazy="selectin"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @property
    def kinds(self) -> list[ServiceKind]:
        return [row.kind for row in self.kind_rows]


class ServicePointKind(Base):
    """One kind of service a point offers: a row per kind, so the directory filters by index."""

    __tablename__ = "service_point_kinds"

    service_point_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[ServiceKind] = mapped_column(
        str_enum(ServiceKind, "service_kind"), primary_key=True, index=True
    )


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Shown to the service point's organisation instead of anything about the survivor.
    code: Mapped[str] = mapped_column(String(24), unique=True)
    # RESTRICT: a survivor's service history is never erased by an edit of the incident.
    victim_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("victims.id", ondelete="RESTRICT"), index=True
    )
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="RESTRICT"), index=True
    )
    # The referring organisation: the owner, which alone sees the survivor and the notes.
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    service_kind: Mapped[ServiceKind] = mapped_column(str_enum(ServiceKind, "service_kind"))
    service_point_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT"), index=True
    )
    outside_name: Mapped[str | None] = mapped_column(String(200))  # not in the directory
    referred_on: Mapped[date] = mapped_column(Date)
    referred_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[ReferralStatus] = mapped_column(str_enum(ReferralStatus, "referral_status"))
    status_on: Mapped[date] = mapped_column(Date)  # the day the current status was reached
    next_follow_up_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    service_point: Mapped[ServicePoint | None] = relationship(lazy="joined")
    incident: Mapped[Incident] = relationship()
    events: Mapped[list["ReferralEvent"]] = relationship(
        cascade="all, delete-orphan", order_by="ReferralEvent.version", lazy="selectin"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class ReferralEvent(Base):
    """One change of a referral: a status reached on a day, a follow-up, an encrypted note."""

    __tablename__ = "referral_events"

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_status: Mapped[ReferralStatus | None] = mapped_column(
        str_enum(ReferralStatus, "from_status")
    )
    to_status: Mapped[ReferralStatus | None] = mapped_column(str_enum(ReferralStatus, "to_status"))
    status_on: Mapped[date | None] = mapped_column(Date)
    followed_up_on: Mapped[date | None] = mapped_column(Date)
    next_follow_up_on: Mapped[date | None] = mapped_column(Date)
    note_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Whether the change came from the service point's organisation rather than the owner.
    by_service_point: Mapped[bool] = mapped_column(Boolean, default=False)

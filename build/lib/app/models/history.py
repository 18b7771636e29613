"""Every version of an incident: who changed what, from which value to which.

Values are kept for the statistical fields only. Changes to identifying details (the summary, a
victim's identity) are recorded by name, never by value.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum, utcnow
from app.models.enums import VerificationStatus


class IncidentVersion(Base):
    __tablename__ = "incident_versions"

    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(30))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    changed_by_username: Mapped[str | None] = mapped_column(String(80))
    # {field: {"old": value, "new": value}}, or {field: {"changed": true}} for identifying fields
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)


class VerificationEvent(Base):
    """A verification decision: the status reached, the standard applied, the sources relied on."""

    __tablename__ = "verification_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    # Each CHECK constraint needs its own name within the table.
    from_status: Mapped[VerificationStatus | None] = mapped_column(
        str_enum(VerificationStatus, "from_status")
    )
    to_status: Mapped[VerificationStatus] = mapped_column(str_enum(VerificationStatus, "to_status"))
    standard: Mapped[str | None] = mapped_column(String(200))
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

"""Survivor identifying details and consent, kept apart from the statistical record.

Identifying details are stored encrypted and only ever decrypted for an adviser of the owning
organisation, in a request that writes an audit event.
"""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum, utcnow
from app.models.enums import ConsentKind


class VictimIdentity(Base):
    """Name, contact, exact address and identifying notes of a victim, encrypted as one value."""

    __tablename__ = "victim_identities"

    victim_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("victims.id", ondelete="CASCADE"), primary_key=True
    )
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class IncidentNarrative(Base):
    """The incident's free-text summary, which can identify a survivor: encrypted too."""

    __tablename__ = "incident_narratives"

    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VictimConsent(Base):
    """One informed-consent decision of a victim, with who recorded it and when."""

    __tablename__ = "victim_consents"

    victim_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("victims.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[ConsentKind] = mapped_column(
        str_enum(ConsentKind, "consent_kind"), primary_key=True
    )
    granted: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

"""The append-only, hash-chained audit trail."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    """Who did what to which record, when. Names the fields changed, never their values.

    Each event stores the hash of the one before it, so altering or deleting a row breaks the
    chain at that point (see `crsv-registry audit verify`).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_record", "record_type", "record_id"),
        Index("ix_audit_events_actor_user_id", "actor_user_id"),
        Index("ix_audit_events_at", "at"),
        # An organisation's own page of the trail, newest first (app/audit/listing.py).
        Index("ix_audit_events_actor_organisation_at", "actor_organisation_id", "at"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # No foreign keys: the trail must outlive the users and records it names.
    actor_user_id: Mapped[uuid.UUID | None]
    actor_username: Mapped[str | None] = mapped_column(String(80))
    actor_organisation_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(40), index=True)
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(64))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The end of the chain. Writers lock this single row, so events chain in commit order."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int | None] = mapped_column(EventId)
    last_hash: Mapped[str] = mapped_column(String(64))

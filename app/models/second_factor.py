"""Second factors (time-based one-time codes) and the organisations that require them."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class SecondFactor(Base):
    """A user's TOTP secret, encrypted like survivor data; it counts once confirmed with a code."""

    __tablename__ = "second_factors"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    # The 30-second step of the last code accepted: a code is good once (no replay).
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)


class SecondFactorPolicy(Base):
    """An organisation's rule: users whose roles read survivor identity must use a second factor."""

    __tablename__ = "second_factor_policies"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    required_for_identity_readers: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

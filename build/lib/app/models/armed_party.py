"""Named parties to the conflict (e.g. "Ansar Eddine"), referenced by perpetrators."""

import uuid
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum, utcnow
from app.models.enums import PerpetratorCategory


class ArmedParty(Base):
    __tablename__ = "armed_parties"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    # Case- and space-folded name: "Ansar  eddine" and "Ansar Eddine" are the same party.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    acronym: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[PerpetratorCategory] = mapped_column(
        str_enum(PerpetratorCategory, "perpetrator_category")
    )
    country: Mapped[str | None] = mapped_column(String(2))
    notes: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""An organisation's boundaries of one country's admin1 areas, for the choropleth map.

What is kept is not the file uploaded but what was read from it (app/region_maps/geojson.py):
each area's P-code, its name and its rings, rounded and simplified, as JSON. Nothing else from
the file (other properties, foreign members, CRS) is stored, so nothing in it is ever run,
fetched or shown but those three things.
"""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class RegionMap(Base):
    __tablename__ = "region_maps"
    __table_args__ = (UniqueConstraint("organisation_id", "country"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Another organisation's boundaries are never shown: each draws its own.
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    country: Mapped[str] = mapped_column(String(2))
    # The properties the areas were read from, as the uploader named them (e.g. ADM1_PCODE).
    code_property: Mapped[str] = mapped_column(String(100))
    name_property: Mapped[str | None] = mapped_column(String(100))
    areas: Mapped[str] = mapped_column(Text)  # JSON: [{"code", "name", "polygons"}]
    area_count: Mapped[int] = mapped_column(Integer)
    vertex_count: Mapped[int] = mapped_column(Integer)  # kept, after simplification
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

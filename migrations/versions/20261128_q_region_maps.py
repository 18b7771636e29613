"""Region maps: an organisation's admin1 boundaries of a country, read from an uploaded GeoJSON,
for the choropleth on the trends page. A new table only: no stored record changes.

Revision ID: q01
Revises: k01
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "q01"
down_revision: str | None = "k01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "region_maps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("code_property", sa.String(length=100), nullable=False),
        sa.Column("name_property", sa.String(length=100), nullable=True),
        sa.Column("areas", sa.Text(), nullable=False),
        sa.Column("area_count", sa.Integer(), nullable=False),
        sa.Column("vertex_count", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_region_maps_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_region_maps_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region_maps")),
        sa.UniqueConstraint(
            "organisation_id", "country", name=op.f("uq_region_maps_organisation_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("region_maps")

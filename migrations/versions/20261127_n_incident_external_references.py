"""Incidents' external references: the identifier an imported incident had in the system it came
from (the GBVIMS Incident Recorder's INCIDENT ID), unique within the owning organisation, so that
importing the same file twice creates nothing the second time. Nullable: incidents recorded in the
registry have none, and every stored record is kept as it is.

Revision ID: n01
Revises: i01
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n01"
down_revision: str | None = "q01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("external_reference", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            "uq_incidents_organisation_id",
            ["organisation_id", "external_reference"],
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_constraint("uq_incidents_organisation_id", type_="unique")
        batch.drop_column("external_reference")

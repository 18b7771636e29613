"""Victim counts kept on each incident, so statistics need not join victims.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(
            sa.Column("victim_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("shared_victim_count", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        """
        UPDATE incidents SET
          victim_count = (SELECT count(*) FROM victims v WHERE v.incident_id = incidents.id),
          shared_victim_count = (
            SELECT count(*) FROM victims v
            JOIN victim_consents c ON c.victim_id = v.id
             AND c.kind = 'statistics' AND c.granted
            WHERE v.incident_id = incidents.id)
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("shared_victim_count")
        batch.drop_column("victim_count")

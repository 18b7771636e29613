"""The day each incident was verified (`incidents.verified_on`), for statistics by quarter of
verification and late verifications. Every stored record is kept; only the new column is filled.

Backfill, from the verification decisions each incident keeps (`verification_events`): an
incident verified today gets the day (UTC) of its latest decision, when that decision moved it to
`verified` from another status. It stays NULL ("not recorded") when the history does not tell:
an incident entered already verified (its only decision is the status recorded at entry, which
says when it was entered, not when it was verified), and one verified before decisions were kept.
The version records (`incident_versions`) hold the same moments and add nothing to this.

Revision ID: j01
Revises: h01
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "j01"
down_revision: str | None = "h01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("verified_on", sa.Date(), nullable=True))
    decided_day = (
        "CAST(e.decided_at AT TIME ZONE 'UTC' AS DATE)"
        if op.get_bind().dialect.name == "postgresql"
        else "date(e.decided_at)"
    )
    op.execute(
        f"""
        UPDATE incidents SET verified_on = (
          SELECT CASE WHEN e.to_status = 'verified' AND e.from_status IS NOT NULL
                      THEN {decided_day} END
          FROM verification_events e
          WHERE e.incident_id = incidents.id
          ORDER BY e.decided_at DESC, e.id DESC
          LIMIT 1)
        WHERE verification_status = 'verified'
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("verified_on")

"""Idempotency keys for batches: what a batch created (each incident's id and reference, in the
batch's order), so a retried batch returns it instead of creating every incident again. Nullable:
keys of single creates keep their incident id, and every stored record is kept as it is.

Revision ID: s01
Revises: n01
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s01"
down_revision: str | None = "n01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.add_column(sa.Column("batch_created", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_column("batch_created")

"""Duplicate links between incidents, and idempotency keys for retried creates.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_idempotency_keys_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idempotency_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("duplicate_of_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("duplicate_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("duplicate_marked_by_id", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column("duplicate_marked_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_index(op.f("ix_incidents_duplicate_of_id"), ["duplicate_of_id"], unique=False)
        batch.create_foreign_key(
            op.f("fk_incidents_duplicate_of_id_incidents"),
            "incidents",
            ["duplicate_of_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_foreign_key(
            op.f("fk_incidents_duplicate_marked_by_id_users"),
            "users",
            ["duplicate_marked_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_constraint(op.f("fk_incidents_duplicate_marked_by_id_users"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_incidents_duplicate_of_id_incidents"), type_="foreignkey")
        batch.drop_index(op.f("ix_incidents_duplicate_of_id"))
        batch.drop_column("duplicate_marked_at")
        batch.drop_column("duplicate_marked_by_id")
        batch.drop_column("duplicate_reason")
        batch.drop_column("duplicate_of_id")
    op.drop_table("idempotency_keys")

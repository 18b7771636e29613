"""Partners' aggregate tables: a submission (its source, period, area, measure and dimensions)
and its cells under the partner's own labels. New tables only: no stored record changes.

Revision ID: k01
Revises: j01
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "k01"
down_revision: str | None = "m01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "aggregate_submissions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("partner_name", sa.String(length=200), nullable=False),
        sa.Column(
            "source_kind",
            sa.Enum(
                "gbvims",
                "mission_human_rights",
                "protection_adviser",
                "ngo",
                "media",
                "other",
                name="source_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("admin1", sa.String(length=120), nullable=True),
        sa.Column(
            "measure",
            sa.Enum(
                "incidents",
                "survivors",
                name="aggregate_measure",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "first_dimension",
            sa.Enum(
                "perpetrator_category",
                "victim_category",
                "gbv_type",
                "admin1",
                "violation",
                name="first_dimension",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "second_dimension",
            sa.Enum(
                "perpetrator_category",
                "victim_category",
                "gbv_type",
                "admin1",
                "violation",
                name="second_dimension",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("stated_total", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_aggregate_submissions_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_aggregate_submissions_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aggregate_submissions")),
    )
    with op.batch_alter_table("aggregate_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aggregate_submissions_country"), ["country"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_aggregate_submissions_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_aggregate_submissions_source_kind"), ["source_kind"], unique=False
        )

    op.create_table(
        "aggregate_cells",
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("first_label", sa.String(length=200), nullable=True),
        sa.Column("second_label", sa.String(length=200), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["aggregate_submissions.id"],
            name=op.f("fk_aggregate_cells_submission_id_aggregate_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", "position", name=op.f("pk_aggregate_cells")),
    )


def downgrade() -> None:
    op.drop_table("aggregate_cells")
    with op.batch_alter_table("aggregate_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aggregate_submissions_source_kind"))
        batch_op.drop_index(batch_op.f("ix_aggregate_submissions_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_aggregate_submissions_country"))

    op.drop_table("aggregate_submissions")

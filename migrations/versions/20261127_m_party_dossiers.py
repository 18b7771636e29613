"""Party dossiers for the annex: each organisation's pattern rule, and per armed party its annex
listings, commitments and sanctions. New tables only: every stored record is kept as it is.

Revision ID: m01
Revises: j01
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "m01"
down_revision: str | None = "i01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _party_record_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("armed_party_id", sa.Uuid(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _party_record_constraints(table: str) -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=f"fk_{table}_organisation_id_organisations",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["armed_party_id"],
            ["armed_parties.id"],
            name=f"fk_{table}_armed_party_id_armed_parties",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _party_record_indexes(table: str) -> None:
    for column in ("organisation_id", "armed_party_id"):
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "pattern_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("min_incidents_per_year", sa.Integer(), nullable=False),
        sa.Column("years_required", sa.Integer(), nullable=False),
        sa.Column("window_years", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("min_incidents_per_year >= 1", name="min_incidents_positive"),
        sa.CheckConstraint("years_required >= 1", name="years_required_positive"),
        sa.CheckConstraint("window_years >= years_required", name="window_holds_years"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_pattern_rules_organisation_id_organisations",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pattern_rules"),
        sa.UniqueConstraint("organisation_id", name="uq_pattern_rules_organisation_id"),
    )
    op.create_table(
        "party_listings",
        *_party_record_columns(),
        sa.Column("report_reference", sa.String(120), nullable=False),
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(1), nullable=False),
        sa.Column("delisted_on", sa.Date(), nullable=True),
        sa.CheckConstraint("section IN ('A', 'B')", name="annex_section"),
        *_party_record_constraints("party_listings"),
    )
    _party_record_indexes("party_listings")
    op.create_table(
        "party_commitments",
        *_party_record_columns(),
        sa.Column("kind", sa.String(21), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("text_reference", sa.String(200), nullable=False),
        sa.Column("implemented_percent", sa.Integer(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('joint_communique', 'unilateral_communique', 'action_plan', "
            "'code_of_conduct', 'other')",
            name="commitment_kind",
        ),
        sa.CheckConstraint(
            "implemented_percent >= 0 AND implemented_percent <= 100",
            name="percent_range",
        ),
        *_party_record_constraints("party_commitments"),
    )
    _party_record_indexes("party_commitments")
    op.create_table(
        "party_sanctions",
        *_party_record_columns(),
        sa.Column("regime", sa.String(200), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(120), nullable=False),
        sa.Column("delisted_on", sa.Date(), nullable=True),
        *_party_record_constraints("party_sanctions"),
    )
    _party_record_indexes("party_sanctions")


def downgrade() -> None:
    for table in ("party_sanctions", "party_commitments", "party_listings"):
        op.drop_table(table)
    op.drop_table("pattern_rules")

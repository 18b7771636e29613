"""Courts, judicial cases, the incidents they concern, and their acts and stage changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "courts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "jurisdiction",
            sa.Enum(
                "national",
                "military",
                "international",
                "hybrid",
                name="jurisdiction",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("place", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courts")),
        sa.UniqueConstraint("name", name=op.f("uq_courts_name")),
    )
    op.create_table(
        "judicial_cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("court_id", sa.Uuid(), nullable=False),
        sa.Column("docket_reference", sa.String(length=120), nullable=True),
        sa.Column(
            "stage",
            sa.Enum(
                "no_complaint",
                "complaint_filed",
                "preliminary_investigation",
                "judicial_investigation",
                "committed_for_trial",
                "trial",
                "verdict",
                "appeal",
                "convicted",
                "acquitted",
                "dismissed",
                "closed_without_action",
                "withdrawn",
                name="stage",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("stage_since", sa.Date(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("last_act_on", sa.Date(), nullable=False),
        sa.Column("charges", sa.JSON(), nullable=False),
        sa.Column("accused_count", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "accused_count >= 0", name=op.f("ck_judicial_cases_accused_count_positive")
        ),
        sa.ForeignKeyConstraint(
            ["court_id"],
            ["courts.id"],
            name=op.f("fk_judicial_cases_court_id_courts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_judicial_cases_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_judicial_cases_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judicial_cases")),
    )
    op.create_index(
        op.f("ix_judicial_cases_court_id"), "judicial_cases", ["court_id"], unique=False
    )
    op.create_index(
        op.f("ix_judicial_cases_last_act_on"), "judicial_cases", ["last_act_on"], unique=False
    )
    op.create_index(
        op.f("ix_judicial_cases_organisation_id"),
        "judicial_cases",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(op.f("ix_judicial_cases_stage"), "judicial_cases", ["stage"], unique=False)
    op.create_table(
        "case_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "act",
                "stage_change",
                "correction",
                name="case_event_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column(
            "from_stage",
            sa.Enum(
                "no_complaint",
                "complaint_filed",
                "preliminary_investigation",
                "judicial_investigation",
                "committed_for_trial",
                "trial",
                "verdict",
                "appeal",
                "convicted",
                "acquitted",
                "dismissed",
                "closed_without_action",
                "withdrawn",
                name="from_stage",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "no_complaint",
                "complaint_filed",
                "preliminary_investigation",
                "judicial_investigation",
                "committed_for_trial",
                "trial",
                "verdict",
                "appeal",
                "convicted",
                "acquitted",
                "dismissed",
                "closed_without_action",
                "withdrawn",
                name="to_stage",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["judicial_cases.id"],
            name=op.f("fk_case_events_case_id_judicial_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_case_events_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)
    op.create_table(
        "case_incidents",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["judicial_cases.id"],
            name=op.f("fk_case_incidents_case_id_judicial_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_case_incidents_incident_id_incidents"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("case_id", "incident_id", name=op.f("pk_case_incidents")),
    )
    op.create_index(
        op.f("ix_case_incidents_incident_id"), "case_incidents", ["incident_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_case_incidents_incident_id"), table_name="case_incidents")
    op.drop_table("case_incidents")
    op.drop_index(op.f("ix_case_events_case_id"), table_name="case_events")
    op.drop_table("case_events")
    op.drop_index(op.f("ix_judicial_cases_stage"), table_name="judicial_cases")
    op.drop_index(op.f("ix_judicial_cases_organisation_id"), table_name="judicial_cases")
    op.drop_index(op.f("ix_judicial_cases_last_act_on"), table_name="judicial_cases")
    op.drop_index(op.f("ix_judicial_cases_court_id"), table_name="judicial_cases")
    op.drop_table("judicial_cases")
    op.drop_table("courts")

"""Survivor services: the directory of service points (with the kinds each offers), referrals of
victims to them, and each referral's numbered events (status moves, follow-ups, encrypted notes).
New tables only: no stored record changes.

Revision ID: h01
Revises: e01
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "h01"
down_revision: str | None = "e01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_points",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("clinical_management_of_rape", sa.Boolean(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("admin1", sa.String(length=120), nullable=True),
        sa.Column("admin2", sa.String(length=120), nullable=True),
        sa.Column("pcode", sa.String(length=20), nullable=True),
        sa.Column("operating", sa.Boolean(), nullable=False),
        sa.Column("referral_contact", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_service_points_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_points")),
    )
    with op.batch_alter_table("service_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_points_admin1"), ["admin1"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_service_points_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "service_point_kinds",
        sa.Column("service_point_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "health_medical",
                "psychosocial",
                "legal_assistance",
                "safety_shelter",
                "police_security",
                "livelihoods",
                "child_protection",
                "education",
                "other",
                name="service_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_service_point_kinds_service_point_id_service_points"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_point_id", "kind", name=op.f("pk_service_point_kinds")),
    )
    with op.batch_alter_table("service_point_kinds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_point_kinds_kind"), ["kind"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("victim_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "service_kind",
            sa.Enum(
                "health_medical",
                "psychosocial",
                "legal_assistance",
                "safety_shelter",
                "police_security",
                "livelihoods",
                "child_protection",
                "education",
                "other",
                name="service_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("service_point_id", sa.Uuid(), nullable=True),
        sa.Column("outside_name", sa.String(length=200), nullable=True),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("referred_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "referred",
                "accepted",
                "service_provided",
                "declined_by_survivor",
                "service_unavailable",
                "not_applicable",
                "already_received_from_another_agency",
                name="referral_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column("next_follow_up_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_referrals_incident_id_incidents"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_referrals_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["referred_by_id"],
            ["users.id"],
            name=op.f("fk_referrals_referred_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_point_id"],
            ["service_points.id"],
            name=op.f("fk_referrals_service_point_id_service_points"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"],
            ["victims.id"],
            name=op.f("fk_referrals_victim_id_victims"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("code", name=op.f("uq_referrals_code")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_referrals_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referrals_service_point_id"), ["service_point_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referrals_victim_id"), ["victim_id"], unique=False)

    op.create_table(
        "referral_events",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "referred",
                "accepted",
                "service_provided",
                "declined_by_survivor",
                "service_unavailable",
                "not_applicable",
                "already_received_from_another_agency",
                name="from_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "referred",
                "accepted",
                "service_provided",
                "declined_by_survivor",
                "service_unavailable",
                "not_applicable",
                "already_received_from_another_agency",
                name="to_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("status_on", sa.Date(), nullable=True),
        sa.Column("followed_up_on", sa.Date(), nullable=True),
        sa.Column("next_follow_up_on", sa.Date(), nullable=True),
        sa.Column("note_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("by_service_point", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_referral_events_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_events_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("referral_id", "version", name=op.f("pk_referral_events")),
    )


def downgrade() -> None:
    op.drop_table("referral_events")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_victim_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_service_point_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_incident_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("service_point_kinds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_point_kinds_kind"))

    op.drop_table("service_point_kinds")
    with op.batch_alter_table("service_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_points_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_service_points_admin1"))

    op.drop_table("service_points")

"""Incident registry: incidents, forms of violence, victims, perpetrators, armed parties.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "armed_parties",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("acronym", sa.String(length=40), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "non_state_armed_group",
                "state_security_forces",
                "unidentified_armed_element",
                "international_forces",
                "civilian",
                "other",
                name="perpetrator_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_armed_parties")),
        sa.UniqueConstraint("name_key", name=op.f("uq_armed_parties_name_key")),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column(
            "date_precision",
            sa.Enum(
                "day",
                "month",
                "year",
                name="date_precision",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("admin1", sa.String(length=120), nullable=True),
        sa.Column("admin2", sa.String(length=120), nullable=True),
        sa.Column("admin3", sa.String(length=120), nullable=True),
        sa.Column("pcode", sa.String(length=20), nullable=True),
        sa.Column(
            "gbv_type",
            sa.Enum(
                "rape",
                "sexual_assault",
                "physical_assault",
                "forced_marriage",
                "denial_of_resources",
                "psychological_abuse",
                name="gbv_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "gbvims",
                "mission_human_rights",
                "protection_adviser",
                "ngo",
                "media",
                "other",
                name="source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "verification_status",
            sa.Enum(
                "reported",
                "pending_verification",
                "verified",
                "not_verified",
                "discarded",
                name="verification_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archive_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("reference", name=op.f("uq_incidents_reference")),
    )
    op.create_index(op.f("ix_incidents_admin1"), "incidents", ["admin1"], unique=False)
    op.create_index(op.f("ix_incidents_archived_at"), "incidents", ["archived_at"], unique=False)
    op.create_index(
        "ix_incidents_country_occurred_on", "incidents", ["country", "occurred_on"], unique=False
    )
    op.create_index("ix_incidents_occurred_on_id", "incidents", ["occurred_on", "id"], unique=False)
    op.create_index(op.f("ix_incidents_source"), "incidents", ["source"], unique=False)
    op.create_index(
        op.f("ix_incidents_verification_status"), "incidents", ["verification_status"], unique=False
    )
    op.create_table(
        "reference_counters",
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "incident_violations",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column(
            "violation",
            sa.Enum(
                "rape",
                "attempted_rape",
                "sexual_slavery",
                "forced_prostitution",
                "forced_pregnancy",
                "forced_abortion",
                "enforced_sterilization",
                "forced_marriage",
                "sexual_mutilation",
                "trafficking_sexual_exploitation",
                "other_sexual_violence",
                name="violation",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_violations_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "violation", name=op.f("pk_incident_violations")),
    )
    op.create_index(
        op.f("ix_incident_violations_violation"), "incident_violations", ["violation"], unique=False
    )
    op.create_table(
        "perpetrators",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "non_state_armed_group",
                "state_security_forces",
                "unidentified_armed_element",
                "international_forces",
                "civilian",
                "other",
                name="perpetrator_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("armed_party_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["armed_party_id"],
            ["armed_parties.id"],
            name=op.f("fk_perpetrators_armed_party_id_armed_parties"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_perpetrators_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_perpetrators")),
    )
    op.create_index(
        op.f("ix_perpetrators_armed_party_id"), "perpetrators", ["armed_party_id"], unique=False
    )
    op.create_index(op.f("ix_perpetrators_category"), "perpetrators", ["category"], unique=False)
    op.create_index(
        op.f("ix_perpetrators_incident_id"), "perpetrators", ["incident_id"], unique=False
    )
    op.create_table(
        "victims",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column(
            "sex",
            sa.Enum(
                "female", "male", "unknown", name="sex", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("age", sa.SmallInteger(), nullable=True),
        sa.Column(
            "age_group",
            sa.Enum(
                "0-11",
                "12-17",
                "18-25",
                "26-40",
                "41-60",
                "61+",
                "child",
                "adult",
                "unknown",
                name="age_group",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "woman",
                "girl",
                "man",
                "boy",
                "unknown",
                name="victim_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "displacement_status",
            sa.Enum(
                "idp",
                "refugee",
                "returnee",
                "host_community",
                "unknown",
                name="displacement_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "disability",
            sa.Enum(
                "yes", "no", "unknown", name="disability", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.CheckConstraint("age >= 0 AND age <= 120", name=op.f("ck_victims_age_range")),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_victims_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victims")),
    )
    op.create_index(op.f("ix_victims_category"), "victims", ["category"], unique=False)
    op.create_index(op.f("ix_victims_incident_id"), "victims", ["incident_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_victims_incident_id"), table_name="victims")
    op.drop_index(op.f("ix_victims_category"), table_name="victims")
    op.drop_table("victims")
    op.drop_index(op.f("ix_perpetrators_incident_id"), table_name="perpetrators")
    op.drop_index(op.f("ix_perpetrators_category"), table_name="perpetrators")
    op.drop_index(op.f("ix_perpetrators_armed_party_id"), table_name="perpetrators")
    op.drop_table("perpetrators")
    op.drop_index(op.f("ix_incident_violations_violation"), table_name="incident_violations")
    op.drop_table("incident_violations")
    op.drop_table("reference_counters")
    op.drop_index(op.f("ix_incidents_verification_status"), table_name="incidents")
    op.drop_index(op.f("ix_incidents_source"), table_name="incidents")
    op.drop_index("ix_incidents_occurred_on_id", table_name="incidents")
    op.drop_index("ix_incidents_country_occurred_on", table_name="incidents")
    op.drop_index(op.f("ix_incidents_archived_at"), table_name="incidents")
    op.drop_index(op.f("ix_incidents_admin1"), table_name="incidents")
    op.drop_table("incidents")
    op.drop_table("armed_parties")

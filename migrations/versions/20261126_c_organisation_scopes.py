"""Organisations keep to themselves: the system role, per-organisation references.

`system_admin` (granted only by the command line) creates organisations and their first admin
and keeps the shared court registry; the role CHECK constraint learns the new value.

Each organisation gets a reference code (its name's initials, numbered if two share them) for
the references of the incidents it records from now on (ML-2019-MHRD-000001). Stored references
(ML-2019-000001) and their counters are kept as they are: three parts, never four, so old and new
references cannot collide.

Each organisation reads its own part of the audit trail: an index finds its events newest first.

An incident linked to a judicial case although a victim had not consented to justice keeps on
its link why, who decided and when.

Revision ID: c01
Revises: 0012
Create Date: 2026-11-26
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c01"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("protection_adviser", "report_writer", "judicial_tracker", "admin")
SYSTEM_ROLE = "system_admin"


def _allow_roles(roles: Sequence[str]) -> None:
    allowed = ", ".join(f"'{role}'" for role in roles)
    with op.batch_alter_table("user_roles", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_user_roles_role"), type_="check")
        batch.create_check_constraint(op.f("ck_user_roles_role"), f"role IN ({allowed})")


def _initials(name: str) -> str:
    """As app.users.codes.initials, copied so that this revision never changes."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    letters = [next((c for c in word if c.isalnum()), "") for word in folded.split()]
    code = "".join(letters).upper()[:6]
    if len(code) < 2:
        code = "".join(c for c in folded if c.isalnum()).upper()[:6]
    return code if len(code) >= 2 else "ORG"


def _give_organisations_codes() -> None:
    connection = op.get_bind()
    organisations = connection.execute(
        sa.text("SELECT id, name FROM organisations ORDER BY created_at, name")
    ).all()
    taken: set[str] = set()
    for organisation_id, name in organisations:
        base = candidate = _initials(name)
        number = 1
        while candidate in taken:
            number += 1
            candidate = f"{base[: 8 - len(str(number))]}{number}"
        taken.add(candidate)
        connection.execute(
            sa.text("UPDATE organisations SET reference_code = :code WHERE id = :id"),
            {"code": candidate, "id": organisation_id},
        )


def upgrade() -> None:
    _allow_roles((*ROLES, SYSTEM_ROLE))
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("reference_code", sa.String(length=8), nullable=True))
    _give_organisations_codes()
    with op.batch_alter_table("organisations") as batch:
        batch.alter_column("reference_code", existing_type=sa.String(length=8), nullable=False)
        batch.create_unique_constraint(op.f("uq_organisations_reference_code"), ["reference_code"])
    op.create_index(
        "ix_audit_events_actor_organisation_at",
        "audit_events",
        ["actor_organisation_id", "at"],
        unique=False,
    )
    with op.batch_alter_table("case_incidents") as batch:
        batch.add_column(sa.Column("consent_override_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("consent_override_by_id", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column("consent_override_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_foreign_key(
            op.f("fk_case_incidents_consent_override_by_id_users"),
            "users",
            ["consent_override_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    op.drop_index("ix_audit_events_actor_organisation_at", table_name="audit_events")
    with op.batch_alter_table("case_incidents") as batch:
        batch.drop_constraint(
            op.f("fk_case_incidents_consent_override_by_id_users"), type_="foreignkey"
        )
        batch.drop_column("consent_override_at")
        batch.drop_column("consent_override_by_id")
        batch.drop_column("consent_override_reason")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_constraint(op.f("uq_organisations_reference_code"), type_="unique")
        batch.drop_column("reference_code")
    # The system role cannot be expressed before this revision: its holders lose it.
    op.execute(f"DELETE FROM user_roles WHERE role = '{SYSTEM_ROLE}'")
    _allow_roles(ROLES)

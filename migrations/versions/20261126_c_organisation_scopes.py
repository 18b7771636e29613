"""Organisations keep to themselves: the system role.

`system_admin` (granted only by the command line) creates organisations and their first admin
and keeps the shared court registry; the role CHECK constraint learns the new value.

Revision ID: c01
Revises: 0012
Create Date: 2026-11-26
"""

from collections.abc import Sequence

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


def upgrade() -> None:
    _allow_roles((*ROLES, SYSTEM_ROLE))


def downgrade() -> None:
    # The system role cannot be expressed before this revision: its holders lose it.
    op.execute(f"DELETE FROM user_roles WHERE role = '{SYSTEM_ROLE}'")
    _allow_roles(ROLES)

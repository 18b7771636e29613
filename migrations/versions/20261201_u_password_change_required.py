"""Accounts whose password was chosen by someone else must change it before anything else.

An admin (or the system role, for an organisation's first admin) who creates an account or
resets its password knows that password: until the account's holder replaces it, whoever set it
could sign in as them, and through an adviser's account read survivors' identities.
`users.password_change_required` says the password is not yet the holder's own.

Accounts already stored are marked from the audit trail: one whose password was last set by
another account (`user.create` or a `user.update` of `password` by someone else, with no
`user.password_change` of their own since) must change it. Accounts made on the server's
command line have no actor, and are not marked. No row is removed.

Revision ID: u01
Revises: t01
Create Date: 2026-12-01
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "u01"
down_revision: str | None = "t01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PASSWORD_EVENTS = ("user.create", "user.update", "user.password_change")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "password_change_required", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    connection = op.get_bind()
    marked = _set_by_someone_else(connection)
    users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("password_change_required"))
    for user_id in marked:
        connection.execute(
            users.update().where(users.c.id == user_id).values(password_change_required=True)
        )


def _set_by_someone_else(connection: sa.Connection) -> list[uuid.UUID]:
    """The accounts whose password was last set, by the audit trail, by another account."""
    events = sa.table(
        "audit_events",
        sa.column("id", sa.BigInteger()),
        sa.column("actor_user_id", sa.Uuid()),
        sa.column("action", sa.String()),
        sa.column("record_type", sa.String()),
        sa.column("record_id", sa.String()),
        sa.column("fields", sa.JSON()),
    )
    rows = connection.execute(
        sa.select(events.c.actor_user_id, events.c.action, events.c.record_id, events.c.fields)
        .where(events.c.record_type == "user", events.c.action.in_(PASSWORD_EVENTS))
        .order_by(events.c.id)
    )
    by_other: dict[uuid.UUID, bool] = {}
    for actor, action, record_id, fields in rows:
        try:
            user_id = uuid.UUID(str(record_id))
        except ValueError:
            continue
        if action == "user.update" and "password" not in (fields or []):
            continue
        by_other[user_id] = action != "user.password_change" and actor not in (None, user_id)
    return [user_id for user_id, other in by_other.items() if other]


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_change_required")

"""The audit chain's head only moves forward, neither audit table can be truncated; second factors.

Row triggers do not fire on TRUNCATE, so PostgreSQL gets statement triggers refusing it (SQLite
has no TRUNCATE: its `DELETE` without `WHERE` runs the row triggers). The head may be inserted
only for an empty chain, never deleted, and updated only to the newest event, whose id is above
the old one and whose hash it copies: `audit_head` cannot be moved back over deleted events.

The existing chain is sealed under the audit key by `crsv-registry migrate` (and `serve`) after
this revision: the key lives outside the database, so a migration cannot hold it.

Second factors: `second_factors` (a user's encrypted TOTP secret) and `second_factor_policies`
(an organisation requiring one of users who read survivor identity). New tables only.

Revision ID: d01
Revises: c01
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d01"
down_revision: str | None = "c01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRUNCATED = "audit tables cannot be truncated"
HEAD_MESSAGE = "audit_head only moves forward, to the newest event"

# When a new head row is wrong: only for an empty chain, at the chain's start.
BAD_INSERT = "NEW.last_event_id IS NOT NULL OR EXISTS (SELECT 1 FROM audit_events)"
# When a head update is wrong: backwards, sideways, or not onto the newest event.
BAD_UPDATE = (
    "NEW.id <> OLD.id OR NEW.last_event_id IS NULL"
    " OR (OLD.last_event_id IS NOT NULL AND NEW.last_event_id <= OLD.last_event_id)"
    " OR NOT EXISTS (SELECT 1 FROM audit_events"
    " WHERE id = NEW.last_event_id AND hash = NEW.last_hash)"
    " OR EXISTS (SELECT 1 FROM audit_events WHERE id > NEW.last_event_id)"
)


def upgrade() -> None:
    _create_second_factor_tables()
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
        return
    op.execute(
        f"CREATE TRIGGER audit_head_insert_at_start BEFORE INSERT ON audit_head"
        f" WHEN {BAD_INSERT} BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END"
    )
    op.execute(
        f"CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head"
        f" WHEN {BAD_UPDATE} BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END"
    )
    op.execute(
        f"CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head"
        f" BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END"
    )


def _create_second_factor_tables() -> None:
    op.create_table(
        "second_factors",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("secret_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_step", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_second_factors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_second_factors")),
    )
    op.create_table(
        "second_factor_policies",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("required_for_identity_readers", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_second_factor_policies_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_second_factor_policies")),
    )


def _upgrade_postgresql() -> None:
    op.execute(
        f"""
        CREATE FUNCTION audit_no_truncate() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION '{TRUNCATED}';
        END
        $$ LANGUAGE plpgsql
        """
    )
    for table in ("audit_events", "audit_head"):
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate()"
        )
    op.execute(
        f"""
        CREATE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'DELETE'
             OR (TG_OP = 'INSERT' AND ({BAD_INSERT}))
             OR (TG_OP = 'UPDATE' AND ({BAD_UPDATE})) THEN
            RAISE EXCEPTION '{HEAD_MESSAGE}';
          END IF;
          RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER audit_head_forward_only BEFORE INSERT OR UPDATE OR DELETE ON audit_head"
        " FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()"
    )


def downgrade() -> None:
    op.drop_table("second_factor_policies")
    op.drop_table("second_factors")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_head_forward_only ON audit_head")
        op.execute("DROP FUNCTION audit_head_forward_only()")
        for table in ("audit_events", "audit_head"):
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION audit_no_truncate()")
        return
    for name in ("audit_head_insert_at_start", "audit_head_forward_only", "audit_head_no_delete"):
        op.execute(f"DROP TRIGGER {name}")

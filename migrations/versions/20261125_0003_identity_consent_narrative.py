"""Survivor identity and incident narratives encrypted in their own tables; consent per victim.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.core.config import get_settings
from app.core.crypto import FieldCipher, load_cipher

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident_narratives",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_narratives_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_narratives")),
    )
    op.create_table(
        "victim_consents",
        sa.Column("victim_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "statistics",
                "referral",
                "justice",
                name="consent_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_victim_consents_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"],
            ["victims.id"],
            name=op.f("fk_victim_consents_victim_id_victims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("victim_id", "kind", name=op.f("pk_victim_consents")),
    )
    op.create_table(
        "victim_identities",
        sa.Column("victim_id", sa.Uuid(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_victim_identities_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"],
            ["victims.id"],
            name=op.f("fk_victim_identities_victim_id_victims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("victim_id", name=op.f("pk_victim_identities")),
    )
    _move_summaries(encrypt=True)
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("summary")


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("summary", sa.Text(), nullable=True))
    _move_summaries(encrypt=False)
    op.drop_table("victim_identities")
    op.drop_table("victim_consents")
    op.drop_table("incident_narratives")


def _move_summaries(*, encrypt: bool) -> None:
    """Move existing summaries between the plain column and the encrypted table.

    The keys are the service's own (ENCRYPTION_KEYS, or the embedded database's key file); with
    summaries to move and no key, the migration stops rather than lose or expose them.
    """
    connection = op.get_bind()
    incidents = sa.table("incidents", sa.column("id", sa.Uuid()), sa.column("summary", sa.Text()))
    narratives = sa.table(
        "incident_narratives",
        sa.column("incident_id", sa.Uuid()),
        sa.column("ciphertext", sa.LargeBinary()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    source = incidents if encrypt else narratives
    if connection.execute(sa.select(sa.func.count()).select_from(source)).scalar_one() == 0:
        return
    cipher = _cipher(connection)
    if encrypt:
        rows = connection.execute(
            sa.select(incidents.c.id, incidents.c.summary).where(incidents.c.summary.isnot(None))
        )
        now = datetime.now(UTC)
        for incident_id, summary in rows.all():
            connection.execute(
                narratives.insert().values(
                    incident_id=incident_id,
                    ciphertext=cipher.encrypt_json({"summary": summary}),
                    updated_at=now,
                )
            )
        return
    for incident_id, ciphertext in connection.execute(
        sa.select(narratives.c.incident_id, narratives.c.ciphertext)
    ).all():
        summary = cipher.decrypt_json(ciphertext)["summary"]
        connection.execute(
            incidents.update().where(incidents.c.id == incident_id).values(summary=summary)
        )


def _cipher(connection: sa.Connection) -> FieldCipher:
    url = connection.engine.url.render_as_string(hide_password=False)
    return load_cipher(get_settings().model_copy(update={"database_url": url}))

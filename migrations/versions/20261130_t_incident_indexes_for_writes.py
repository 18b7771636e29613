"""Fewer index entries written for each incident: every insert and every update of an incident
that is not HOT (an import's references, an edit of an indexed field) writes one entry per index.

- `ix_incidents_organisation_id` goes: the unique (organisation_id, external_reference) index
  and the list's index both begin with the organisation, and serve what it served.
- `ix_incidents_archived_at` and `ix_incidents_duplicate_of_id` hold only the incidents archived,
  or marked duplicates: a live incident, nearly every one, has no entry. What they serve (an
  archived incident by date, the duplicates of one incident) names a value, which implies it is
  not null; `IS NULL` was never served by them.

No row changes.

Revision ID: t01
Revises: s01
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t01"
down_revision: str | None = "s01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = ("archived_at", "duplicate_of_id")


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_index("ix_incidents_organisation_id")
        for column in PARTIAL:
            batch.drop_index(f"ix_incidents_{column}")
            where = sa.text(f"{column} IS NOT NULL")
            batch.create_index(
                f"ix_incidents_{column}",
                [column],
                unique=False,
                postgresql_where=where,
                sqlite_where=where,
            )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        for column in PARTIAL:
            batch.drop_index(f"ix_incidents_{column}")
            batch.create_index(f"ix_incidents_{column}", [column], unique=False)
        batch.create_index("ix_incidents_organisation_id", ["organisation_id"], unique=False)

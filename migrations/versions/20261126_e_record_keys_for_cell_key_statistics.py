"""Record keys on incidents and victims, drawn at random for the existing ones; on each incident
the sum of the keys of its victims consenting to statistics (kept like the victim counts); and
the sums of the keys in the statistics' kept counts (the cell-key method), recounted here.

Revision ID: e01
Revises: d01
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e01"
down_revision: str | None = "d01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEPT = ("stat_counts", "stat_counts_yearly")
KEY_SUMS = ("shareable_incident_keys", "shared_victim_keys")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    # A key from 0 to 255 per row, drawn anew for each row.
    random_key = "floor(random() * 256)::smallint" if postgresql else "abs(random()) % 256"
    for table in ("incidents", "victims"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("record_key", sa.SmallInteger(), nullable=True))
        op.execute(f"UPDATE {table} SET record_key = {random_key}")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("record_key", existing_type=sa.SmallInteger(), nullable=False)
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shared_victim_keys", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE incidents SET shared_victim_keys = coalesce((SELECT sum(v.record_key) "
        f"FROM victims v {CONSENTING} WHERE v.incident_id = incidents.id), 0)"
    )
    for table in KEPT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in KEY_SUMS:
                batch_op.add_column(
                    sa.Column(column, sa.Integer(), server_default="0", nullable=False)
                )
    _recount(postgresql)


def _recount(postgresql: bool) -> None:
    """The kept counts as they stand at this revision, with their key sums (the application's
    own recount is app.counting.rollup.recount_queries; this copy stays as the schema was here)."""
    month = (
        "CAST(date_trunc('month', i.occurred_on) AS date)"
        if postgresql
        else "date(i.occurred_on, 'start of month')"
    )
    for table in KEPT:
        op.execute(f"DELETE FROM {table}")
    for statement in RECOUNT:
        op.execute(statement.format(month=month))
    year_start = (
        "CAST(date_trunc('year', month) AS date)" if postgresql else "date(month, 'start of year')"
    )
    key = f"facet, country, {year_start}, organisation_id, source, verification_status, value"
    op.execute(
        "INSERT INTO stat_counts_yearly (facet, country, year_start, organisation_id, source, "
        f"verification_status, value, {MEASURES}) "
        f"SELECT {key}, sum(incidents), sum(victims), sum(shareable_incidents), "
        "sum(shared_victims), sum(shareable_incident_keys), sum(shared_victim_keys) "
        f"FROM stat_counts GROUP BY {key}"
    )
    if postgresql:
        op.execute("ANALYZE stat_counts")
        op.execute("ANALYZE stat_counts_yearly")


KEY = (
    "i.country, {month}, i.organisation_id, coalesce(i.admin1, ''), i.date_precision, "
    "i.source, i.verification_status"
)
COUNTED = "i.archived_at IS NULL AND i.duplicate_of_id IS NULL"
SHAREABLE = "CASE WHEN i.victim_count = 0 OR i.shared_victim_count > 0 THEN 1 ELSE 0 END"
CONSENTING = "JOIN victim_consents s ON s.victim_id = v.id AND s.kind = 'statistics' AND s.granted"
WHOLE = (
    f"count(*), sum(i.victim_count), sum({SHAREABLE}), sum(i.shared_victim_count), "
    f"sum({SHAREABLE} * i.record_key), sum(i.shared_victim_keys)"
)
MEASURES = (
    "incidents, victims, shareable_incidents, shared_victims, shareable_incident_keys, "
    "shared_victim_keys"
)
INSERT = (
    "INSERT INTO stat_counts (facet, country, month, organisation_id, admin1, date_precision, "
    f"source, verification_status, value, {MEASURES}) "
)
RECOUNT = [
    INSERT + f"SELECT 'incident', {KEY}, '', {WHOLE} FROM incidents i "
    f"WHERE {COUNTED} GROUP BY {KEY}",
    INSERT + f"SELECT 'violation', {KEY}, v.violation, {WHOLE} FROM incidents i "
    f"JOIN incident_violations v ON v.incident_id = i.id WHERE {COUNTED} "
    f"GROUP BY {KEY}, v.violation",
    INSERT + f"SELECT 'perpetrator_category', {KEY}, coalesce(p.category, ''), {WHOLE} "
    "FROM incidents i LEFT JOIN (SELECT DISTINCT incident_id, category FROM perpetrators) p "
    f"ON p.incident_id = i.id WHERE {COUNTED} "
    f"GROUP BY {KEY}, coalesce(p.category, '')",
    INSERT + f"SELECT 'victim_category', {KEY}, c.category, count(*), sum(c.all_victims), "
    "sum(CASE WHEN c.shared_victims > 0 THEN 1 ELSE 0 END), sum(c.shared_victims), "
    "sum(CASE WHEN c.shared_victims > 0 THEN i.record_key ELSE 0 END), sum(c.shared_keys) "
    "FROM incidents i JOIN (SELECT v.incident_id, v.category, count(*) AS all_victims, "
    "count(s.victim_id) AS shared_victims, "
    "sum(CASE WHEN s.victim_id IS NULL THEN 0 ELSE v.record_key END) AS shared_keys "
    "FROM victims v LEFT JOIN victim_consents s "
    "ON s.victim_id = v.id AND s.kind = 'statistics' AND s.granted "
    "GROUP BY v.incident_id, v.category) c ON c.incident_id = i.id "
    f"WHERE {COUNTED} GROUP BY {KEY}, c.category",
    INSERT + f"SELECT 'victim_category', {KEY}, '', count(*), 0, count(*), 0, "
    f"sum(i.record_key), 0 FROM incidents i WHERE {COUNTED} AND i.victim_count = 0 "
    f"GROUP BY {KEY}",
]


def downgrade() -> None:
    for table in KEPT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(KEY_SUMS):
                batch_op.drop_column(column)
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("shared_victim_keys")
    for table in ("victims", "incidents"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("record_key")

"""The GBVIMS intake fields: on incidents (time of day, type of place, stage of displacement,
abduction, money or goods exchanged, reported elsewhere, previous GBV incidents, number of alleged
perpetrators, and the reporting delay derived from the dates), on victims (marital status,
unaccompanied or separated child, country of origin, kind of disability) and on perpetrators (sex,
age group, relationship to the survivor, occupation, primary or secondary). Every new column is
nullable: stored records keep every value they had and have none of the new ones.

Victims' displacement status takes the GBVIMS vocabulary (resident, idp, refugee, stateless,
returnee, foreign_national, asylum_seeker, unknown). Stored values map forward as follows:

    host_community -> resident   (a member of the host community is a resident)
    idp, refugee, returnee, unknown -> unchanged

The column widens to 16 characters for `foreign_national`. Incident versions keep the values
they recorded at the time (a version says what was, not what would be).

The reporting delay of each stored incident is derived here as the application derives it
(app/incidents/rules.py): days from the incident to its report, in GBVIMS bands, and none when
the incident's date is known only to the month or the year.

Downgrading maps `resident` back to `host_community` and the three values the old vocabulary did
not have (stateless, foreign_national, asylum_seeker) to `unknown`, then drops the new columns.

Revision ID: i01
Revises: h01
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i01"
down_revision: str | None = "j01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The vocabularies as they are at this revision, copied so that this revision never changes.
YES_NO_UNKNOWN = ("yes", "no", "unknown")
INCIDENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "time_of_day": ("morning", "afternoon", "evening_night", "unknown"),
    "place_type": (
        "forest",
        "garden",
        "school",
        "road",
        "clients_home",
        "perpetrators_home",
        "other",
        "market",
        "streamside",
        "beach",
        "farm",
        "latrine",
        "perpetrators_friends_home",
        "entertainment_centre",
        "unfinished_house",
        "guest_house_hotel",
        "camp",
        "water_point",
    ),
    "displacement_stage": (
        "not_displaced",
        "pre_displacement",
        "during_flight",
        "during_refuge",
        "during_return_transit",
        "post_displacement",
    ),
    "abduction": ("none", "forced_conscription", "trafficked", "other_abduction_kidnapping"),
    "goods_money_exchanged": YES_NO_UNKNOWN,
    "reported_elsewhere": ("no", "gbvims_organisation", "non_gbvims_organisation"),
    "previous_gbv_incidents": YES_NO_UNKNOWN,
    "perpetrator_count": ("1", "2", "3", "more_than_3"),
    "reporting_delay": ("0_3_days", "4_5_days", "6_14_days", "2_weeks_1_month", "over_1_month"),
}
VICTIM_COLUMNS: dict[str, tuple[str, ...]] = {
    "disability_kind": ("physical", "sensory", "mental_intellectual", "other"),
    "marital_status": (
        "single",
        "married_cohabiting",
        "divorced_separated",
        "widowed",
        "unknown",
    ),
    "unaccompanied_separated": ("unaccompanied", "separated", "no", "unknown"),
}
PERPETRATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "sex": ("female", "male", "unknown"),
    "age_group": ("0-11", "12-17", "18-25", "26-40", "41-60", "61+", "unknown"),
    "relationship": (
        "intimate_partner",
        "primary_caregiver",
        "other_family",
        "supervisor_employer",
        "schoolmate",
        "teacher",
        "service_provider",
        "co_tenant",
        "family_friend_neighbour",
        "other_refugee_idp_returnee",
        "other_community_member",
        "no_relation",
        "unknown",
        "other",
    ),
    "involvement": ("primary", "secondary"),
}
OLD_DISPLACEMENT = ("idp", "refugee", "returnee", "host_community", "unknown")
NEW_DISPLACEMENT = (
    "resident",
    "idp",
    "refugee",
    "stateless",
    "returnee",
    "foreign_national",
    "asylum_seeker",
    "unknown",
)
FORWARD = {"host_community": "resident"}
BACKWARD = {
    "resident": "host_community",
    "stateless": "unknown",
    "foreign_national": "unknown",
    "asylum_seeker": "unknown",
}
# Days from the incident to its report -> GBVIMS band, in order (upper bound inclusive).
DELAY_BANDS = ((3, "0_3_days"), (5, "4_5_days"), (14, "6_14_days"), (30, "2_weeks_1_month"))


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _add_vocabulary_columns(table: str, columns: dict[str, tuple[str, ...]]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, values in columns.items():
            width = max(len(value) for value in values)
            batch_op.add_column(sa.Column(name, sa.String(length=width), nullable=True))
            batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), _in(name, values))
        if table == "victims":
            batch_op.add_column(sa.Column("country_of_origin", sa.String(length=2), nullable=True))
        if table == "perpetrators":
            batch_op.add_column(sa.Column("occupation", sa.String(length=120), nullable=True))


def _set_displacement_vocabulary(values: Sequence[str], mapping: dict[str, str]) -> None:
    """Drop the old CHECK, move the stored values, then size and check the new vocabulary."""
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_victims_displacement_status"), type_="check")
    for old, new in mapping.items():
        op.execute(
            sa.text(
                "UPDATE victims SET displacement_status = :new WHERE displacement_status = :old"
            ).bindparams(old=old, new=new)
        )
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.alter_column(
            "displacement_status",
            existing_type=sa.String(),
            type_=sa.String(length=max(len(value) for value in values)),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(
            op.f("ck_victims_displacement_status"), _in("displacement_status", values)
        )


def _derive_reporting_delays() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    days = (
        "(reported_on - occurred_on)"
        if postgresql
        else "(julianday(reported_on) - julianday(occurred_on))"
    )
    bands = " ".join(f"WHEN {days} <= {upper} THEN '{band}'" for upper, band in DELAY_BANDS)
    op.execute(
        "UPDATE incidents SET reporting_delay = CASE WHEN date_precision <> 'day' THEN NULL "
        f"{bands} ELSE 'over_1_month' END"
    )


def upgrade() -> None:
    _add_vocabulary_columns("incidents", INCIDENT_COLUMNS)
    _add_vocabulary_columns("victims", VICTIM_COLUMNS)
    _add_vocabulary_columns("perpetrators", PERPETRATOR_COLUMNS)
    _set_displacement_vocabulary(NEW_DISPLACEMENT, FORWARD)
    _derive_reporting_delays()


def downgrade() -> None:
    _set_displacement_vocabulary(OLD_DISPLACEMENT, BACKWARD)
    for table, columns, extra in (
        ("perpetrators", PERPETRATOR_COLUMNS, "occupation"),
        ("victims", VICTIM_COLUMNS, "country_of_origin"),
        ("incidents", INCIDENT_COLUMNS, None),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if extra is not None:
                batch_op.drop_column(extra)
            for name in reversed(columns):
                batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
                batch_op.drop_column(name)

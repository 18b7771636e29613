"""What an organisation records about a named armed party for the annex of the annual report:
its rule for what is a pattern, and, per party, the annex listings, the commitments and the
sanctions. All of it belongs to the organisation that recorded it (see app/party_dossiers)."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.models.base import Base, str_enum, utcnow


class AnnexSection(StrEnum):
    """The two lists of the annex to the Secretary-General's report on CRSV."""

    A = "A"  # parties in situations of armed conflict on the Council's agenda
    B = "B"  # parties in other situations of concern


class CommitmentKind(StrEnum):
    JOINT_COMMUNIQUE = "joint_communique"
    UNILATERAL_COMMUNIQUE = "unilateral_communique"
    ACTION_PLAN = "action_plan"
    CODE_OF_CONDUCT = "code_of_conduct"
    OTHER = "other"


class PatternRule(Base):
    """An organisation's rule for a pattern: at least `min_incidents_per_year` verified incidents
    in each of at least `years_required` of the `window_years` years ending with the year asked
    about. "In at least 2 of the last 3 years" is (1, 2, 3); "N per year" is (N, 1, 1)."""

    __tablename__ = "pattern_rules"
    __table_args__ = (
        CheckConstraint("min_incidents_per_year >= 1", name="min_incidents_positive"),
        CheckConstraint("years_required >= 1", name="years_required_positive"),
        CheckConstraint("window_years >= years_required", name="window_holds_years"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), unique=True
    )
    min_incidents_per_year: Mapped[int] = mapped_column(Integer)
    years_required: Mapped[int] = mapped_column(Integer)
    window_years: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class PartyRecord:
    """Columns every annex record of a party has: whose it is, which party, its version."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    armed_party_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("armed_parties.id", ondelete="RESTRICT"), index=True
    )
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 (a class-level directive)
        return {"version_id_col": cls.version}


class PartyListing(PartyRecord, Base):
    """The party listed in the annex of one report (e.g. S/2020/487, for 2019), and when it was
    delisted, if it was."""

    __tablename__ = "party_listings"

    report_reference: Mapped[str] = mapped_column(String(120))
    report_year: Mapped[int] = mapped_column(Integer)
    section: Mapped[AnnexSection] = mapped_column(str_enum(AnnexSection, "annex_section"))
    delisted_on: Mapped[date | None] = mapped_column(Date)


class PartyCommitment(PartyRecord, Base):
    """A commitment the party made (a communiqué, an action plan, a code of conduct), and the
    share of its activities implemented as last assessed ("implemented half": 50)."""

    __tablename__ = "party_commitments"
    __table_args__ = (
        CheckConstraint(
            "implemented_percent >= 0 AND implemented_percent <= 100", name="percent_range"
        ),
    )

    kind: Mapped[CommitmentKind] = mapped_column(str_enum(CommitmentKind, "commitment_kind"))
    made_on: Mapped[date] = mapped_column(Date)
    text_reference: Mapped[str] = mapped_column(String(200))
    implemented_percent: Mapped[int | None] = mapped_column(Integer)
    assessed_on: Mapped[date | None] = mapped_column(Date)


class PartySanction(PartyRecord, Base):
    """The party (or its leaders) on a sanctions list: which regime, since when, its reference."""

    __tablename__ = "party_sanctions"

    regime: Mapped[str] = mapped_column(String(200))
    listed_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(120))
    delisted_on: Mapped[date | None] = mapped_column(Date)

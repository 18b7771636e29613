"""Incidents and what hangs off them: forms of violence, victims, perpetrators.

An incident is not a victim: one incident has zero or more victims and zero or more perpetrators,
and statistics count each separately.
"""

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.armed_party import ArmedParty
from app.models.base import Base, str_enum, utcnow
from app.models.enums import (
    AgeGroup,
    ConsentKind,
    DatePrecision,
    Disability,
    DisplacementStatus,
    GbvType,
    PerpetratorCategory,
    Sex,
    Source,
    VerificationStatus,
    VictimCategory,
    Violation,
)
from app.models.gbvims import (
    Abduction,
    ChildSeparation,
    DisabilityKind,
    DisplacementStage,
    Involvement,
    MaritalStatus,
    PerpetratorAgeGroup,
    PerpetratorCount,
    PlaceType,
    Relationship,
    ReportedElsewhere,
    ReportingDelay,
    TimeOfDay,
    YesNoUnknown,
)
from app.models.identity import IncidentNarrative, VictimConsent, VictimIdentity
from app.models.rollup import new_record_key


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_occurred_on_id", "occurred_on", "id"),
        Index("ix_incidents_country_occurred_on", "country", "occurred_on"),
        # The incident list: one organisation's live incidents, newest first, a page at a time.
        Index(
            "ix_incidents_list",
            "organisation_id",
            "occurred_on",
            "id",
            postgresql_where=text("archived_at IS NULL"),
            sqlite_where=text("archived_at IS NULL"),
        ),
        # An imported record's identifier in the system it came from (the Incident Recorder's
        # INCIDENT ID): importing the same file twice finds its incidents already there. It
        # begins with the organisation, and serves what an index of the organisation alone would.
        UniqueConstraint("organisation_id", "external_reference"),
        # Only the archived incidents, and the duplicates, have an entry: a live incident's
        # insert, and an update that is not HOT, write none (a query naming a value implies it
        # is not null).
        Index(
            "ix_incidents_archived_at",
            "archived_at",
            postgresql_where=text("archived_at IS NOT NULL"),
            sqlite_where=text("archived_at IS NOT NULL"),
        ),
        Index(
            "ix_incidents_duplicate_of_id",
            "duplicate_of_id",
            postgresql_where=text("duplicate_of_id IS NOT NULL"),
            sqlite_where=text("duplicate_of_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Human reference, e.g. ML-2019-000123: country, year reported, sequence. Never reused.
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    # Stored as the first day of the known period (see date_precision).
    occurred_on: Mapped[date] = mapped_column(Date)
    date_precision: Mapped[DatePrecision] = mapped_column(str_enum(DatePrecision, "date_precision"))
    reported_on: Mapped[date] = mapped_column(Date)
    country: Mapped[str] = mapped_column(String(2))
    admin1: Mapped[str | None] = mapped_column(String(120), index=True)
    admin2: Mapped[str | None] = mapped_column(String(120))
    admin3: Mapped[str | None] = mapped_column(String(120))
    pcode: Mapped[str | None] = mapped_column(String(20))
    # Set by imports only (see the unique constraint above); null for incidents recorded here.
    external_reference: Mapped[str | None] = mapped_column(String(64))
    gbv_type: Mapped[GbvType | None] = mapped_column(str_enum(GbvType, "gbv_type"))
    # GBVIMS intake fields (app/models/gbvims.py), each optional.
    time_of_day: Mapped[TimeOfDay | None] = mapped_column(str_enum(TimeOfDay, "time_of_day"))
    place_type: Mapped[PlaceType | None] = mapped_column(str_enum(PlaceType, "place_type"))
    displacement_stage: Mapped[DisplacementStage | None] = mapped_column(
        str_enum(DisplacementStage, "displacement_stage")
    )
    abduction: Mapped[Abduction | None] = mapped_column(str_enum(Abduction, "abduction"))
    goods_money_exchanged: Mapped[YesNoUnknown | None] = mapped_column(
        str_enum(YesNoUnknown, "goods_money_exchanged")
    )
    reported_elsewhere: Mapped[ReportedElsewhere | None] = mapped_column(
        str_enum(ReportedElsewhere, "reported_elsewhere")
    )
    previous_gbv_incidents: Mapped[YesNoUnknown | None] = mapped_column(
        str_enum(YesNoUnknown, "previous_gbv_incidents")
    )
    perpetrator_count: Mapped[PerpetratorCount | None] = mapped_column(
        str_enum(PerpetratorCount, "perpetrator_count")
    )
    # Derived from occurred_on and reported_on on every write (app/incidents/rules.py); null
    # when the incident's date is known only to the month or the year.
    reporting_delay: Mapped[ReportingDelay | None] = mapped_column(
        str_enum(ReportingDelay, "reporting_delay")
    )
    source: Mapped[Source] = mapped_column(str_enum(Source, "source"), index=True)
    verification_status: Mapped[VerificationStatus] = mapped_column(
        str_enum(VerificationStatus, "verification_status"), index=True
    )
    # The day the verification concluded `verified`: set by the verification service when the
    # status moves to verified, cleared when it moves away. NULL for an incident entered already
    # verified, and for decisions taken before it was kept and not told by the history.
    verified_on: Mapped[date | None] = mapped_column(Date)
    # The organisation that recorded the incident owns it: only its advisers see and edit it.
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Archived incidents are kept but leave lists and statistics.
    archived_at: Mapped[datetime | None]
    archive_reason: Mapped[str | None] = mapped_column(Text)
    # A later report of an incident already recorded points at the canonical one. It is kept,
    # but left out of every count so that its victims are not counted twice.
    duplicate_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="RESTRICT")
    )
    duplicate_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_marked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    duplicate_marked_at: Mapped[datetime | None]
    # Kept by the service on every change of victims or consent, so statistics count victims
    # without joining them: all victims, and those who consented to statistics sharing.
    victim_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    shared_victim_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Drawn at random once and never changed nor shown: statistics derive the cell key of a
    # figure from the keys of the records it counts (app/stats/cellkey.py). Kept with the
    # victim counts: the sum of the record keys of the victims consenting to statistics.
    record_key: Mapped[int] = mapped_column(SmallInteger, default=new_record_key)
    shared_victim_keys: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Optimistic locking: an UPDATE based on a stale version touches no row.
    version: Mapped[int] = mapped_column(Integer, default=1)

    violation_rows: Mapped[list["IncidentViolation"]] = relationship(
        back_populates="incident",
        cascade="all, delete-orphan",
        order_by="IncidentViolation.violation",
    )
    victims: Mapped[list["Victim"]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="Victim.position"
    )
    perpetrators: Mapped[list["Perpetrator"]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="Perpetrator.position"
    )
    narrative: Mapped[IncidentNarrative | None] = relationship(cascade="all, delete-orphan")

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @property
    def violations(self) -> list[Violation]:
        return [row.violation for row in self.violation_rows]

    @property
    def has_summary(self) -> bool:
        return self.narrative is not None

    def recount_victims(self) -> None:
        """Refresh the stored victim counts from the victims and their consent."""
        self.victim_count = len(self.victims)
        self.shared_victim_count = sum(victim.shares_statistics for victim in self.victims)
        self.shared_victim_keys = sum(v.record_key for v in self.victims if v.shares_statistics)


class IncidentViolation(Base):
    """One form of violence in an incident: a row per form, so counts and filters use indexes."""

    __tablename__ = "incident_violations"

    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    violation: Mapped[Violation] = mapped_column(
        str_enum(Violation, "violation"), primary_key=True, index=True
    )

    incident: Mapped[Incident] = relationship(back_populates="violation_rows")


class Victim(Base):
    """A victim's statistical profile. No names or contact details are ever stored here."""

    __tablename__ = "victims"
    __table_args__ = (CheckConstraint("age >= 0 AND age <= 120", name="age_range"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, "sex"))
    age: Mapped[int | None] = mapped_column(SmallInteger)
    age_group: Mapped[AgeGroup] = mapped_column(str_enum(AgeGroup, "age_group"))
    category: Mapped[VictimCategory] = mapped_column(
        str_enum(VictimCategory, "victim_category"), index=True
    )
    displacement_status: Mapped[DisplacementStatus] = mapped_column(
        str_enum(DisplacementStatus, "displacement_status")
    )
    disability: Mapped[Disability] = mapped_column(str_enum(Disability, "disability"))
    disability_kind: Mapped[DisabilityKind | None] = mapped_column(
        str_enum(DisabilityKind, "disability_kind")
    )
    marital_status: Mapped[MaritalStatus | None] = mapped_column(
        str_enum(MaritalStatus, "marital_status")
    )
    unaccompanied_separated: Mapped[ChildSeparation | None] = mapped_column(
        str_enum(ChildSeparation, "unaccompanied_separated")
    )
    country_of_origin: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    record_key: Mapped[int] = mapped_column(SmallInteger, default=new_record_key)  # as Incident's

    incident: Mapped[Incident] = relationship(back_populates="victims")
    identity: Mapped[VictimIdentity | None] = relationship(cascade="all, delete-orphan")
    consent_rows: Mapped[list[VictimConsent]] = relationship(cascade="all, delete-orphan")

    @property
    def has_identity(self) -> bool:
        return self.identity is not None

    @property
    def consent(self) -> dict[ConsentKind, VictimConsent]:
        return {row.kind: row for row in self.consent_rows}

    @property
    def shares_statistics(self) -> bool:
        decision = self.consent.get(ConsentKind.STATISTICS)
        return decision is not None and decision.granted


class Perpetrator(Base):
    __tablename__ = "perpetrators"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    category: Mapped[PerpetratorCategory] = mapped_column(
        str_enum(PerpetratorCategory, "perpetrator_category"), index=True
    )
    armed_party_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("armed_parties.id", ondelete="RESTRICT"), index=True
    )

    incident: Mapped[Incident] = relationship(back_populates="perpetrators")
    armed_party: Mapped[ArmedParty | None] = relationship(lazy="joined")
    # GBVIMS intake fields. Declared after the relationships: `relationship` names a column here.
    sex: Mapped[Sex | None] = mapped_column(str_enum(Sex, "sex"))
    age_group: Mapped[PerpetratorAgeGroup | None] = mapped_column(
        str_enum(PerpetratorAgeGroup, "age_group")
    )
    relationship: Mapped[Relationship | None] = mapped_column(
        str_enum(Relationship, "relationship")
    )
    occupation: Mapped[str | None] = mapped_column(String(120))
    involvement: Mapped[Involvement | None] = mapped_column(str_enum(Involvement, "involvement"))


@event.listens_for(Incident, "init")
@event.listens_for(Victim, "init")
def _draw_record_key(target: Incident | Victim, args: Any, kwargs: dict[str, Any]) -> None:
    """A record key from the start, so the victims' key sum can be kept before any flush."""
    kwargs.setdefault("record_key", new_record_key())


class ReferenceCounter(Base):
    """Last sequence number issued per reference prefix (e.g. "ML-2019")."""

    __tablename__ = "reference_counters"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)

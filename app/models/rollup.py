"""Pre-aggregated counts for statistics, kept current in the same transaction as every change.

One row per combination of the incident fields statistics filter and group by most (organisation,
country, region, month, date precision, source, verification status) and, for a `facet` other
than "incident", one value of a dimension an incident or its victims can have several of (a form
of violence, a perpetrator category, a victim category). Each row holds what the raw query would
count: incidents and victims, and the part of them other organisations may see (consent).

`YearlyStatCount` holds the same counts by year only, without region or precision: a hundred
times fewer rows, for the many tables that need neither regions nor months.
"""

import secrets
import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, str_enum
from app.models.enums import DatePrecision, Source, VerificationStatus

NO_VALUE = ""  # the key of "no region" and of "no value of the facet" (NULL cannot be a key)
RECORD_KEYS = 256  # each incident and victim has a record key from 0 to RECORD_KEYS - 1


def new_record_key() -> int:
    return secrets.randbelow(RECORD_KEYS)


def new_record_keys(count: int) -> list[int]:
    """`count` record keys: a new incident's and its victims'. With keys of one byte, drawn in
    one call to the system's randomness rather than one call each."""
    if RECORD_KEYS == 256:
        return list(secrets.token_bytes(count))
    return [new_record_key() for _ in range(count)]


class Facet(StrEnum):
    INCIDENT = "incident"  # one row per incident: the incident-level counts
    VIOLATION = "violation"
    PERPETRATOR_CATEGORY = "perpetrator_category"
    VICTIM_CATEGORY = "victim_category"


class KeptMeasures:
    """What a row of kept counts holds: what the raw query would count for its key."""

    incidents: Mapped[int] = mapped_column(Integer)
    victims: Mapped[int] = mapped_column(Integer)
    # Seen from another organisation: incidents with no victim recorded or with at least one
    # consenting to statistics sharing, and those consenting victims.
    shareable_incidents: Mapped[int] = mapped_column(Integer)
    shared_victims: Mapped[int] = mapped_column(Integer)
    # The sums of the record keys of those shareable incidents and shared victims.
    shareable_incident_keys: Mapped[int] = mapped_column(Integer, server_default="0")
    shared_victim_keys: Mapped[int] = mapped_column(Integer, server_default="0")


class StatCount(KeptMeasures, Base):
    __tablename__ = "stat_counts"
    __table_args__ = (
        # A period, or a verification status, of one facet without reading the whole facet.
        Index("ix_stat_counts_facet_month", "facet", "month"),
        Index("ix_stat_counts_facet_status", "facet", "verification_status"),
    )

    facet: Mapped[Facet] = mapped_column(str_enum(Facet, "facet"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of occurred_on's
    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    admin1: Mapped[str] = mapped_column(String(120), primary_key=True)
    date_precision: Mapped[DatePrecision] = mapped_column(
        str_enum(DatePrecision, "date_precision"), primary_key=True
    )
    source: Mapped[Source] = mapped_column(str_enum(Source, "source"), primary_key=True)
    verification_status: Mapped[VerificationStatus] = mapped_column(
        str_enum(VerificationStatus, "verification_status"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(60), primary_key=True)


class YearlyStatCount(KeptMeasures, Base):
    __tablename__ = "stat_counts_yearly"

    facet: Mapped[Facet] = mapped_column(str_enum(Facet, "facet"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    year_start: Mapped[date] = mapped_column(Date, primary_key=True)  # 1 January
    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    source: Mapped[Source] = mapped_column(str_enum(Source, "source"), primary_key=True)
    verification_status: Mapped[VerificationStatus] = mapped_column(
        str_enum(VerificationStatus, "verification_status"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(60), primary_key=True)

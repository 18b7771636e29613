"""Request and response bodies of party dossiers: the pattern rule, the annex records of a party
(listings, commitments, sanctions), the dossier and the table of parties meeting the rule."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from app.armed_parties.schemas import ArmedPartyRead, ArmedPartyRef
from app.core.dates import EARLIEST_DATE, LATEST_FILTER_DATE, FilterDate
from app.models.enums import DatePrecision
from app.models.party_dossier import AnnexSection, CommitmentKind
from app.stats.schemas import Count, Counts, Group, ProtectionInfo, SuppressionInfo

Text120 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Notes = Annotated[str, StringConstraints(max_length=2000)]
Year = Annotated[int, Field(ge=EARLIEST_DATE.year, le=LATEST_FILTER_DATE.year)]
Percent = Annotated[int, Field(ge=0, le=100)]
VersionField = Field(default=None, description="The version this change is based on; or If-Match.")


class InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


# The pattern rule ------------------------------------------------------------------------------


class PatternRuleSet(InputModel):
    """At least `min_incidents_per_year` verified incidents in each of at least `years_required`
    of the last `window_years` years (the year asked about and those before it)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"min_incidents_per_year": 1, "years_required": 2, "window_years": 3}]
        },
    )

    min_incidents_per_year: int = Field(ge=1, le=100_000)
    years_required: int = Field(ge=1, le=20)
    window_years: int = Field(ge=1, le=20)
    version: int | None = Field(
        default=None,
        description="Changing a rule already set: the version it is based on (or If-Match).",
    )

    @field_validator("window_years")
    @classmethod
    def _window_holds_the_years(cls, window_years: int, info: ValidationInfo) -> int:
        years_required = info.data.get("years_required")
        if years_required is not None and window_years < years_required:
            raise ValueError("must not be less than years_required")
        return window_years


class PatternRuleRead(BaseModel):
    min_incidents_per_year: int
    years_required: int
    window_years: int
    is_default: bool = Field(
        description="True when the organisation has set no rule and the default one applies."
    )
    version: int | None = Field(description="None for the default rule (nothing stored).")
    meaning: str


# Annex records of a party ----------------------------------------------------------------------


class ListingCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"report_reference": "S/2020/487", "report_year": 2019, "section": "A"}]
        },
    )

    report_reference: Text120 = Field(description="The report whose annex lists the party.")
    report_year: Year = Field(description="The year the report covers.")
    section: AnnexSection = Field(
        description="A: situations of armed conflict; B: other situations of concern."
    )
    delisted_on: FilterDate | None = None
    notes: Notes | None = None


class ListingUpdate(InputModel):
    report_reference: Text120 | None = None
    report_year: Year | None = None
    section: AnnexSection | None = None
    delisted_on: FilterDate | None = None
    notes: Notes | None = None
    version: int | None = VersionField


class CommitmentCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "unilateral_communique",
                    "made_on": "2019-06-01",
                    "text_reference": "Communiqué of 1 June 2019",
                    "implemented_percent": 50,
                }
            ]
        },
    )

    kind: CommitmentKind
    made_on: FilterDate
    text_reference: Text200
    implemented_percent: Percent | None = Field(
        default=None, description="Share of its activities implemented, 0 to 100 (half: 50)."
    )
    assessed_on: FilterDate | None = Field(
        default=None, description="When that share was assessed; not before `made_on`."
    )
    notes: Notes | None = None


class CommitmentUpdate(InputModel):
    kind: CommitmentKind | None = None
    made_on: FilterDate | None = None
    text_reference: Text200 | None = None
    implemented_percent: Percent | None = None
    assessed_on: FilterDate | None = None
    notes: Notes | None = None
    version: int | None = VersionField


class SanctionCreate(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "regime": "Security Council Committee established by resolution 2374 (2017)",
                    "listed_on": "2018-12-20",
                    "reference": "MLi.001",
                }
            ]
        },
    )

    regime: Text200
    listed_on: FilterDate
    reference: Text120
    delisted_on: FilterDate | None = Field(default=None, description="Not before `listed_on`.")
    notes: Notes | None = None


class SanctionUpdate(InputModel):
    regime: Text200 | None = None
    listed_on: FilterDate | None = None
    reference: Text120 | None = None
    delisted_on: FilterDate | None = None
    notes: Notes | None = None
    version: int | None = VersionField


class RecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    armed_party_id: uuid.UUID
    notes: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class ListingRead(RecordRead):
    report_reference: str
    report_year: int
    section: AnnexSection
    delisted_on: date | None


class CommitmentRead(RecordRead):
    kind: CommitmentKind
    made_on: date
    text_reference: str
    implemented_percent: int | None
    assessed_on: date | None


class SanctionRead(RecordRead):
    regime: str
    listed_on: date
    reference: str
    delisted_on: date | None


# The dossier -----------------------------------------------------------------------------------


class DossierQuery(InputModel):
    year: Year | None = Field(
        default=None,
        description="The year the pattern rule is evaluated for (default: the current year).",
    )


class DossierTable(BaseModel):
    dimension: str
    stats_query: str = Field(description="The /stats query that gives the same figures.")
    total: Counts
    groups: list[Group]


class OwnIncident(BaseModel):
    """One of the caller's own organisation's incidents: only those are named."""

    reference: str
    occurred_on: date
    date_precision: DatePrecision
    verified_on: date | None


class VerifiedEnd(BaseModel):
    """The first (or last) verified incident: the year and quarter as the protected tables show
    them (every organisation's data the caller may count), and the caller's own incident."""

    year: int | None = Field(description="First (last) year with verified incidents, if any.")
    quarter: str | None = Field(
        description="First (last) quarter with verified incidents, among those known to the "
        "quarter (an incident known only to the year has none)."
    )
    own_incident: OwnIncident | None = Field(
        description="Your own organisation's first (last) verified incident, with its reference."
    )


class YearStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNDETERMINED = "undetermined"


class PatternStatus(StrEnum):
    MEETS = "meets"
    DOES_NOT_MEET = "does_not_meet"
    UNDETERMINED = "undetermined"


class PatternYear(BaseModel):
    year: int
    incidents: Count = Field(description="Verified incidents that year, as published.")
    status: YearStatus


class PatternEvaluation(BaseModel):
    year: int
    years: list[PatternYear] = Field(description="The rule's window, oldest first.")
    years_met: int
    status: PatternStatus
    meaning: str


class DossierRead(BaseModel):
    party: ArmedPartyRead
    basis: str = Field(description="Always `verified_only`: a dossier counts verified incidents.")
    total: Counts
    by_year: DossierTable
    by_quarter: DossierTable
    by_violation: DossierTable
    by_region: DossierTable
    by_victim_category: DossierTable
    first_verified: VerifiedEnd
    last_verified: VerifiedEnd
    rule: PatternRuleRead
    pattern: PatternEvaluation
    listings: list[ListingRead] = Field(description="Your organisation's, newest report first.")
    commitments: list[CommitmentRead] = Field(description="Your organisation's, newest first.")
    sanctions: list[SanctionRead] = Field(description="Your organisation's, newest first.")
    suppression: SuppressionInfo
    protection: ProtectionInfo
    notes: list[str]


class PatternsQuery(InputModel):
    year: Year = Field(description="The year the rule is evaluated for.")


class PatternRow(BaseModel):
    party: ArmedPartyRef
    dossier: str = Field(description="The party's dossier, for the same year.")
    pattern: PatternEvaluation


class PatternsRead(BaseModel):
    year: int
    rule: PatternRuleRead
    stats_query: str = Field(description="The /stats query whose cells the rule is read from.")
    meeting: list[PatternRow] = Field(description="Parties meeting the rule, by name.")
    undetermined: list[PatternRow] = Field(
        description="Parties for which the protected figures cannot tell (see `notes`)."
    )
    suppression: SuppressionInfo
    protection: ProtectionInfo
    notes: list[str]

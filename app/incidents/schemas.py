"""Request and response bodies for incidents."""

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.armed_parties.schemas import ArmedPartyRef
from app.core.countries import normalise_country_code
from app.core.dates import EventDate
from app.identity.schemas import ConsentIn, IdentityIn
from app.incidents.crosswalk import IncidentWarning, type_warnings
from app.incidents.intake_fields import IncidentIntake, PerpetratorIntake, VictimIntake
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
from app.models.gbvims import ReportingDelay

CountryCode = Annotated[str, AfterValidator(normalise_country_code)]
PlaceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
PCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{2}[0-9A-Z]{0,18}$")
]
Age = Annotated[int, Field(ge=0, le=120, description="Age in years at the time of the incident.")]
Summary = Annotated[str, StringConstraints(max_length=20_000)]


def _distinct(values: list[Violation]) -> list[Violation]:
    return list(dict.fromkeys(values))


ViolationList = Annotated[list[Violation], Field(min_length=1), AfterValidator(_distinct)]


class InputModel(BaseModel):
    # A misspelt field is refused, not silently dropped: dropping it would lose what was reported.
    model_config = ConfigDict(extra="forbid")


def field_values(model: BaseModel, names: Iterable[str]) -> dict[str, Any]:
    """These fields' values as the model holds them: what `model_dump(include=names)` gives for
    fields of plain values (no nested model, list or serializer), a quarter to a third of its
    cost, for every incident and victim written. tests/incidents/test_field_values.py holds the two
    equal."""
    held = vars(model)
    return {name: held[name] for name in names}


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    granted: bool
    recorded_at: datetime
    recorded_by_id: uuid.UUID | None


class VictimCreate(InputModel, VictimIntake):
    sex: Sex
    age: Age | None = None
    age_group: AgeGroup | None = Field(
        default=None,
        description="When the exact age is unknown. Derived from `age` when that is given.",
    )
    displacement_status: DisplacementStatus = DisplacementStatus.UNKNOWN
    disability: Disability = Disability.UNKNOWN
    identity: IdentityIn | None = Field(
        default=None, description="On update: sent replaces the details, `null` erases them."
    )
    consent: ConsentIn | None = Field(
        default=None, description="On update: only the decisions sent are changed."
    )


class VictimUpdate(VictimCreate):
    id: uuid.UUID | None = Field(
        default=None,
        description="An existing victim of this incident to update; omit for a new one.",
    )


class VictimRead(VictimIntake):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    sex: Sex
    age: int | None
    age_group: AgeGroup
    category: VictimCategory
    displacement_status: DisplacementStatus
    disability: Disability
    has_identity: bool = Field(
        description="Identifying details are on file (read them at .../victims/{id}/identity)."
    )
    consent: dict[ConsentKind, ConsentRead]


class PerpetratorCreate(InputModel, PerpetratorIntake):
    category: PerpetratorCategory | None = Field(
        default=None, description="Required unless `armed_party_id` is given (then it is derived)."
    )
    armed_party_id: uuid.UUID | None = None


class PerpetratorUpdate(PerpetratorCreate):
    id: uuid.UUID | None = Field(
        default=None,
        description="An existing perpetrator of this incident to update; omit for a new one.",
    )


class PerpetratorRead(PerpetratorIntake):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    category: PerpetratorCategory
    armed_party: ArmedPartyRef | None


class IncidentFields(InputModel, IncidentIntake):
    """The incident's own fields; shared by create and by the re-check after a PATCH."""

    occurred_on: EventDate = Field(
        description="Date of the incident. With month or year precision, any day in that "
        "month or year; it is stored as the first day of the period."
    )
    date_precision: DatePrecision = DatePrecision.DAY
    reported_on: EventDate = Field(description="Date the incident was reported to the source.")
    country: CountryCode
    admin1: PlaceName | None = Field(default=None, description="Region, e.g. 'Mopti'.")
    admin2: PlaceName | None = Field(default=None, description="Cercle or district.")
    admin3: PlaceName | None = Field(default=None, description="Commune.")
    pcode: PCode | None = Field(default=None, description="OCHA P-code of the most precise level.")
    violations: ViolationList
    gbv_type: GbvType | None = None
    source: Source
    verification_status: VerificationStatus = VerificationStatus.REPORTED


INCIDENT_EXAMPLE = {
    "occurred_on": "2019-03-14",
    "date_precision": "day",
    "reported_on": "2019-03-20",
    "country": "ML",
    "admin1": "Mopti",
    "admin2": "Bandiagara",
    "violations": ["rape", "sexual_slavery"],
    "gbv_type": "rape",
    "source": "gbvims",
    "verification_status": "reported",
    "victims": [
        {
            "sex": "female",
            "age": 16,
            "displacement_status": "idp",
            "disability": "no",
            "identity": {"name": "(name)", "contact": "(phone)"},
            "consent": {"statistics": True, "referral": True, "justice": False},
        },
        {"sex": "female", "age_group": "adult"},
    ],
    "perpetrators": [{"category": "unidentified_armed_element"}],
}


class IncidentCreate(IncidentFields):
    model_config = ConfigDict(json_schema_extra={"examples": [INCIDENT_EXAMPLE]})

    summary: Summary | None = Field(
        default=None,
        description="Free-text account. It may identify a survivor, so it is stored encrypted "
        "and shown only in `GET /incidents/{id}` to advisers of the owning organisation.",
    )
    victims: list[VictimCreate] = Field(default_factory=list, max_length=500)
    perpetrators: list[PerpetratorCreate] = Field(default_factory=list, max_length=500)


class IncidentUpdate(InputModel, IncidentIntake):
    """Only the fields sent are changed; `null` clears an optional field.

    `victims` and `perpetrators`, when sent, are the complete new lists: items carrying the `id` of
    an existing one update it, items without `id` are added, and those left out are removed.
    """

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"verification_status": "pending_verification"}]}
    )

    occurred_on: EventDate | None = None
    date_precision: DatePrecision | None = None
    reported_on: EventDate | None = None
    country: CountryCode | None = None
    admin1: PlaceName | None = None
    admin2: PlaceName | None = None
    admin3: PlaceName | None = None
    pcode: PCode | None = None
    violations: ViolationList | None = None
    gbv_type: GbvType | None = None
    source: Source | None = None
    verification_status: VerificationStatus | None = Field(
        default=None,
        description="Not changed here: use `POST /incidents/{id}/verification`.",
    )
    summary: Summary | None = None
    version: int | None = Field(
        default=None,
        description="The version this change is based on, unless sent as `If-Match`. "
        "A stale version is refused with 409 and nothing changes.",
    )
    victims: list[VictimUpdate] | None = Field(default=None, max_length=500)
    perpetrators: list[PerpetratorUpdate] | None = Field(default=None, max_length=500)

    @field_validator("verification_status")
    @classmethod
    def _verified_elsewhere(cls, value: VerificationStatus | None) -> None:
        if value is not None:
            raise ValueError("is changed through POST /incidents/{id}/verification")
        return None


class IncidentRead(IncidentIntake):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    occurred_on: date
    date_precision: DatePrecision
    reported_on: date
    country: str
    admin1: str | None
    admin2: str | None
    admin3: str | None
    pcode: str | None
    violations: list[Violation]
    gbv_type: GbvType | None
    reporting_delay: ReportingDelay | None = Field(
        description="Days from the incident to its report, in GBVIMS bands; derived from the "
        "dates, null when the incident's date is known only to the month or the year."
    )
    source: Source
    verification_status: VerificationStatus
    verified_on: date | None = Field(
        description="The day the verification concluded `verified`; null when not verified, or "
        "when the incident was entered already verified or verified before this day was kept "
        "(see the README)."
    )
    summary: str | None = Field(
        default=None,
        description="Only in `GET /incidents/{id}`, for advisers of the owning organisation.",
    )
    has_summary: bool
    victims: list[VictimRead]
    perpetrators: list[PerpetratorRead]
    organisation_id: uuid.UUID
    duplicate_of_id: uuid.UUID | None = Field(
        description="Set when this report repeats another incident: it is then left out of "
        "every count."
    )
    duplicate_reason: str | None
    duplicate_marked_by_id: uuid.UUID | None
    duplicate_marked_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    archive_reason: str | None
    warnings: list[IncidentWarning] = Field(
        default_factory=list,
        description="What looks inconsistent but is stored as entered, e.g. a GBVIMS type that "
        "contradicts the forms of violence (see app/incidents/crosswalk.py).",
    )

    @model_validator(mode="after")
    def _warn(self) -> "IncidentRead":
        self.warnings = type_warnings(self.gbv_type, self.violations)
        return self


class IncidentPage(BaseModel):
    items: list[IncidentRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    limit: int


class VerificationRequest(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "status": "verified",
                    "standard": "reasonable grounds to believe",
                    "sources": ["interview with the survivor", "medical certificate"],
                    "note": "Consistent accounts from two independent sources.",
                }
            ]
        },
    )

    status: VerificationStatus
    standard: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    sources: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]] = Field(
        default_factory=list, max_length=20, description="Kinds of source, never names."
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    reopen: bool = Field(default=False, description="Required to reopen a concluded decision.")
    verified_on: EventDate | None = Field(
        default=None,
        description="Only with `status: verified`: the day the verification concluded, when it "
        "was not today (UTC, the default). Not in the future, nor before the incident was "
        "reported (`reported_on`).",
    )
    version: int | None = Field(default=None, description="As for PATCH; or send `If-Match`.")


class VerificationEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    from_status: VerificationStatus | None
    to_status: VerificationStatus
    standard: str | None
    sources: list[str]
    note: str | None
    decided_at: datetime
    decided_by_id: uuid.UUID | None


class IncidentVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    action: str
    changed_at: datetime
    changed_by_id: uuid.UUID | None
    changed_by_username: str | None
    changes: dict[str, Any] = Field(
        description="{field: {old, new}}; identifying fields only say {changed: true}."
    )


class DuplicateLink(InputModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DuplicateCandidate(BaseModel):
    id: uuid.UUID
    reference: str
    occurred_on: date
    admin1: str | None
    admin2: str | None
    source: Source
    violations: list[Violation]
    victim_categories: list[VictimCategory]
    score: float = Field(description="0 to 1: how alike the two reports are.")
    reasons: list[str]


# A batch's cost grows with its victims: at most this many in one batch (each incident may
# have up to 500). Larger imports are split into several batches.
MAX_BATCH_VICTIMS = 10_000


class IncidentBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    incidents: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=1000,
        description="Up to 1,000 incidents, each as for POST, with at most "
        f"{MAX_BATCH_VICTIMS:,} victims in all.",
    )

    @field_validator("incidents")
    @classmethod
    def victims_within_limit(cls, incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        victims = sum(
            len(row["victims"]) for row in incidents if isinstance(row.get("victims"), list)
        )
        if victims > MAX_BATCH_VICTIMS:
            # API only (no page imports batches): the message is not a catalogue entry.
            message = (
                f"at most {MAX_BATCH_VICTIMS} victims in one batch, this one has {victims}: "
                "split it into several batches"
            )
            raise ValueError(message)
        return incidents


class BatchItem(BaseModel):
    index: int
    id: uuid.UUID
    reference: str


class BatchResult(BaseModel):
    count: int
    created: list[BatchItem]

import re
import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from app.core.countries import normalise_country_code
from app.core.dates import EventDate
from app.models.enums import CaseEventKind, JudicialStage, Jurisdiction

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OverrideReason = Annotated[
    str | None,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    Field(
        description="Why the case goes ahead although a victim of a linked incident refused or "
        "was never asked for consent to justice (e.g. a prosecutor's order). Without it such a "
        "link is refused (409). Kept on the link and audited; never put survivor details here.",
    ),
]


# An incident's reference as it is printed: country, year, the organisation's code since
# per-organisation references began, and the sequence (ML-2019-000001, ML-2019-MHRD-000001).
INCIDENT_REFERENCE = re.compile(r"^[A-Z]{2}-\d{4}-(?:[A-Z0-9]{2,8}-)?\d{1,12}$")


def _incident_key(value: str) -> uuid.UUID | str:
    """An incident's id, or its reference (upper-cased); which incident it is is the service's."""
    try:
        return uuid.UUID(value)
    except ValueError:
        reference = value.upper()
    if not INCIDENT_REFERENCE.match(reference):
        raise ValueError("is neither an incident's id nor its reference (e.g. ML-2019-000001)")
    return reference


IncidentKey = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(_incident_key),
    WithJsonSchema(
        {
            "type": "string",
            "description": "The incident's id, or its reference (ML-2019-000001, "
            "ML-2019-MHRD-000001); an incident of your organisation only.",
        }
    ),
]
IncidentKeys = Annotated[list[IncidentKey], Field(min_length=1, max_length=500)]


class CourtCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Tribunal de grande instance de la Commune III",
                    "jurisdiction": "national",
                    "country": "ML",
                    "place": "Bamako",
                }
            ]
        },
    )

    name: Text200
    jurisdiction: Jurisdiction
    country: Annotated[str, AfterValidator(normalise_country_code)] | None = None
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = None


class CourtUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text200 | None = None
    jurisdiction: Jurisdiction | None = None
    country: Annotated[str, AfterValidator(normalise_country_code)] | None = None
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = None


class CourtRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    jurisdiction: Jurisdiction
    country: str | None
    place: str | None


class CaseCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "court_id": "00000000-0000-0000-0000-000000000000",
                    "docket_reference": "RG 2014/0112",
                    "incident_ids": ["ML-2014-MHRD-000012"],
                    "stage": "judicial_investigation",
                    "stage_since": "2015-02-10",
                    "opened_on": "2014-03-05",
                    "charges": ["rape as a crime against humanity"],
                    "accused_count": 3,
                }
            ]
        },
    )

    court_id: uuid.UUID
    docket_reference: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None
    ) = None
    incident_ids: IncidentKeys
    stage: JudicialStage = JudicialStage.COMPLAINT_FILED
    opened_on: EventDate = Field(
        description="Date of the complaint (or first act): nothing precedes it, not even the "
        "incidents it concerns (422 on `opened_on`)."
    )
    stage_since: EventDate | None = Field(
        default=None, description="When the case reached `stage`; the opening date if omitted."
    )
    last_act_on: EventDate | None = Field(
        default=None, description="Date of the last judicial act known; `stage_since` if omitted."
    )
    charges: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]] = Field(
        default_factory=list, max_length=50
    )
    accused_count: int = Field(default=0, ge=0, le=10_000)
    consent_override_reason: OverrideReason = None


class CaseUpdate(BaseModel):
    """The case's descriptive fields; its stage moves only through events."""

    model_config = ConfigDict(extra="forbid")

    docket_reference: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None
    ) = None
    incident_ids: IncidentKeys | None = None
    charges: (
        list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]] | None
    ) = None
    accused_count: int | None = Field(default=None, ge=0, le=10_000)
    consent_override_reason: OverrideReason = None
    version: int = Field(description="The version this change is based on.")


class CaseEventCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "act", "occurred_on": "2017-06-01", "note": "Hearing of the civil party"},
                {"kind": "stage_change", "occurred_on": "2020-01-14", "stage": "trial"},
            ]
        },
    )

    kind: CaseEventKind
    occurred_on: EventDate
    stage: JudicialStage | None = Field(
        default=None, description="The stage reached (stage_change, correction)."
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = Field(
        default=None,
        description="What happened: required for an act (the hearing, order...) and to say why "
        "a correction is made.",
    )


class CaseEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sequence: int
    kind: CaseEventKind
    occurred_on: EventDate
    from_stage: JudicialStage | None
    to_stage: JudicialStage | None
    note: str | None
    recorded_by_id: uuid.UUID | None
    recorded_at: datetime


class ConsentOverrideRead(BaseModel):
    """An incident linked although a victim had not consented to justice."""

    model_config = ConfigDict(from_attributes=True)

    incident_id: uuid.UUID
    consent_override_reason: str
    consent_override_by_id: uuid.UUID | None
    consent_override_at: datetime


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    court: CourtRead
    docket_reference: str | None
    incident_ids: list[uuid.UUID]
    consent_overrides: list[ConsentOverrideRead]
    stage: JudicialStage
    stage_since: date
    opened_on: date
    last_act_on: date
    charges: list[str]
    accused_count: int
    organisation_id: uuid.UUID
    version: int
    events: list[CaseEventRead]


class CaseSummary(BaseModel):
    id: uuid.UUID
    docket_reference: str | None
    stage: JudicialStage
    stage_since: date
    days_in_stage: int
    last_act_on: date
    days_since_last_act: int
    incident_count: int


class StageGroup(BaseModel):
    stage: JudicialStage
    count: int
    cases: list[CaseSummary]


class CourtGroup(BaseModel):
    court: CourtRead
    count: int
    stages: list[StageGroup]


class PendingReport(BaseModel):
    as_of: date
    total: int
    courts: list[CourtGroup]


class StalledCase(CaseSummary):
    court: CourtRead
    months_since_last_act: int


class StalledReport(BaseModel):
    as_of: date
    months: int
    total: int
    cases: list[StalledCase]

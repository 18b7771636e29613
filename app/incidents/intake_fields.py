"""The GBVIMS intake fields of incidents, victims and perpetrators, as request and response
fields. Each is optional: `null` (or leaving it out) means not recorded. Shared by the create,
update and read schemas of app/incidents/schemas.py."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from app.core.countries import normalise_country_code
from app.models.enums import Sex
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
    TimeOfDay,
    YesNoUnknown,
)

Occupation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
CountryOfOrigin = Annotated[str, AfterValidator(normalise_country_code)]


class IncidentIntake(BaseModel):
    time_of_day: TimeOfDay | None = Field(default=None, description="When in the day it happened.")
    place_type: PlaceType | None = Field(
        default=None, description="Type of place where the incident took place."
    )
    displacement_stage: DisplacementStage | None = Field(
        default=None, description="The survivor's stage of displacement at the time."
    )
    abduction: Abduction | None = Field(default=None, description="Abduction at the time.")
    goods_money_exchanged: YesNoUnknown | None = Field(
        default=None, description="Money, goods, benefits or services exchanged."
    )
    reported_elsewhere: ReportedElsewhere | None = Field(
        default=None, description="Whether, and to whom, the incident was reported before."
    )
    previous_gbv_incidents: YesNoUnknown | None = Field(
        default=None, description="Whether the survivor reports previous GBV incidents."
    )
    perpetrator_count: PerpetratorCount | None = Field(
        default=None, description="Number of alleged primary perpetrators."
    )


class VictimIntake(BaseModel):
    disability_kind: DisabilityKind | None = Field(
        default=None,
        description="Kind of disability. Given with `disability` left unknown, that becomes "
        "`yes`; with `disability` `no` it is refused.",
    )
    marital_status: MaritalStatus | None = None
    unaccompanied_separated: ChildSeparation | None = Field(
        default=None, description="Unaccompanied or separated child: children only."
    )
    country_of_origin: CountryOfOrigin | None = Field(
        default=None, description="Country of origin or nationality (ISO 3166-1 alpha-2)."
    )


class PerpetratorIntake(BaseModel):
    sex: Sex | None = None
    age_group: PerpetratorAgeGroup | None = None
    relationship: Relationship | None = Field(
        default=None, description="Relationship to the survivor."
    )
    occupation: Occupation | None = None
    involvement: Involvement | None = Field(
        default=None, description="Primary or secondary perpetrator."
    )

"""Request and response bodies for the registry of named armed parties."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.core.countries import normalise_country_code
from app.models.enums import PerpetratorCategory


class ArmedPartyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Ansar Eddine", "category": "non_state_armed_group", "country": "ML"}
            ]
        },
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    acronym: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    category: PerpetratorCategory
    country: Annotated[str, AfterValidator(normalise_country_code)] | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None


class ArmedPartyRef(BaseModel):
    """How a party is shown inside a perpetrator."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    acronym: str | None


class ArmedPartyRead(ArmedPartyRef):
    category: PerpetratorCategory
    country: str | None
    notes: str | None
    created_at: datetime


class ArmedPartyPage(BaseModel):
    items: list[ArmedPartyRead]
    total: int = Field(description="Number of parties matching the filters.")

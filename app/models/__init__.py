"""ORM models. Importing this package registers every table on `Base.metadata`."""

from app.models.armed_party import ArmedParty
from app.models.base import Base
from app.models.incident import (
    Incident,
    IncidentViolation,
    Perpetrator,
    ReferenceCounter,
    Victim,
)

__all__ = [
    "ArmedParty",
    "Base",
    "Incident",
    "IncidentViolation",
    "Perpetrator",
    "ReferenceCounter",
    "Victim",
]

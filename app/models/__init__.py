"""ORM models. Importing this package registers every table on `Base.metadata`."""

from app.models.aggregate import AggregateCell, AggregateSubmission
from app.models.armed_party import ArmedParty
from app.models.audit import AuditEvent, AuditHead
from app.models.auth import AuthToken, LoginFailure, Organisation, User, UserRole
from app.models.base import Base
from app.models.history import IncidentVersion, VerificationEvent
from app.models.idempotency import IdempotencyKey
from app.models.identity import IncidentNarrative, VictimConsent, VictimIdentity
from app.models.incident import (
    Incident,
    IncidentViolation,
    Perpetrator,
    ReferenceCounter,
    Victim,
)
from app.models.judicial import CaseEvent, CaseIncident, Court, JudicialCase
from app.models.party_dossier import PartyCommitment, PartyListing, PartySanction, PatternRule
from app.models.referral import Referral, ReferralEvent, ServicePoint, ServicePointKind
from app.models.region_map import RegionMap
from app.models.rollup import StatCount, YearlyStatCount
from app.models.second_factor import SecondFactor, SecondFactorPolicy

__all__ = [
    "AggregateCell",
    "AggregateSubmission",
    "ArmedParty",
    "AuditEvent",
    "AuditHead",
    "AuthToken",
    "Base",
    "CaseEvent",
    "CaseIncident",
    "Court",
    "IdempotencyKey",
    "Incident",
    "IncidentNarrative",
    "IncidentVersion",
    "IncidentViolation",
    "JudicialCase",
    "LoginFailure",
    "Organisation",
    "PartyCommitment",
    "PartyListing",
    "PartySanction",
    "PatternRule",
    "Perpetrator",
    "ReferenceCounter",
    "Referral",
    "ReferralEvent",
    "RegionMap",
    "SecondFactor",
    "SecondFactorPolicy",
    "ServicePoint",
    "ServicePointKind",
    "StatCount",
    "User",
    "UserRole",
    "VerificationEvent",
    "Victim",
    "VictimConsent",
    "VictimIdentity",
    "YearlyStatCount",
]

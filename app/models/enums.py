"""The field's vocabularies. Stored as their string values, guarded by CHECK constraints."""

from enum import StrEnum


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class Violation(StrEnum):
    """Forms of conflict-related sexual violence (UN usage since SCR 1820/1960)."""

    RAPE = "rape"
    ATTEMPTED_RAPE = "attempted_rape"
    SEXUAL_SLAVERY = "sexual_slavery"
    FORCED_PROSTITUTION = "forced_prostitution"
    FORCED_PREGNANCY = "forced_pregnancy"
    FORCED_ABORTION = "forced_abortion"
    ENFORCED_STERILIZATION = "enforced_sterilization"
    FORCED_MARRIAGE = "forced_marriage"
    SEXUAL_MUTILATION = "sexual_mutilation"
    TRAFFICKING_SEXUAL_EXPLOITATION = "trafficking_sexual_exploitation"
    OTHER_SEXUAL_VIOLENCE = "other_sexual_violence"


class GbvType(StrEnum):
    """GBVIMS core incident type: exactly one per incident, the first that applies in this order."""

    RAPE = "rape"
    SEXUAL_ASSAULT = "sexual_assault"
    PHYSICAL_ASSAULT = "physical_assault"
    FORCED_MARRIAGE = "forced_marriage"
    DENIAL_OF_RESOURCES = "denial_of_resources"
    PSYCHOLOGICAL_ABUSE = "psychological_abuse"


class Source(StrEnum):
    GBVIMS = "gbvims"
    MISSION_HUMAN_RIGHTS = "mission_human_rights"
    PROTECTION_ADVISER = "protection_adviser"
    NGO = "ngo"
    MEDIA = "media"
    OTHER = "other"


class VerificationStatus(StrEnum):
    REPORTED = "reported"
    PENDING_VERIFICATION = "pending_verification"
    VERIFIED = "verified"
    NOT_VERIFIED = "not_verified"
    DISCARDED = "discarded"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class AgeGroup(StrEnum):
    """GBVIMS age bands, plus child/adult for when only that much is known."""

    AGE_0_11 = "0-11"
    AGE_12_17 = "12-17"
    AGE_18_25 = "18-25"
    AGE_26_40 = "26-40"
    AGE_41_60 = "41-60"
    AGE_61_PLUS = "61+"
    CHILD = "child"
    ADULT = "adult"
    UNKNOWN = "unknown"


class VictimCategory(StrEnum):
    """Derived from sex and age: under 18 is a child."""

    WOMAN = "woman"
    GIRL = "girl"
    MAN = "man"
    BOY = "boy"
    UNKNOWN = "unknown"


class DisplacementStatus(StrEnum):
    """GBVIMS displacement status at report. Before revision i01 a resident was stored as
    `host_community`; that migration maps it to `resident`."""

    RESIDENT = "resident"
    IDP = "idp"
    REFUGEE = "refugee"
    STATELESS = "stateless"
    RETURNEE = "returnee"
    FOREIGN_NATIONAL = "foreign_national"
    ASYLUM_SEEKER = "asylum_seeker"
    UNKNOWN = "unknown"


class Disability(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class PerpetratorCategory(StrEnum):
    NON_STATE_ARMED_GROUP = "non_state_armed_group"
    STATE_SECURITY_FORCES = "state_security_forces"
    UNIDENTIFIED_ARMED_ELEMENT = "unidentified_armed_element"
    INTERNATIONAL_FORCES = "international_forces"
    CIVILIAN = "civilian"
    OTHER = "other"


class Role(StrEnum):
    PROTECTION_ADVISER = "protection_adviser"
    REPORT_WRITER = "report_writer"
    JUDICIAL_TRACKER = "judicial_tracker"
    ADMIN = "admin"  # an organisation's accounts and audit trail
    # Runs the registry itself: organisations and their admins, the shared court registry.
    # Granted only by the command line (`crsv-registry create-user`).
    SYSTEM_ADMIN = "system_admin"


class OrganisationKind(StrEnum):
    MISSION_HUMAN_RIGHTS = "mission_human_rights"
    GBV_SERVICE_PROVIDER = "gbv_service_provider"
    NGO = "ngo"
    UN_AGENCY = "un_agency"
    GOVERNMENT = "government"
    OTHER = "other"


class ConsentKind(StrEnum):
    """What a survivor agreed to (GBVIMS Information Sharing Protocol)."""

    STATISTICS = "statistics"  # de-identified data shared for statistics beyond the organisation
    REFERRAL = "referral"  # referral to other services
    JUSTICE = "justice"  # the case passed to justice actors


class Jurisdiction(StrEnum):
    NATIONAL = "national"
    MILITARY = "military"
    INTERNATIONAL = "international"
    HYBRID = "hybrid"


class JudicialStage(StrEnum):
    """Civil-law procedure, from complaint to verdict, then the closing outcomes."""

    NO_COMPLAINT = "no_complaint"
    COMPLAINT_FILED = "complaint_filed"  # plainte, or report to the prosecutor or police
    PRELIMINARY_INVESTIGATION = "preliminary_investigation"  # enquête préliminaire
    JUDICIAL_INVESTIGATION = "judicial_investigation"  # instruction by an investigating judge
    COMMITTED_FOR_TRIAL = "committed_for_trial"  # renvoi / confirmation of charges
    TRIAL = "trial"
    VERDICT = "verdict"
    APPEAL = "appeal"
    CONVICTED = "convicted"
    ACQUITTED = "acquitted"
    DISMISSED = "dismissed"  # non-lieu
    CLOSED_WITHOUT_ACTION = "closed_without_action"  # classement sans suite
    WITHDRAWN = "withdrawn"


class CaseEventKind(StrEnum):
    ACT = "act"  # a judicial act that does not change the stage (hearing, order, summons...)
    STAGE_CHANGE = "stage_change"
    CORRECTION = "correction"  # an explicit, audited fix of a stage recorded wrongly

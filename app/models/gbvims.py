"""The GBVIMS intake vocabularies (GBV Information Management System intake and consent form,
as the Incident Recorder and Primero's GBV module record them). Stored as their string values,
guarded by CHECK constraints, like the vocabularies of app/models/enums.py.

Where Primero's GBV module has an option list, its option ids are kept (place types, time of day,
marital status), so an Incident Recorder import or export maps values one to one; where the
registry's brief fixed the names (relationships, abduction), those are used and the mapping to
Primero's ids belongs to the import and export tables.
"""

from enum import StrEnum


class TimeOfDay(StrEnum):
    MORNING = "morning"  # sunrise to noon
    AFTERNOON = "afternoon"  # noon to sunset
    EVENING_NIGHT = "evening_night"  # sunset to sunrise
    UNKNOWN = "unknown"  # unknown or not applicable


class PlaceType(StrEnum):
    """Type of place where the incident took place: Primero's `lookup-gbv-incident-location-type`
    in its order (a customisable list whose defaults these are), then camps and water points,
    which CRSV reporting in displacement settings needs."""

    FOREST = "forest"  # bush / forest
    GARDEN = "garden"  # garden / cultivated field
    SCHOOL = "school"
    ROAD = "road"
    CLIENTS_HOME = "clients_home"  # the survivor's home
    PERPETRATORS_HOME = "perpetrators_home"
    OTHER = "other"
    MARKET = "market"
    STREAMSIDE = "streamside"
    BEACH = "beach"
    FARM = "farm"
    LATRINE = "latrine"  # latrine or bathing facility
    PERPETRATORS_FRIENDS_HOME = "perpetrators_friends_home"
    ENTERTAINMENT_CENTRE = "entertainment_centre"
    UNFINISHED_HOUSE = "unfinished_house"
    GUEST_HOUSE_HOTEL = "guest_house_hotel"
    CAMP = "camp"  # camp or settlement of displaced people
    WATER_POINT = "water_point"


class DisplacementStage(StrEnum):
    """Stage of displacement at the time of the incident."""

    NOT_DISPLACED = "not_displaced"
    PRE_DISPLACEMENT = "pre_displacement"
    DURING_FLIGHT = "during_flight"
    DURING_REFUGE = "during_refuge"
    DURING_RETURN_TRANSIT = "during_return_transit"
    POST_DISPLACEMENT = "post_displacement"


class Abduction(StrEnum):
    """Type of abduction at the time of the incident."""

    NONE = "none"
    FORCED_CONSCRIPTION = "forced_conscription"
    TRAFFICKED = "trafficked"
    OTHER_ABDUCTION_KIDNAPPING = "other_abduction_kidnapping"


class YesNoUnknown(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class ReportedElsewhere(StrEnum):
    """Whether the survivor already reported this incident elsewhere, and to whom: an incident
    already reported to another GBVIMS organisation may be counted there too."""

    NO = "no"
    GBVIMS_ORGANISATION = "gbvims_organisation"
    NON_GBVIMS_ORGANISATION = "non_gbvims_organisation"


class ReportingDelay(StrEnum):
    """Days from the incident to its report, in GBVIMS bands (derived, never entered)."""

    DAYS_0_3 = "0_3_days"
    DAYS_4_5 = "4_5_days"
    DAYS_6_14 = "6_14_days"
    WEEKS_2_MONTH_1 = "2_weeks_1_month"  # 15 to 30 days
    OVER_1_MONTH = "over_1_month"  # 31 days or more


class PerpetratorCount(StrEnum):
    """Number of alleged primary perpetrators."""

    ONE = "1"
    TWO = "2"
    THREE = "3"
    MORE_THAN_3 = "more_than_3"


class MaritalStatus(StrEnum):
    SINGLE = "single"
    MARRIED_COHABITING = "married_cohabiting"
    DIVORCED_SEPARATED = "divorced_separated"
    WIDOWED = "widowed"
    UNKNOWN = "unknown"


class ChildSeparation(StrEnum):
    """Unaccompanied or separated child (asked of children only)."""

    UNACCOMPANIED = "unaccompanied"
    SEPARATED = "separated"
    NO = "no"
    UNKNOWN = "unknown"


class DisabilityKind(StrEnum):
    PHYSICAL = "physical"
    SENSORY = "sensory"
    MENTAL_INTELLECTUAL = "mental_intellectual"
    OTHER = "other"


class PerpetratorAgeGroup(StrEnum):
    AGE_0_11 = "0-11"
    AGE_12_17 = "12-17"
    AGE_18_25 = "18-25"
    AGE_26_40 = "26-40"
    AGE_41_60 = "41-60"
    AGE_61_PLUS = "61+"
    UNKNOWN = "unknown"


class Relationship(StrEnum):
    """Alleged perpetrator's relationship to the survivor (GBVIMS list)."""

    INTIMATE_PARTNER = "intimate_partner"  # or former partner
    PRIMARY_CAREGIVER = "primary_caregiver"
    OTHER_FAMILY = "other_family"  # family other than spouse or caregiver
    SUPERVISOR_EMPLOYER = "supervisor_employer"
    SCHOOLMATE = "schoolmate"
    TEACHER = "teacher"  # teacher or school official
    SERVICE_PROVIDER = "service_provider"
    CO_TENANT = "co_tenant"  # co-tenant or housemate
    FAMILY_FRIEND_NEIGHBOUR = "family_friend_neighbour"
    OTHER_REFUGEE_IDP_RETURNEE = "other_refugee_idp_returnee"
    OTHER_COMMUNITY_MEMBER = "other_community_member"  # other resident community member
    NO_RELATION = "no_relation"
    UNKNOWN = "unknown"
    OTHER = "other"


class Involvement(StrEnum):
    """Whether the alleged perpetrator is a primary or a secondary one."""

    PRIMARY = "primary"
    SECONDARY = "secondary"

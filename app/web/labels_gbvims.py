"""How the GBVIMS intake vocabularies are named on screen (English source text; French in the
catalogue). Merged into app/web/labels.py's tables."""

from enum import StrEnum

from app.incidents.crosswalk import TYPE_AFTER_ESTABLISHED, TYPE_NOT_CONSISTENT
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
    ReportingDelay,
    TimeOfDay,
    YesNoUnknown,
)
from app.web.i18n import N_

GBVIMS_ENUM_LABELS: dict[type[StrEnum], dict[str, str]] = {
    TimeOfDay: {
        "morning": N_("Morning (sunrise to noon)"),
        "afternoon": N_("Afternoon (noon to sunset)"),
        "evening_night": N_("Evening or night (sunset to sunrise)"),
        "unknown": N_("Unknown or not applicable"),
    },
    PlaceType: {
        "forest": N_("Bush or forest"),
        "garden": N_("Garden or cultivated field"),
        "school": N_("School"),
        "road": N_("Road"),
        "clients_home": N_("Survivor's home"),
        "perpetrators_home": N_("Perpetrator's home"),
        "other": N_("Other"),
        "market": N_("Market"),
        "streamside": N_("Streamside"),
        "beach": N_("Beach"),
        "farm": N_("Farm"),
        "latrine": N_("Latrine or bathing facility"),
        "perpetrators_friends_home": N_("Perpetrator's friend's home"),
        "entertainment_centre": N_("Entertainment centre"),
        "unfinished_house": N_("Unfinished house"),
        "guest_house_hotel": N_("Guest house or hotel"),
        "camp": N_("Camp or settlement"),
        "water_point": N_("Water point"),
    },
    DisplacementStage: {
        "not_displaced": N_("Not displaced, or home community"),
        "pre_displacement": N_("Before displacement"),
        "during_flight": N_("During flight"),
        "during_refuge": N_("During refuge"),
        "during_return_transit": N_("During return or transit"),
        "post_displacement": N_("After displacement"),
    },
    Abduction: {
        "none": N_("None"),
        "forced_conscription": N_("Forced conscription"),
        "trafficked": N_("Trafficked"),
        "other_abduction_kidnapping": N_("Other abduction or kidnapping"),
    },
    YesNoUnknown: {"yes": N_("Yes"), "no": N_("No"), "unknown": N_("Unknown")},
    ReportedElsewhere: {
        "no": N_("No"),
        "gbvims_organisation": N_("Yes, to a GBVIMS organisation"),
        "non_gbvims_organisation": N_("Yes, to an organisation outside the GBVIMS"),
    },
    ReportingDelay: {
        "0_3_days": N_("0 to 3 days"),
        "4_5_days": N_("4 to 5 days"),
        "6_14_days": N_("6 to 14 days"),
        "2_weeks_1_month": N_("2 weeks to 1 month"),
        "over_1_month": N_("Over 1 month"),
    },
    PerpetratorCount: {"1": "1", "2": "2", "3": "3", "more_than_3": N_("More than 3")},
    MaritalStatus: {
        "single": N_("Single"),
        "married_cohabiting": N_("Married or cohabiting"),
        "divorced_separated": N_("Divorced or separated"),
        "widowed": N_("Widowed"),
        "unknown": N_("Unknown"),
    },
    ChildSeparation: {
        "unaccompanied": N_("Unaccompanied child"),
        "separated": N_("Separated child"),
        "no": N_("No"),
        "unknown": N_("Unknown"),
    },
    DisabilityKind: {
        "physical": N_("Physical"),
        "sensory": N_("Sensory"),
        "mental_intellectual": N_("Mental or intellectual"),
        "other": N_("Other"),
    },
    PerpetratorAgeGroup: {
        "0-11": N_("0 to 11"),
        "12-17": N_("12 to 17"),
        "18-25": N_("18 to 25"),
        "26-40": N_("26 to 40"),
        "41-60": N_("41 to 60"),
        "61+": N_("61 and over"),
        "unknown": N_("Unknown"),
    },
    Relationship: {
        "intimate_partner": N_("Intimate or former partner"),
        "primary_caregiver": N_("Primary caregiver"),
        "other_family": N_("Family other than spouse or caregiver"),
        "supervisor_employer": N_("Supervisor or employer"),
        "schoolmate": N_("Schoolmate"),
        "teacher": N_("Teacher or school official"),
        "service_provider": N_("Service provider"),
        "co_tenant": N_("Co-tenant or housemate"),
        "family_friend_neighbour": N_("Family friend or neighbour"),
        "other_refugee_idp_returnee": N_("Other refugee, IDP or returnee"),
        "other_community_member": N_("Other resident community member"),
        "no_relation": N_("No relation"),
        "unknown": N_("Unknown"),
        "other": N_("Other"),
    },
    Involvement: {"primary": N_("Primary"), "secondary": N_("Secondary")},
}
# The incident's intake fields, as a version's changes and the forms name them.
GBVIMS_FIELD_LABELS = {
    "time_of_day": N_("Time of day"),
    "place_type": N_("Type of place"),
    "displacement_stage": N_("Stage of displacement at the time"),
    "abduction": N_("Abduction at the time"),
    "goods_money_exchanged": N_("Money, goods, benefits or services exchanged"),
    "reported_elsewhere": N_("Reported elsewhere before"),
    "previous_gbv_incidents": N_("Previous GBV incidents"),
    "perpetrator_count": N_("Number of alleged perpetrators"),
    "reporting_delay": N_("Reporting delay"),
}
GBVIMS_FIELD_ENUMS: dict[str, type[StrEnum]] = {
    "time_of_day": TimeOfDay,
    "place_type": PlaceType,
    "displacement_stage": DisplacementStage,
    "abduction": Abduction,
    "goods_money_exchanged": YesNoUnknown,
    "reported_elsewhere": ReportedElsewhere,
    "previous_gbv_incidents": YesNoUnknown,
    "perpetrator_count": PerpetratorCount,
    "reporting_delay": ReportingDelay,
}
# Each warning of app/incidents/crosswalk.py, as the pages word it.
WARNING_TEXTS = {
    TYPE_NOT_CONSISTENT: N_(
        "The GBVIMS incident type ({gbv_type}) is not consistent with any of the forms of "
        "violence ({violations}). It was saved as entered: check it."
    ),
    TYPE_AFTER_ESTABLISHED: N_(
        "The forms of violence establish the GBVIMS type {expected}, which GBVIMS records "
        "before {gbv_type}. It was saved as entered: check it."
    ),
}

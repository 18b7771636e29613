"""How each stored value is named on screen (English source text; see the catalogue for French).

Declared as data, once: the pages, the chart and the CSV headings all read these tables.
"""

from datetime import date
from enum import StrEnum
from typing import Any

from babel.dates import format_date

from app.counting.periods import VerificationTiming
from app.models.aggregate import AggregateDimension, AggregateMeasure
from app.models.enums import (
    AgeGroup,
    ConsentKind,
    DatePrecision,
    Disability,
    DisplacementStatus,
    GbvType,
    JudicialStage,
    Jurisdiction,
    PerpetratorCategory,
    Role,
    Sex,
    Source,
    VerificationStatus,
    VictimCategory,
    Violation,
)
from app.models.gbvims import (
    ChildSeparation,
    DisabilityKind,
    DisplacementStage,
    MaritalStatus,
    PlaceType,
    ReportingDelay,
    TimeOfDay,
)
from app.models.party_dossier import AnnexSection, CommitmentKind
from app.models.referral import ReferralStatus, ServiceKind
from app.party_dossiers.schemas import PatternStatus, YearStatus
from app.stats.dimensions import DimensionName
from app.stats.schemas import Measure
from app.web.audit_actions import AUDIT_ACTION_LABELS
from app.web.i18n import N_, Translator
from app.web.labels_gbvims import (
    GBVIMS_ENUM_LABELS,
    GBVIMS_FIELD_ENUMS,
    GBVIMS_FIELD_LABELS,
    WARNING_TEXTS,
)

ENUM_LABELS: dict[type[StrEnum], dict[str, str]] = {
    AnnexSection: {
        "A": N_("A: situations of armed conflict"),
        "B": N_("B: other situations of concern"),
    },
    CommitmentKind: {
        "joint_communique": N_("Joint communiqué"),
        "unilateral_communique": N_("Unilateral communiqué"),
        "action_plan": N_("Action plan"),
        "code_of_conduct": N_("Code of conduct"),
        "other": N_("Other"),
    },
    YearStatus: {
        "met": N_("Reached"),
        "not_met": N_("Not reached"),
        "undetermined": N_("Cannot tell from the protected figures"),
    },
    PatternStatus: {
        "meets": N_("Meets the rule"),
        "does_not_meet": N_("Does not meet the rule"),
        "undetermined": N_("Cannot tell from the protected figures"),
    },
    ServiceKind: {
        "health_medical": N_("Health and medical care"),
        "psychosocial": N_("Psychosocial support"),
        "legal_assistance": N_("Legal assistance"),
        "safety_shelter": N_("Safety and shelter"),
        "police_security": N_("Police and security"),
        "livelihoods": N_("Livelihoods"),
        "child_protection": N_("Child protection"),
        "education": N_("Education"),
        "other": N_("Other"),
    },
    ReferralStatus: {
        "referred": N_("Referred"),
        "accepted": N_("Accepted"),
        "service_provided": N_("Service provided"),
        "declined_by_survivor": N_("Declined by the survivor"),
        "service_unavailable": N_("Service unavailable"),
        "not_applicable": N_("Not applicable"),
        "already_received_from_another_agency": N_("Already received from another agency"),
    },
    DatePrecision: {"day": N_("Exact day"), "month": N_("Month only"), "year": N_("Year only")},
    Violation: {
        "rape": N_("Rape"),
        "attempted_rape": N_("Attempted rape"),
        "sexual_slavery": N_("Sexual slavery"),
        "forced_prostitution": N_("Forced prostitution"),
        "forced_pregnancy": N_("Forced pregnancy"),
        "forced_abortion": N_("Forced abortion"),
        "enforced_sterilization": N_("Enforced sterilization"),
        "forced_marriage": N_("Forced marriage"),
        "sexual_mutilation": N_("Sexual mutilation"),
        "trafficking_sexual_exploitation": N_("Trafficking for sexual exploitation"),
        "other_sexual_violence": N_("Other sexual violence"),
    },
    GbvType: {
        "rape": N_("Rape"),
        "sexual_assault": N_("Sexual assault"),
        "physical_assault": N_("Physical assault"),
        "forced_marriage": N_("Forced marriage"),
        "denial_of_resources": N_("Denial of resources, opportunities or services"),
        "psychological_abuse": N_("Psychological or emotional abuse"),
    },
    Source: {
        "gbvims": N_("GBVIMS"),
        "mission_human_rights": N_("Mission human rights component"),
        "protection_adviser": N_("Protection adviser"),
        "ngo": N_("NGO"),
        "media": N_("Media"),
        "other": N_("Other"),
    },
    VerificationStatus: {
        "reported": N_("Reported"),
        "pending_verification": N_("Pending verification"),
        "verified": N_("Verified"),
        "not_verified": N_("Not verified"),
        "discarded": N_("Discarded"),
    },
    Sex: {"female": N_("Female"), "male": N_("Male"), "unknown": N_("Unknown")},
    AgeGroup: {
        "0-11": N_("0 to 11"),
        "12-17": N_("12 to 17"),
        "18-25": N_("18 to 25"),
        "26-40": N_("26 to 40"),
        "41-60": N_("41 to 60"),
        "61+": N_("61 and over"),
        "child": N_("Child (age unknown)"),
        "adult": N_("Adult (age unknown)"),
        "unknown": N_("Unknown"),
    },
    VictimCategory: {
        "woman": N_("Woman"),
        "girl": N_("Girl"),
        "man": N_("Man"),
        "boy": N_("Boy"),
        "unknown": N_("Unknown"),
    },
    DisplacementStatus: {
        "resident": N_("Resident"),
        "idp": N_("Internally displaced"),
        "refugee": N_("Refugee"),
        "stateless": N_("Stateless"),
        "returnee": N_("Returnee"),
        "foreign_national": N_("Foreign national"),
        "asylum_seeker": N_("Asylum seeker"),
        "unknown": N_("Unknown"),
    },
    Disability: {"yes": N_("Yes"), "no": N_("No"), "unknown": N_("Unknown")},
    PerpetratorCategory: {
        "non_state_armed_group": N_("Non-state armed group"),
        "state_security_forces": N_("National security forces"),
        "unidentified_armed_element": N_("Unidentified armed element"),
        "international_forces": N_("International forces"),
        "civilian": N_("Civilian"),
        "other": N_("Other"),
    },
    ConsentKind: {
        "statistics": N_("Counted in shared statistics"),
        "referral": N_("Referral to other services"),
        "justice": N_("Case passed to justice actors"),
    },
    Jurisdiction: {
        "national": N_("National"),
        "military": N_("Military"),
        "international": N_("International"),
        "hybrid": N_("Hybrid"),
    },
    JudicialStage: {
        "no_complaint": N_("No complaint"),
        "complaint_filed": N_("Complaint filed"),
        "preliminary_investigation": N_("Preliminary investigation"),
        "judicial_investigation": N_("Judicial investigation"),
        "committed_for_trial": N_("Committed for trial"),
        "trial": N_("Trial"),
        "verdict": N_("Verdict"),
        "appeal": N_("Appeal"),
        "convicted": N_("Convicted"),
        "acquitted": N_("Acquitted"),
        "dismissed": N_("Dismissed"),
        "closed_without_action": N_("Closed without action"),
        "withdrawn": N_("Withdrawn"),
    },
    Role: {
        "protection_adviser": N_("Protection adviser"),
        "report_writer": N_("Report writer"),
        "judicial_tracker": N_("Judicial tracker"),
        "admin": N_("Administrator of the organisation"),
        "system_admin": N_("Administrator of the registry"),
    },
    VerificationTiming: {
        "same_quarter": N_("Verified within the quarter reported"),
        "late": N_("Verified late (after the quarter reported)"),
    },
    DimensionName: {
        "perpetrator_category": N_("Perpetrator category"),
        "victim_category": N_("Victim category"),
        "violation": N_("Form of violence"),
        "verification_status": N_("Verification status"),
        "source": N_("Source"),
        "admin1": N_("Region"),
        "year": N_("Year"),
        "month": N_("Month"),
        "quarter": N_("Quarter"),
        "verified_in_quarter": N_("Quarter verified"),
        "verification_timing": N_("Verification timing"),
        "armed_party": N_("Armed party"),
        "judicial_stage": N_("Judicial stage"),
        "court": N_("Court"),
        "service_kind": N_("Service referred to"),
        "referral_status": N_("Referral status"),
        "country": N_("Country"),
        "gbv_type": N_("GBVIMS incident type"),
        "time_of_day": N_("Time of day"),
        "place_type": N_("Type of place"),
        "displacement_stage": N_("Stage of displacement at the time"),
        "reporting_delay": N_("Reporting delay"),
        "displacement_status": N_("Displacement status"),
        "disability": N_("Disability"),
        "age_group": N_("Age group"),
    },
    Measure: {
        "all_victims": N_("All victims"),
        "victims_referred": N_("Victims referred to a service"),
        "victims_served": N_("Victims who received a service"),
    },
    **GBVIMS_ENUM_LABELS,
    AggregateMeasure: {"incidents": N_("Incidents"), "survivors": N_("Survivors")},
    AggregateDimension: {
        "perpetrator_category": N_("Perpetrator category"),
        "victim_category": N_("Survivor sex and age group"),
        "gbv_type": N_("GBVIMS incident type"),
        "admin1": N_("Region"),
        "violation": N_("Form of violence"),
    },
}


# The incident fields a version's changes can name.
FIELD_LABELS = {
    "occurred_on": N_("Date of the incident"),
    "date_precision": N_("Date precision"),
    "reported_on": N_("Date reported"),
    "country": N_("Country code"),
    "admin1": N_("Region"),
    "admin2": N_("Cercle or district"),
    "admin3": N_("Commune"),
    "pcode": N_("P-code"),
    "gbv_type": N_("GBVIMS incident type"),
    "source": N_("Source"),
    "verification_status": N_("Verification status"),
    "verified_on": N_("Date verified"),
    "archived_at": N_("Archived"),
    "archive_reason": N_("Reason for archiving"),
    "duplicate_of_id": N_("Duplicate of"),
    "duplicate_reason": N_("Reason for the duplicate link"),
    "violations": N_("Forms of violence"),
    "victims": N_("Victims"),
    "perpetrators": N_("Perpetrators"),
    "summary": N_("Account of the incident"),
    "victims.identity": N_("Identifying details"),
    **GBVIMS_FIELD_LABELS,
}
# The dimensions whose values are a vocabulary (the others are names: regions, courts, parties).
DIMENSION_VALUE_ENUMS: dict[str, type[StrEnum]] = {
    "perpetrator_category": PerpetratorCategory,
    "victim_category": VictimCategory,
    "violation": Violation,
    "verification_status": VerificationStatus,
    "source": Source,
    "judicial_stage": JudicialStage,
    "service_kind": ServiceKind,
    "referral_status": ReferralStatus,
    "verification_timing": VerificationTiming,
    "gbv_type": GbvType,
    "time_of_day": TimeOfDay,
    "place_type": PlaceType,
    "displacement_stage": DisplacementStage,
    "reporting_delay": ReportingDelay,
    "displacement_status": DisplacementStatus,
    "disability": Disability,
    "age_group": AgeGroup,
}
# The dimensions whose values are quarters written `2019-Q3`, named "Q3 2019" ("T3 2019").
QUARTER_DIMENSIONS = frozenset({"quarter", "verified_in_quarter"})
FIELD_ENUMS: dict[str, type[StrEnum]] = {
    "date_precision": DatePrecision,
    "gbv_type": GbvType,
    "source": Source,
    "verification_status": VerificationStatus,
    "violations": Violation,
    **GBVIMS_FIELD_ENUMS,
}
# A victim's fields that a version can change, as the incident form names them, in its order.
VICTIM_FIELD_LABELS = {
    "sex": N_("Sex"),
    "age": N_("Age"),
    "age_group": N_("Age group"),
    "displacement_status": N_("Displacement"),
    "disability": N_("Disability"),
    "disability_kind": N_("Kind of disability"),
    "marital_status": N_("Marital status"),
    "unaccompanied_separated": N_("Unaccompanied or separated child"),
    "country_of_origin": N_("Country of origin"),
}
VICTIM_FIELD_ENUMS: dict[str, type[StrEnum]] = {
    "sex": Sex,
    "age_group": AgeGroup,
    "displacement_status": DisplacementStatus,
    "disability": Disability,
    "disability_kind": DisabilityKind,
    "marital_status": MaritalStatus,
    "unaccompanied_separated": ChildSeparation,
}
FILTER_LABELS = {
    "violation": N_("Form of violence"),
    "source": N_("Source"),
    "verification_status": N_("Verification status"),
    "perpetrator_category": N_("Perpetrator category"),
}
# What an audit event's record is, as the audit trail names it (its code otherwise).
RECORD_TYPE_LABELS = {
    "incident": N_("Incident"),
    "victim": N_("Victim"),
    "user": N_("User account"),
    "organisation": N_("Organisation"),
    "judicial_case": N_("Judicial case"),
    "court": N_("Court"),
    "referral": N_("Referral"),
    "service_point": N_("Service point"),
    "armed_party": N_("Armed party"),
    "pattern_rule": N_("Pattern rule"),
    "party_listing": N_("Annex listing"),
    "party_commitment": N_("Commitment"),
    "party_sanction": N_("Sanctions listing"),
    "region_map": N_("Region map"),
    "aggregate_submission": N_("Partner's table"),
}
ACTION_LABELS = {
    "create": N_("Recorded"),
    "update": N_("Edited"),
    "verification": N_("Verification decision"),
    "consent": N_("Consent recorded"),
    "archive": N_("Archived"),
    "duplicate": N_("Marked as a duplicate"),
    "duplicate_unlink": N_("Duplicate link removed"),
}


class Labels:
    """Enum values and options named in the user's language."""

    def __init__(self, translator: Translator) -> None:
        self._t = translator

    def of(self, enum_class: type[StrEnum], value: str | None) -> str:
        if value is None:
            return self._t.gettext("Not recorded")
        return self._t.gettext(ENUM_LABELS[enum_class].get(str(value), str(value)))

    def options(self, enum_class: type[StrEnum]) -> list[tuple[str, str]]:
        """(value, label) pairs in the vocabulary's own order, for a <select> or checkboxes."""
        return [(member.value, self.of(enum_class, member.value)) for member in enum_class]

    def field(self, name: str) -> str:
        return self._t.gettext(FIELD_LABELS.get(name, name))

    def action(self, name: str) -> str:
        return self._t.gettext(ACTION_LABELS.get(name, name))

    def audit_action(self, code: str) -> str:
        """An audit trail action in words; an action without a label stays its code."""
        label = AUDIT_ACTION_LABELS.get(code)
        return code if label is None else self._t.gettext(label)

    def record_type(self, name: str) -> str:
        return self._t.gettext(RECORD_TYPE_LABELS.get(name, name))

    def value(self, field: str, value: Any) -> str:
        """A stored value from a version's changes, in words; lists of victims summarised."""
        if value is None or value == []:
            return "—"
        if field == "victims" and isinstance(value, list):
            return ", ".join(self._victim(item) for item in value)
        if field == "perpetrators" and isinstance(value, list):
            return ", ".join(self.of(PerpetratorCategory, p.get("category")) for p in value)
        enum_class = FIELD_ENUMS.get(field)
        if isinstance(value, list):
            return ", ".join(self.value(field, item) for item in value)
        if enum_class is not None:
            return self.of(enum_class, str(value))
        return str(value)

    def victim_changes(self, old: Any, new: Any) -> list[tuple[str, list[str]]]:
        """What a version changed in each victim it kept ("Victim 2", ["Displacement: Unknown →
        Resident", ...]): the summary of the victims ("Woman (32)") does not show it. Victims
        added or removed show in the summary itself."""
        if not isinstance(old, list) or not isinstance(new, list):
            return []
        before = {victim.get("id"): victim for victim in old if isinstance(victim, dict)}
        changed = []
        for number, victim in enumerate(new, start=1):
            earlier = before.get(victim.get("id")) if isinstance(victim, dict) else None
            if earlier is None:
                continue
            lines = [
                self._change(self._t.gettext(label), *(self._victim_value(name, v) for v in pair))
                for name, label in VICTIM_FIELD_LABELS.items()
                if (pair := (earlier.get(name), victim.get(name)))[0] != pair[1]
            ]
            old_consent, new_consent = earlier.get("consent") or {}, victim.get("consent") or {}
            for kind in ConsentKind:
                if old_consent.get(kind.value) != new_consent.get(kind.value):
                    label = f"{self._t.gettext('Consent:')} {self.of(ConsentKind, kind.value)}"
                    lines.append(
                        self._change(
                            label,
                            self._consent(old_consent.get(kind.value)),
                            self._consent(new_consent.get(kind.value)),
                        )
                    )
            if lines:
                changed.append((self._t.format(N_("Victim {number}"), number=number), lines))
        return changed

    def _victim_value(self, name: str, value: Any) -> str:
        if value is None:
            return "—"
        enum_class = VICTIM_FIELD_ENUMS.get(name)
        return self.of(enum_class, str(value)) if enum_class else str(value)

    def _consent(self, granted: bool | None) -> str:
        if granted is None:
            return self._t.gettext(N_("Not asked"))
        return self._t.gettext(N_("Given") if granted else N_("Refused"))

    def _change(self, label: str, old: str, new: str) -> str:
        return self._t.format(N_("{label}: {value}"), label=label, value=f"{old} → {new}")

    def _victim(self, victim: dict[str, Any]) -> str:
        text = self.of(VictimCategory, victim.get("category"))
        return f"{text} ({victim['age']})" if victim.get("age") is not None else text

    def incident_date(self, day: date, precision: str) -> str:
        """A date as precise as it is known: "2019", "March 2019" ("mars 2019"), "2019-03-14"."""
        if precision == DatePrecision.YEAR:
            return str(day.year)
        if precision == DatePrecision.MONTH:
            return format_date(day, "LLLL y", locale=self._t.language)
        return day.isoformat()

    @staticmethod
    def incident_date_value(day: date, precision: str) -> str:
        """The same, for a <time datetime> attribute: "2019", "2019-03", "2019-03-14"."""
        if precision == DatePrecision.YEAR:
            return f"{day.year:04d}"
        if precision == DatePrecision.MONTH:
            return day.isoformat()[:7]
        return day.isoformat()

    def quarter(self, code: str) -> str:
        """A quarter written `2019-Q3`, in words: "Q3 2019" ("T3 2019" in French)."""
        year, _, quarter = code.partition("-Q")
        return self._t.format(N_("Q{quarter} {year}"), quarter=quarter, year=year)

    def warning(self, warning: Any) -> str:
        """A warning about an incident (app/incidents/crosswalk.py), its values named."""
        values = dict(warning.values)
        if "gbv_type" in values:
            values["gbv_type"] = self.of(GbvType, values["gbv_type"])
        if "expected" in values:
            values["expected"] = self.of(GbvType, values["expected"])
        if "violations" in values:
            values["violations"] = self.violations(values["violations"].split(", "))
        text = WARNING_TEXTS.get(warning.code)
        return self._t.format(text, **values) if text else str(warning.message)

    def field_filter(self, name: str) -> str:
        return self._t.gettext(FILTER_LABELS.get(name, name))

    # Lists as one line of text, for tables.
    def violations(self, values: list[str]) -> str:
        return ", ".join(self.of(Violation, value) for value in values)

    def victim_categories(self, victims: list[Any]) -> str:
        return ", ".join(self.of(VictimCategory, victim.category) for victim in victims)

    def perpetrator_categories(self, perpetrators: list[Any]) -> str:
        return ", ".join(self.of(PerpetratorCategory, p.category) for p in perpetrators)

    def verification_options(self, values: list[str]) -> list[tuple[str, str]]:
        return [(value, self.of(VerificationStatus, value)) for value in values]

    def chart_title(self, dimension: StrEnum) -> str:
        title = N_("Incidents by {dimension}")
        return self._t.format(title, dimension=self.of(DimensionName, dimension))

    def victims_chart_title(self, dimension: StrEnum) -> str:
        title = N_("Victims by {dimension}")
        return self._t.format(title, dimension=self.of(DimensionName, dimension))

    def stage_options(self, values: list[str] | None) -> list[tuple[str, str]]:
        """The stages a case may move to; every stage when `values` is None (a correction)."""
        if values is None:
            return self.options(JudicialStage)
        return [(value, self.of(JudicialStage, value)) for value in values]

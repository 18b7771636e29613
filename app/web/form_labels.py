"""Each form's fields as their labels name them: the list of problems above a form says
"Date of the incident: must not be in the future", in the form's order, in the user's language."""

from app.models.enums import ConsentKind
from app.web.forms import ROW_FIELD
from app.web.i18n import N_, Translator
from app.web.labels import Labels
from app.web.labels_gbvims import GBVIMS_FIELD_LABELS

INCIDENT_LABELS = {
    "occurred_on": N_("Date of the incident"),
    "date_precision": N_("Date precision"),
    "reported_on": N_("Date reported"),
    "country": N_("Country code"),
    "admin1": N_("Region"),
    "admin2": N_("Cercle or district"),
    "admin3": N_("Commune"),
    "pcode": N_("P-code"),
    "violations": N_("Forms of violence"),
    "gbv_type": N_("GBVIMS incident type"),
    "source": N_("Source"),
    **GBVIMS_FIELD_LABELS,
    "summary": N_("Account of the incident"),
    "victims": N_("Victims"),
    "perpetrators": N_("Perpetrators"),
}
ROW_LABELS = {
    "victims": (N_("{field} (victim {number})"), N_("Victim {number}")),
    "perpetrators": (N_("{field} (perpetrator {number})"), N_("Perpetrator {number}")),
}
ROW_FIELD_LABELS = {
    "sex": N_("Sex"),
    "age": N_("Age"),
    "age_group": N_("Age group"),
    "displacement_status": N_("Displacement"),
    "disability": N_("Disability"),
    "disability_kind": N_("Kind of disability"),
    "marital_status": N_("Marital status"),
    "unaccompanied_separated": N_("Unaccompanied or separated child"),
    "country_of_origin": N_("Country of origin"),
    "name": N_("Name (stored encrypted)"),
    "contact": N_("Contact (stored encrypted)"),
    "consent_statistics": N_("Consent"),
    "consent_referral": N_("Consent"),
    "consent_justice": N_("Consent"),
    "category": N_("Category"),
    "armed_party_id": N_("Named armed party"),
    "relationship": N_("Relationship to the survivor"),
    "occupation": N_("Occupation"),
    "involvement": N_("Primary or secondary"),
}
FORM_LABELS: dict[str, dict[str, str]] = {
    "incident": INCIDENT_LABELS,
    "incident_list": {
        "reference": N_("Reference"),
        "occurred_from": N_("From"),
        "occurred_to": N_("To"),
        "country": N_("Country code"),
        "admin1": N_("Region"),
        "violation": N_("Form of violence"),
        "source": N_("Source"),
        "verification_status": N_("Verification status"),
        "perpetrator_category": N_("Perpetrator category"),
        "armed_party_id": N_("Named armed party"),
        "cursor": N_("Pages"),
    },
    "verification": {
        "status": N_("New status"),
        "standard": N_("Standard of proof"),
        "sources": N_("Sources relied on (one per line, kinds of source, never names)"),
        "note": N_("Reason or note"),
        "reopen": N_("Reopen a concluded decision"),
        "verified_on": N_("Date verified"),
        "version": N_("Version"),
    },
    "event": {
        "kind": N_("What happened"),
        "occurred_on": N_("Date"),
        "stage": N_("New stage"),
        "note": N_("Description"),
    },
    "statistics": {
        "group_by": N_("Count by"),
        "then_by": N_("Then by (optional)"),
        "measure": N_("Victims counted"),
        "occurred_from": N_("From"),
        "occurred_to": N_("To"),
        "country": N_("Country code"),
        "admin1": N_("Region"),
        "quarter": N_("Quarter of the incident"),
        "verified_in_quarter": N_("Quarter verified"),
        "basis": N_("Which incidents"),
        "source": N_("Source"),
        "verification_status": N_("Verification status"),
        "violation": N_("Form of violence"),
        "perpetrator_category": N_("Perpetrator category"),
        "armed_party_id": N_("Armed party"),
    },
    "referral": {
        "service_kind": N_("Kind of service"),
        "service_point_id": N_("Service point"),
        "outside_name": N_("Or a service outside the directory"),
        "referred_on": N_("Referred on"),
        "status": N_("New status"),
        "status_on": N_("Status reached on"),
        "followed_up_on": N_("Followed up on"),
        "next_follow_up_on": N_("Next follow-up"),
        "note": N_("Note (encrypted, seen only by your organisation)"),
        "version": N_("Version"),
    },
    "stalled": {"months": N_("No judicial act for at least (months)")},
    "pattern_rule": {
        "min_incidents_per_year": N_("Verified incidents a year, at least"),
        "years_required": N_("In at least this many years"),
        "window_years": N_("Of the last years (the year asked about included)"),
        "version": N_("Version"),
    },
    "listing": {
        "report_reference": N_("Report (symbol)"),
        "report_year": N_("Year the report covers"),
        "section": N_("Section of the annex"),
        "delisted_on": N_("Delisted on"),
        "notes": N_("Notes"),
        "version": N_("Version"),
    },
    "commitment": {
        "kind": N_("Kind of commitment"),
        "made_on": N_("Date"),
        "text_reference": N_("Text (reference)"),
        "implemented_percent": N_("Activities implemented (per cent)"),
        "assessed_on": N_("Assessed on"),
        "notes": N_("Notes"),
        "version": N_("Version"),
    },
    "sanction": {
        "regime": N_("Sanctions regime"),
        "listed_on": N_("Listed on"),
        "reference": N_("Reference"),
        "delisted_on": N_("Delisted on"),
        "notes": N_("Notes"),
        "version": N_("Version"),
    },
    "court": {
        "name": N_("Name"),
        "jurisdiction": N_("Jurisdiction"),
        "country": N_("Country code"),
        "place": N_("Place"),
    },
    "case": {
        "court_id": N_("Court"),
        "docket_reference": N_("Docket number"),
        "incident_ids": N_("Incidents"),
        "consent_override_reason": N_("Why the case goes ahead without their consent"),
        "stage": N_("Stage"),
        "opened_on": N_("Date of the complaint"),
        "stage_since": N_("In this stage since"),
        "last_act_on": N_("Last judicial act"),
        "charges": N_("Charges"),
        "accused_count": N_("Accused"),
        "version": N_("Version"),
    },
    "user": {
        "username": N_("Username"),
        "password": N_("Password"),
        "roles": N_("Roles"),
        "is_active": N_("Account status"),
    },
    "login": {
        "username": N_("Username"),
        "password": N_("Password"),
        "one_time_code": N_("One-time code (if you use a second factor)"),
    },
    "account": {
        "code": N_("Code from the app"),
        "password": N_("Your password"),
        "current_password": N_("Current password"),
        "new_password": N_("New password"),
        "repeated_password": N_("New password again"),
    },
    "trends": {
        "period": N_("By"),
        "occurred_from": N_("From"),
        "occurred_to": N_("To"),
        "country": N_("Country code"),
        "shade_by": N_("Map shaded by"),
    },
    "paragraphs": {
        "period": N_("Year or quarter (2019, 2019-Q3)"),
        "occurred_from": N_("Or from"),
        "occurred_to": N_("To"),
        "country": N_("Country code"),
        "lang": N_("Language of the draft"),
    },
    "party_year": {"year": N_("Year")},  # a dossier's and the patterns table's
    "region_map": {
        "country": N_("Country code"),
        "code_property": N_("P-code property"),
        "name_property": N_("Name property"),
        "file": N_("GeoJSON file"),
    },
    "service_directory": {
        "country": N_("Country code"),
        "admin1": N_("Region"),
        "admin2": N_("Cercle or district"),
        "kind": N_("Kind of service"),
    },
    "care_72_hours": {
        "group_by": N_("Count by"),
        "period_unit": N_("Period"),
        "occurred_from": N_("From"),
        "occurred_to": N_("To"),
        "country": N_("Country code"),
        "admin1": N_("Region"),
    },
    "service_gaps": {
        "occurred_from": N_("From"),
        "occurred_to": N_("To"),
        "country": N_("Country code"),
        "admin1": N_("Region"),
    },
    "audit": {
        "user_id": N_("By"),
        "record_id": N_("Record id"),
        "action": N_("Action"),
        "since": N_("From"),
        "until": N_("To"),
        "cursor": N_("Pages"),
    },
}


def field_label(t: Translator, form: str, name: str) -> str | None:
    """The label of a form's field in the user's language: "victims-1-age" -> "Age (victim 2)"."""
    row = ROW_FIELD.match(name)
    if row is not None:
        with_field, alone = ROW_LABELS[row["list"]]
        number = int(row["index"]) + 1
        field = ROW_FIELD_LABELS.get(row["field"])
        if field is None:
            return t.format(alone, number=number)
        return t.format(with_field, number=number, field=t.gettext(field))
    label = FORM_LABELS.get(form, {}).get(name)
    return None if label is None else t.gettext(label)


CONSENT_KINDS = {kind.value for kind in ConsentKind}  # a victim's consent.update names these

# The forms whose labels name an audit event's fields, by the kind of record it is about: the
# first that labels a field names it ("verified_on" is the verification form's "Date verified").
AUDIT_RECORD_FORMS = {
    "incident": ("incident", "incident_list", "verification"),
    "user": ("user",),
    "court": ("court",),
    "judicial_case": ("case",),
    "referral": ("referral",),
    "pattern_rule": ("pattern_rule",),
    "party_listing": ("listing",),
    "party_commitment": ("commitment",),
    "party_sanction": ("sanction",),
}


def audit_field_label(t: Translator, record_type: str | None, name: str) -> str | None:
    """A field an audit event names, as the pages label it ("admin2" -> "Cercle or district");
    None for a name the pages have no label for, which the trail shows as its code."""
    if record_type == "victim":
        if name in CONSENT_KINDS:
            return f"{t.gettext('Consent:')} {Labels(t).of(ConsentKind, name)}"
        label = ROW_FIELD_LABELS.get(name)
        return None if label is None else t.gettext(label)
    for form in AUDIT_RECORD_FORMS.get(record_type or "", ()):
        if (label := FORM_LABELS[form].get(name)) is not None:
            return t.gettext(label)
    return None


def in_form_order(form: str, errors: dict[str, str]) -> list[tuple[str, str]]:
    """The errors in the order their fields come in the form (rows by number), for the summary."""
    order = list(FORM_LABELS.get(form, {}))
    row_order = list(ROW_FIELD_LABELS)

    def position(name: str) -> tuple[int, int, int]:
        row = ROW_FIELD.match(name)
        if row is not None:
            field = row["field"]
            in_row = row_order.index(field) if field in row_order else len(row_order)
            return (_index(order, row["list"]), int(row["index"]), in_row)
        return (-1 if name == "form" else _index(order, name), 0, 0)

    return sorted(errors.items(), key=lambda item: position(item[0]))


def _index(names: list[str], name: str) -> int:
    return names.index(name) if name in names else len(names)

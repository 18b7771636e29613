"""The three tables of the record export, their columns declared once for CSV and XLSX.

Incidents, victims and perpetrators, one row each, joined by the incident's `reference` (the
victims' and perpetrators' `incident_reference`). Identifying columns (a victim's name, contact,
address and notes, an incident's summary) are added only to an export that includes identity.
"""

import enum
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

INCIDENT_COLUMNS = (
    "reference",
    "id",
    "occurred_on",
    "date_precision",
    "reported_on",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "pcode",
    "violations",
    "gbv_type",
    "source",
    "verification_status",
    "victims",
    "perpetrators",
    "duplicate_of_id",
    "version",
    "created_at",
    "updated_at",
    "archived_at",
)
INCIDENT_IDENTITY_COLUMNS = ("summary",)
VICTIM_COLUMNS = (
    "incident_reference",
    "victim_number",
    "victim_id",
    "sex",
    "age",
    "age_group",
    "category",
    "displacement_status",
    "disability",
    "consent_statistics",
    "consent_referral",
    "consent_justice",
    "has_identity",
)
# As `IdentityIn` names them; `notes` becomes `identity_notes` so no column is ambiguous.
IDENTITY_FIELDS = ("name", "contact", "address", "notes")
VICTIM_IDENTITY_COLUMNS = ("name", "contact", "address", "identity_notes")
PERPETRATOR_COLUMNS = (
    "incident_reference",
    "perpetrator_number",
    "perpetrator_id",
    "category",
    "armed_party_id",
    "armed_party_name",
    "armed_party_acronym",
)
CONSENT_KINDS = ("statistics", "referral", "justice")
# Values of a list column (forms of violence) are separated by this: no vocabulary code holds it.
LIST_SEPARATOR = " "


def headers(*, identity: bool) -> dict[str, tuple[str, ...]]:
    """Each table's name and its header row."""
    return {
        "incidents": INCIDENT_COLUMNS + (INCIDENT_IDENTITY_COLUMNS if identity else ()),
        "victims": VICTIM_COLUMNS + (VICTIM_IDENTITY_COLUMNS if identity else ()),
        "perpetrators": PERPETRATOR_COLUMNS,
    }


def incident_row(incident: Mapping[str, Any], summary: str | None, *, identity: bool) -> list[Any]:
    values = {
        **incident,
        "violations": LIST_SEPARATOR.join(_text(v) for v in incident["violations"]),
        "victims": len(incident["victims"]),
        "perpetrators": len(incident["perpetrators"]),
    }
    row = [_text(values[name]) for name in INCIDENT_COLUMNS]
    return [*row, summary or ""] if identity else row


def victim_rows(
    incident: Mapping[str, Any],
    identities: Mapping[uuid.UUID, Mapping[str, Any]] | None,
) -> list[list[Any]]:
    """One row per victim; with `identities` (victim id -> details), their details too."""
    rows = []
    for number, victim in enumerate(incident["victims"], start=1):
        consent = victim["consent"]
        row = [
            incident["reference"],
            number,
            *(
                _text(victim[name])
                for name in (
                    "id",
                    "sex",
                    "age",
                    "age_group",
                    "category",
                    "displacement_status",
                    "disability",
                )
            ),
            *(_text(consent[kind]["granted"]) if kind in consent else "" for kind in CONSENT_KINDS),
            _text(victim["has_identity"]),
        ]
        if identities is not None:
            details = identities.get(victim["id"], {})
            row += [_text(details.get(name)) for name in IDENTITY_FIELDS]
        rows.append(row)
    return rows


def perpetrator_rows(incident: Mapping[str, Any]) -> list[list[Any]]:
    rows = []
    for number, perpetrator in enumerate(incident["perpetrators"], start=1):
        party = perpetrator["armed_party"] or {}
        rows.append(
            [
                incident["reference"],
                number,
                _text(perpetrator["id"]),
                _text(perpetrator["category"]),
                _text(party.get("id")),
                _text(party.get("name")),
                _text(party.get("acronym")),
            ]
        )
    return rows


def _text(value: Any) -> Any:
    """A cell: numbers stay numbers, everything else is text (empty for nothing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)

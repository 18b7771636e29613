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

from app.incidents.schemas import IdentityIn, IncidentRead, PerpetratorRead, VictimRead
from app.models.enums import ConsentKind

# The list's fields, as `IncidentRead` and its parts declare them, so a field added there is
# exported too; the nested lists become the other two tables and counts here.
INCIDENT_FIELDS = tuple(
    name
    for name in IncidentRead.model_fields
    if name not in {"reference", "id", "victims", "perpetrators", "summary", "has_summary"}
)
INCIDENT_COLUMNS = ("reference", "id", *INCIDENT_FIELDS, "victims", "perpetrators")
INCIDENT_IDENTITY_COLUMNS = ("summary",)
VICTIM_FIELDS = tuple(
    name for name in VictimRead.model_fields if name not in {"id", "consent", "has_identity"}
)
CONSENT_KINDS = tuple(kind.value for kind in ConsentKind)
VICTIM_COLUMNS = (
    "incident_reference",
    "victim_number",
    "victim_id",
    *VICTIM_FIELDS,
    *(f"consent_{kind}" for kind in CONSENT_KINDS),
    "has_identity",
)
# As `IdentityIn` names them; `notes` becomes `identity_notes` so no column is ambiguous.
IDENTITY_FIELDS = tuple(IdentityIn.model_fields)
VICTIM_IDENTITY_COLUMNS = tuple(
    "identity_notes" if name == "notes" else name for name in IDENTITY_FIELDS
)
PERPETRATOR_FIELDS = tuple(
    name for name in PerpetratorRead.model_fields if name not in {"id", "armed_party"}
)
PERPETRATOR_COLUMNS = (
    "incident_reference",
    "perpetrator_number",
    "perpetrator_id",
    *PERPETRATOR_FIELDS,
    "armed_party_id",
    "armed_party_name",
    "armed_party_acronym",
)
# Values of a list (forms of violence) are separated by this: no vocabulary code holds it.
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
            _text(victim["id"]),
            *(_text(victim[name]) for name in VICTIM_FIELDS),
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
                *(_text(perpetrator[name]) for name in PERPETRATOR_FIELDS),
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
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(_text(item)) for item in value)
    return str(value)

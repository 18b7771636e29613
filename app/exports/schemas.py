"""The record export's query: the incident list's filters, and whether to include identity."""

from pydantic import Field

from app.incidents.filters import IncidentFilters


class ExportQuery(IncidentFilters):
    include_archived: bool = Field(default=False, description="As for the incident list.")
    include_identity: bool = Field(
        default=False,
        description="Add the victims' identifying details (name, contact, address, notes) and "
        "the incidents' summaries. Only for protection advisers of the owning organisation "
        "with identity access; anyone else asking is refused with 403. Audited either way.",
    )

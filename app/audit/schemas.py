import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.dates import FilterDateTime
from app.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID | None = Field(default=None, description="Events by this user.")
    record_id: str | None = Field(default=None, max_length=64, description="Events on this record.")
    record_type: str | None = Field(default=None, max_length=40)
    action: str | None = Field(default=None, max_length=40, description="e.g. `incident.update`.")
    since: FilterDateTime | None = None
    until: FilterDateTime | None = None
    cursor: str | None = Field(
        default=None, max_length=200, description="`next_cursor` of the last page."
    )
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class AuditEventRead(BaseModel):
    """An event as its organisation's admins see it. Not its place in the registry-wide chain
    (id, previous hash): the gaps between an organisation's own events would tell how busy the
    others were. `audit verify` checks the chain."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor_user_id: uuid.UUID | None
    actor_username: str | None
    actor_organisation_id: uuid.UUID | None
    action: str
    record_type: str | None
    record_id: str | None
    fields: list[str]
    details: dict[str, Any]
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEventRead]
    next_cursor: str | None

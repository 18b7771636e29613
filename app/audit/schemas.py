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
    before_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="`next_before_id` of the last page."
    )
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_user_id: uuid.UUID | None
    actor_username: str | None
    actor_organisation_id: uuid.UUID | None
    action: str
    record_type: str | None
    record_id: str | None
    fields: list[str]
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditEventRead]
    next_before_id: int | None

import uuid
from datetime import datetime

from pydantic import BaseModel

from app.core.permissions import Permission
from app.models.enums import Role


class TokenIssued(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    expires_in: int


class Me(BaseModel):
    user_id: uuid.UUID
    username: str
    organisation_id: uuid.UUID
    roles: list[Role]
    permissions: list[Permission]

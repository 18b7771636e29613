import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from app.models.enums import OrganisationKind, Role


def _fold_username(value: object) -> object:
    return value.strip().casefold() if isinstance(value, str) else value


# Folded before the pattern is checked, so "Awa.Keita" is accepted and stored as "awa.keita".
Username = Annotated[
    str,
    BeforeValidator(_fold_username),
    StringConstraints(min_length=3, max_length=80, pattern=r"^[a-z0-9._@-]+$"),
]
# Long rather than complex: a passphrase is easier to remember in the field and harder to guess.
Password = Annotated[str, StringConstraints(min_length=12, max_length=256)]
RoleList = Annotated[list[Role], Field(min_length=1)]
ReferenceCode = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().upper() if isinstance(value, str) else value),
    StringConstraints(pattern=r"^[A-Z0-9]{2,8}$"),
]


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    kind: OrganisationKind
    reference_code: ReferenceCode | None = Field(
        default=None,
        description="2 to 8 letters or digits in its incidents' references (ML-2019-CODE-000001);"
        " made from the name's initials if omitted. Cannot be changed.",
    )


class OrganisationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: OrganisationKind
    reference_code: str
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    password: Password
    organisation_id: uuid.UUID
    roles: RoleList


class UserUpdate(BaseModel):
    """Deactivating a user or changing their password revokes every token they hold."""

    model_config = ConfigDict(extra="forbid")

    roles: RoleList | None = None
    is_active: bool | None = None
    password: Password | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    organisation_id: uuid.UUID
    roles: list[Role]
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None
    password_change_required: bool = Field(
        description="The password was set by another account and not yet changed by its holder."
    )

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.core.permissions import Permission
from app.models.enums import Role


class TokenIssued(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    expires_in: int
    password_change_required: bool = Field(
        default=False,
        description="The password was chosen by someone else: the token does nothing but "
        "change it (POST /auth/password) until it is.",
    )


class Me(BaseModel):
    user_id: uuid.UUID
    username: str
    organisation_id: uuid.UUID
    roles: list[Role]
    permissions: list[Permission]
    password_change_required: bool = False


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)
    repeated_password: str = Field(max_length=1000, description="the new password again")


class SecondFactorEnrolment(BaseModel):
    """Shown once: put it in an authenticator app, then confirm with a code from it."""

    secret: str
    otpauth_uri: str


class SecondFactorStart(BaseModel):
    password: str = Field(max_length=1000, description="the account's password, asked again")


class SecondFactorConfirm(BaseModel):
    code: str = Field(min_length=6, max_length=8, description="the 6-digit code shown now")


class SecondFactorPolicyRead(BaseModel):
    required_for_identity_readers: bool

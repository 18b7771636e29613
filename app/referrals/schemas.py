"""Request and response bodies for the service directory and referrals."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.core.dates import FilterDate
from app.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.incidents.schemas import CountryCode, InputModel, PCode
from app.models.referral import ReferralStatus, ServiceKind


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold a NUL character: refuse it here rather than fail on write.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _distinct(values: list[ServiceKind]) -> list[ServiceKind]:
    return list(dict.fromkeys(values))


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_nul),
]
Place = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(_no_nul),
]
Contact = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_no_nul)]
Note = Annotated[str, StringConstraints(max_length=5000), AfterValidator(_no_nul)]
# A day planned ahead: within the periods the service accepts (app/core/dates.py), not year 9999.
FollowUpDate = FilterDate
KindList = Annotated[list[ServiceKind], Field(min_length=1), AfterValidator(_distinct)]


class ServicePointCreate(InputModel):
    name: Name
    kinds: KindList
    clinical_management_of_rape: bool = Field(
        default=False, description="Offers clinical management of rape (with `health_medical`)."
    )
    country: CountryCode
    admin1: Place | None = None
    admin2: Place | None = None
    pcode: PCode | None = None
    operating: bool = True
    referral_contact: Contact | None = None


class ServicePointUpdate(InputModel):
    name: Name | None = None
    kinds: KindList | None = None
    clinical_management_of_rape: bool | None = None
    country: CountryCode | None = None
    admin1: Place | None = None
    admin2: Place | None = None
    pcode: PCode | None = None
    operating: bool | None = None
    referral_contact: Contact | None = None
    version: int | None = Field(default=None, description="Or send If-Match.")


class ServicePointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    organisation_id: uuid.UUID
    kinds: list[ServiceKind]
    clinical_management_of_rape: bool
    country: str
    admin1: str | None
    admin2: str | None
    pcode: str | None
    operating: bool
    referral_contact: str | None
    version: int


class DirectoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: CountryCode | None = None
    admin1: Place | None = None
    admin2: Place | None = None
    kind: ServiceKind | None = None
    operating: bool | None = None
    name: Place | None = Field(default=None, description="Part of the name, any case.")


class ReferralCreate(InputModel):
    service_kind: ServiceKind
    service_point_id: uuid.UUID | None = Field(
        default=None, description="A point of the directory; or give `outside_name`."
    )
    outside_name: Name | None = Field(default=None, description="A service not in the directory.")
    referred_on: date
    next_follow_up_on: FollowUpDate | None = None
    note: Note | None = Field(
        default=None, description="Encrypted; only your organisation reads it."
    )


class ReferralUpdate(InputModel):
    """A status reached (on a day), a follow-up, or both. The service point's organisation may
    send only `status` and `status_on`."""

    status: ReferralStatus | None = None
    status_on: date | None = Field(default=None, description="The day the status was reached.")
    followed_up_on: date | None = None
    next_follow_up_on: FollowUpDate | None = None
    note: Note | None = None
    version: int | None = Field(default=None, description="Or send If-Match.")


class ReferralEventRead(BaseModel):
    version: int
    from_status: ReferralStatus | None
    to_status: ReferralStatus | None
    status_on: date | None
    followed_up_on: date | None
    next_follow_up_on: date | None
    note: str | None = None  # only for the referring organisation, and that read is audited
    changed_at: datetime
    by_service_point: bool


class ReferralReceived(BaseModel):
    """What the service point's organisation sees: no survivor, no incident, no notes."""

    id: uuid.UUID
    code: str
    service_kind: ServiceKind
    service_point_id: uuid.UUID | None
    referred_on: date
    status: ReferralStatus
    status_on: date
    version: int
    allowed_next: list[ReferralStatus]


class ReceivedQuery(BaseModel):
    """A page of the referrals received; a parameter it does not know is refused by name (a
    misspelt `cursor` would otherwise give the first page again, for ever)."""

    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(
        default=None, max_length=200, description="`next_cursor` of the previous page."
    )
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ReceivedPage(BaseModel):
    items: list[ReferralReceived]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    limit: int


class ReferralRead(ReferralReceived):
    incident_id: uuid.UUID
    victim_id: uuid.UUID
    outside_name: str | None
    service_point_name: str | None
    next_follow_up_on: date | None
    referred_by_id: uuid.UUID | None
    history: list[ReferralEventRead] = []

"""The service directory and referrals. Routes are thin: the rules are in the services."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response, status

from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.domain_errors import ConflictError
from app.core.permissions import Permission
from app.core.versioning import based_on
from app.incidents.identity_routes import CurrentVictim
from app.models.referral import Referral, ServicePoint
from app.referrals import directory, service, transitions
from app.referrals.schemas import (
    DirectoryQuery,
    ReceivedPage,
    ReceivedQuery,
    ReferralCreate,
    ReferralEventRead,
    ReferralRead,
    ReferralReceived,
    ReferralUpdate,
    ServicePointCreate,
    ServicePointRead,
    ServicePointUpdate,
)

directory_router = APIRouter(prefix=f"{API_PREFIX}/service-points", tags=["service directory"])
router = APIRouter(prefix=API_PREFIX, tags=["referrals"])

DirectoryReader = Annotated[Principal, Depends(require(Permission.SERVICE_READ))]
DirectoryWriter = Annotated[Principal, Depends(require(Permission.SERVICE_WRITE))]
ReferralReader = Annotated[Principal, Depends(require(Permission.REFERRAL_READ))]
ReferralWriter = Annotated[Principal, Depends(require(Permission.REFERRAL_WRITE))]
IfMatch = Annotated[
    str | None,
    Header(description='The version the change is based on, as returned in `ETag`, e.g. `"3"`.'),
]
VICTIM_REFERRALS = "/incidents/{incident_id}/victims/{victim_id}/referrals"


@directory_router.get("", response_model=list[ServicePointRead])
def search_directory(
    session: SessionDep, reader: DirectoryReader, query: Annotated[DirectoryQuery, Query()]
) -> list[ServicePoint]:
    """Service points matching every criterion given (place, kind, operating, part of a name)."""
    return directory.search(session, query)


@directory_router.post("", status_code=status.HTTP_201_CREATED, response_model=ServicePointRead)
def create_service_point(
    session: SessionDep, writer: DirectoryWriter, body: ServicePointCreate, response: Response
) -> ServicePoint:
    """Add a service point run by your organisation to the directory."""
    point = directory.create_point(session, body, writer)
    response.headers["Location"] = f"{directory_router.prefix}/{point.id}"
    response.headers["ETag"] = f'"{point.version}"'
    return point


@directory_router.get("/{service_point_id}", response_model=ServicePointRead)
def get_service_point(
    session: SessionDep, reader: DirectoryReader, service_point_id: uuid.UUID, response: Response
) -> ServicePoint:
    point = directory.get_point(session, service_point_id)
    response.headers["ETag"] = f'"{point.version}"'
    return point


@directory_router.patch("/{service_point_id}", response_model=ServicePointRead)
def update_service_point(
    session: SessionDep,
    writer: DirectoryWriter,
    service_point_id: uuid.UUID,
    body: ServicePointUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> ServicePoint:
    """Change the fields sent of one of your organisation's service points (If-Match or
    `version`)."""
    point = directory.get_point(session, service_point_id)
    based = based_on(if_match, body.version, "record")
    updated = directory.update_point(session, point, body, writer, based)
    response.headers["ETag"] = f'"{updated.version}"'
    return updated


@router.post(VICTIM_REFERRALS, status_code=status.HTTP_201_CREATED, response_model=ReferralRead)
def refer_victim(
    session: SessionDep,
    writer: ReferralWriter,
    cipher: CipherDep,
    victim: CurrentVictim,
    body: ReferralCreate,
    response: Response,
) -> ReferralRead:
    """Refer the victim to a service. Requires their consent to referral (else 409)."""
    referral = service.create_referral(session, cipher, victim.incident, victim, body, writer)
    response.headers["Location"] = f"{API_PREFIX}/referrals/{referral.id}"
    response.headers["ETag"] = f'"{referral.version}"'
    return owner_view(referral, {})


@router.get(VICTIM_REFERRALS, response_model=list[ReferralRead])
def list_victim_referrals(
    session: SessionDep, reader: ReferralReader, victim: CurrentVictim
) -> list[ReferralRead]:
    """The victim's referrals, newest first, without notes (read one referral for those)."""
    return [owner_view(r, None) for r in service.victim_referrals(session, victim)]


@router.get("/referrals/received", response_model=ReceivedPage)
def list_received_referrals(
    session: SessionDep, reader: ReferralReader, query: Annotated[ReceivedQuery, Query()]
) -> ReceivedPage:
    """Referrals made to your organisation's service points, de-identified, newest first, a
    page at a time."""
    referrals, next_cursor = service.received_referrals(session, reader, query.limit, query.cursor)
    items = [received_view(r) for r in referrals]
    return ReceivedPage(items=items, next_cursor=next_cursor, limit=query.limit)


@router.get("/referrals/{referral_id}", response_model=ReferralRead | ReferralReceived)
def get_referral(
    session: SessionDep,
    reader: ReferralReader,
    cipher: CipherDep,
    referral_id: uuid.UUID,
    response: Response,
) -> ReferralRead | ReferralReceived:
    """The referral with its history and notes for the referring organisation (the read of the
    notes is audited); de-identified for the service point's organisation."""
    access = service.get_access(session, referral_id, reader)
    response.headers["ETag"] = f'"{access.referral.version}"'
    if not access.owner:
        return received_view(access.referral)
    return owner_view(access.referral, service.read_notes(session, cipher, access.referral, reader))


@router.patch("/referrals/{referral_id}", response_model=ReferralRead | ReferralReceived)
def update_referral(
    session: SessionDep,
    writer: ReferralWriter,
    cipher: CipherDep,
    referral_id: uuid.UUID,
    body: ReferralUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> ReferralRead | ReferralReceived:
    """Move the status along the table and/or record a follow-up, based on the version given.
    The service point's organisation may only move the status."""
    access = service.get_access(session, referral_id, writer)
    based_on(if_match, body.version, "record").refuse_if_stale(access.referral.version)
    if access.owner and access.referral.incident.archived_at is not None:
        raise ConflictError("Archived incidents cannot be changed")
    referral = service.update_referral(session, cipher, access, body, writer)
    response.headers["ETag"] = f'"{referral.version}"'
    return owner_view(referral, None) if access.owner else received_view(referral)


def received_view(referral: Referral) -> ReferralReceived:
    return ReferralReceived(
        id=referral.id,
        code=referral.code,
        service_kind=referral.service_kind,
        service_point_id=referral.service_point_id,
        referred_on=referral.referred_on,
        status=referral.status,
        status_on=referral.status_on,
        version=referral.version,
        allowed_next=transitions.allowed_from(referral.status, by_service_point=True),
    )


def owner_view(referral: Referral, notes: dict[int, str] | None) -> ReferralRead:
    """The full referral; with its history when `notes` is given (the notes read, if any)."""
    history = [
        ReferralEventRead(
            version=event.version,
            from_status=event.from_status,
            to_status=event.to_status,
            status_on=event.status_on,
            followed_up_on=event.followed_up_on,
            next_follow_up_on=event.next_follow_up_on,
            note=notes.get(event.version),
            changed_at=event.changed_at,
            by_service_point=event.by_service_point,
        )
        for event in (referral.events if notes is not None else [])
    ]
    return ReferralRead(
        **received_view(referral).model_dump(exclude={"allowed_next"}),
        allowed_next=transitions.allowed_from(referral.status),
        incident_id=referral.incident_id,
        victim_id=referral.victim_id,
        outside_name=referral.outside_name,
        service_point_name=referral.service_point.name if referral.service_point else None,
        next_follow_up_on=referral.next_follow_up_on,
        referred_by_id=referral.referred_by_id,
        history=history,
    )

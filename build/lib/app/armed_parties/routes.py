import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.armed_parties import service
from app.armed_parties.schemas import ArmedPartyCreate, ArmedPartyPage, ArmedPartyRead
from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.models.enums import PerpetratorCategory

router = APIRouter(prefix=f"{API_PREFIX}/armed-parties", tags=["armed parties"])
Reader = Annotated[Principal, Depends(require(Permission.ARMED_PARTY_READ))]
Writer = Annotated[Principal, Depends(require(Permission.ARMED_PARTY_WRITE))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ArmedPartyRead)
def create_armed_party(
    session: SessionDep, writer: Writer, body: ArmedPartyCreate
) -> ArmedPartyRead:
    """Register a named party to the conflict, so perpetrators can be linked to it."""
    party = service.create_armed_party(session, body, writer)
    return ArmedPartyRead.model_validate(party)


@router.get("", response_model=ArmedPartyPage)
def list_armed_parties(
    session: SessionDep,
    _reader: Reader,
    category: Annotated[PerpetratorCategory | None, Query()] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
) -> ArmedPartyPage:
    parties = service.list_armed_parties(session, category, country)
    return ArmedPartyPage(
        items=[ArmedPartyRead.model_validate(party) for party in parties], total=len(parties)
    )


@router.get("/{party_id}", response_model=ArmedPartyRead)
def get_armed_party(session: SessionDep, _reader: Reader, party_id: uuid.UUID) -> ArmedPartyRead:
    return ArmedPartyRead.model_validate(service.get_armed_party(session, party_id))

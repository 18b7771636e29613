"""Rules for the registry of named armed parties."""

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.armed_parties.schemas import ArmedPartyCreate
from app.audit.service import add_recorded
from app.core.auth import Principal
from app.core.domain_errors import ConflictError, FieldProblem, NotFoundError
from app.models import ArmedParty
from app.models.enums import PerpetratorCategory


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def create_armed_party(session: Session, data: ArmedPartyCreate, actor: Principal) -> ArmedParty:
    key = name_key(data.name)
    if session.scalar(select(ArmedParty.id).where(ArmedParty.name_key == key)) is not None:
        raise ConflictError(
            "An armed party with this name is already registered",
            [FieldProblem(("body", "name"), "already registered", "duplicate")],
        )
    party = ArmedParty(name_key=key, **data.model_dump())
    add_recorded(session, party, "armed_party", actor=actor, fields=list(data.model_fields_set))
    return party


def list_armed_parties(
    session: Session, category: PerpetratorCategory | None, country: str | None
) -> list[ArmedParty]:
    query = select(ArmedParty).order_by(ArmedParty.name_key)
    if category is not None:
        query = query.where(ArmedParty.category == category)
    if country is not None:
        query = query.where(ArmedParty.country == country.upper())
    return list(session.scalars(query))


def get_armed_party(session: Session, party_id: uuid.UUID) -> ArmedParty:
    party = session.get(ArmedParty, party_id)
    if party is None:
        raise NotFoundError("Armed party")
    return party


def load_armed_parties(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, ArmedParty]:
    """The parties with these ids that exist; callers report the missing ones."""
    if not ids:
        return {}
    parties = session.scalars(select(ArmedParty).where(ArmedParty.id.in_(ids)))
    return {party.id: party for party in parties}

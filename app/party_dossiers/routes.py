"""Party dossiers for the annex: routes are thin, the rules are in `records` and `dossier`.

Who may do what (app/core/permissions.py): the dossier and the table of patterns are statistics
(`stats:read`: advisers and report writers); the annex records and the pattern rule are read by
every role that reads the party registry and written by those who write to it (advisers and
admins). Report writers read; they do not edit.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from pydantic import BaseModel

from app.armed_parties.service import get_armed_party
from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.core.versioning import based_on
from app.party_dossiers import dossier, records
from app.party_dossiers.records import RecordKind
from app.party_dossiers.schemas import (
    CommitmentCreate,
    CommitmentRead,
    CommitmentUpdate,
    DossierQuery,
    DossierRead,
    ListingCreate,
    ListingRead,
    ListingUpdate,
    PatternRuleRead,
    PatternRuleSet,
    PatternsQuery,
    PatternsRead,
    SanctionCreate,
    SanctionRead,
    SanctionUpdate,
)

# Mounted before the registry's routes, so /armed-parties/patterns is not read as a party's id.
router = APIRouter(prefix=f"{API_PREFIX}/armed-parties", tags=["party dossiers"])
StatsReader = Annotated[Principal, Depends(require(Permission.STATS_READ))]
Reader = Annotated[Principal, Depends(require(Permission.ARMED_PARTY_READ))]
Writer = Annotated[Principal, Depends(require(Permission.ARMED_PARTY_WRITE))]
IfMatch = Annotated[
    str | None,
    Header(description='The version the change is based on, as returned in `ETag`, e.g. `"3"`.'),
]


def _k(request: Request) -> int:
    return int(request.app.state.settings.suppression_k)


@router.get("/patterns", response_model=PatternsRead)
def get_patterns(
    request: Request,
    session: SessionDep,
    reader: StatsReader,
    query: Annotated[PatternsQuery, Query()],
) -> PatternsRead:
    """Parties meeting your organisation's pattern rule for `year`, and those the protected
    figures of other organisations' data leave undetermined, with each year of the window."""
    return dossier.patterns(session, reader, query.year, _k(request))


@router.get("/pattern-rule", response_model=PatternRuleRead)
def get_pattern_rule(session: SessionDep, reader: Reader, response: Response) -> PatternRuleRead:
    """Your organisation's rule for a pattern (the default one until it sets its own)."""
    rule = records.rule_read(records.stored_rule(session, reader.organisation_id))
    if rule.version is not None:
        response.headers["ETag"] = f'"{rule.version}"'
    return rule


@router.put("/pattern-rule", response_model=PatternRuleRead)
def set_pattern_rule(
    session: SessionDep,
    writer: Writer,
    body: PatternRuleSet,
    response: Response,
    if_match: IfMatch = None,
) -> PatternRuleRead:
    """Set your organisation's rule: at least `min_incidents_per_year` verified incidents in
    each of at least `years_required` of the last `window_years` years. Changing a rule already
    set names the version it is based on (If-Match or `version`)."""
    rule = records.set_rule(session, body, writer, if_match)
    response.headers["ETag"] = f'"{rule.version}"'
    return records.rule_read(rule)


@router.get("/{party_id}/dossier", response_model=DossierRead)
def get_dossier(
    request: Request,
    session: SessionDep,
    reader: StatsReader,
    party_id: uuid.UUID,
    query: Annotated[DossierQuery, Query()],
) -> DossierRead:
    """Verified incidents and victims of the party by year, quarter, form of violence, region
    and victim category (each table is `/stats` with the party as `armed_party_id`), the first
    and last verified incident, the pattern rule evaluated for `year`, and your organisation's
    listings, commitments and sanctions."""
    party = get_armed_party(session, party_id)
    return dossier.dossier(session, party, reader, query.year, _k(request))


def _record_routes(
    kind: RecordKind, create: type[BaseModel], update: type[BaseModel], read: type[BaseModel]
) -> None:
    """POST, GET, PATCH and DELETE of one kind of annex record, each audited and versioned."""
    collection = f"/{{party_id}}/{kind.path}"
    item = f"{collection}/{{record_id}}"

    def create_record(
        session: SessionDep, writer: Writer, party_id: uuid.UUID, body: create, response: Response
    ) -> Any:
        party = get_armed_party(session, party_id)
        row = records.create_record(session, kind, party, body, writer)
        response.headers["Location"] = f"{router.prefix}/{party.id}/{kind.path}/{row.id}"
        response.headers["ETag"] = f'"{row.version}"'
        return row

    def read_record(
        session: SessionDep,
        reader: Reader,
        party_id: uuid.UUID,
        record_id: uuid.UUID,
        response: Response,
    ) -> Any:
        row = records.get_record(session, kind, party_id, record_id, reader)
        response.headers["ETag"] = f'"{row.version}"'
        return row

    def update_record(
        session: SessionDep,
        writer: Writer,
        party_id: uuid.UUID,
        record_id: uuid.UUID,
        body: update,
        response: Response,
        if_match: IfMatch = None,
    ) -> Any:
        row = records.get_record(session, kind, party_id, record_id, writer)
        based_on(if_match, getattr(body, "version", None), "record").refuse_if_stale(row.version)
        row = records.update_record(session, kind, row, body, writer)
        response.headers["ETag"] = f'"{row.version}"'
        return row

    def delete_record(
        session: SessionDep,
        writer: Writer,
        party_id: uuid.UUID,
        record_id: uuid.UUID,
        if_match: IfMatch = None,
    ) -> Response:
        row = records.get_record(session, kind, party_id, record_id, writer)
        if if_match is not None:
            based_on(if_match, None, "record").refuse_if_stale(row.version)
        records.delete_record(session, kind, row, writer)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    label = kind.label.lower()
    router.add_api_route(
        collection,
        create_record,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        response_model=read,
        name=f"create_{kind.record_type}",
        summary=f"Record a {label} of the party (your organisation's)",
    )
    router.add_api_route(
        item,
        read_record,
        methods=["GET"],
        response_model=read,
        name=f"get_{kind.record_type}",
        summary=f"One of your organisation's {kind.path} of the party",
    )
    router.add_api_route(
        item,
        update_record,
        methods=["PATCH"],
        response_model=read,
        name=f"update_{kind.record_type}",
        summary=f"Change the fields sent of a {label} (If-Match or `version`)",
    )
    router.add_api_route(
        item,
        delete_record,
        methods=["DELETE"],
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        name=f"delete_{kind.record_type}",
        summary=f"Delete a {label} (If-Match optional: refused if stale)",
    )


_record_routes(records.LISTINGS, ListingCreate, ListingUpdate, ListingRead)
_record_routes(records.COMMITMENTS, CommitmentCreate, CommitmentUpdate, CommitmentRead)
_record_routes(records.SANCTIONS, SanctionCreate, SanctionUpdate, SanctionRead)

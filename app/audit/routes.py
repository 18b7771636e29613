from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.audit import listing
from app.audit.schemas import AuditEventRead, AuditPage, AuditQuery
from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.db import SessionDep
from app.core.permissions import Permission

router = APIRouter(prefix=API_PREFIX, tags=["audit"])
Auditor = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]


@router.get("/audit", response_model=AuditPage)
def list_audit_events(
    session: SessionDep, auditor: Auditor, query: Annotated[AuditQuery, Query()]
) -> AuditPage:
    """Your organisation's part of the audit trail, newest first: what its members did, and
    what was done to its accounts. Events name the fields changed, never their values."""
    events, next_cursor = listing.list_events(session, auditor, query)
    return AuditPage(
        items=[AuditEventRead.model_validate(event) for event in events],
        next_cursor=next_cursor,
    )

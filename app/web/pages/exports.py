"""The record export from the incident list page: the list's filters, as a zip of CSVs or a
workbook, through the API's own export (the same checks, audit event and files)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.permissions import Permission
from app.exports.routes import export_response
from app.exports.schemas import ExportQuery
from app.web.session import PageContext, page_for

router = APIRouter(include_in_schema=False)
# As the incident list page: trackers export their linked incidents through the API.
ExportPage = Annotated[PageContext, Depends(page_for(Permission.INCIDENT_READ))]


@router.get("/exports/incidents.csv")
def export_csv(
    page: ExportPage,
    session: SessionDep,
    cipher: CipherDep,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    return export_response(page.request, session, page.user, cipher, query, "csv")


@router.get("/exports/incidents.xlsx")
def export_xlsx(
    page: ExportPage,
    session: SessionDep,
    cipher: CipherDep,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    return export_response(page.request, session, page.user, cipher, query, "xlsx")

"""The record export: incidents with their victims and perpetrators, as CSV (a zip) or XLSX."""

import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from app.core.auth import Principal, require_any
from app.core.config import API_PREFIX
from app.core.crypto import CipherDep
from app.core.db import SessionDep
from app.core.domain_errors import BusyError
from app.core.errors import BUSY_RETRY_AFTER_SECONDS
from app.core.permissions import Permission
from app.core.spreadsheets import XLSX_MEDIA_TYPE
from app.exports import service, writers
from app.exports.schemas import ExportQuery

router = APIRouter(prefix=f"{API_PREFIX}/exports", tags=["exports"])
Exporter = Annotated[
    Principal,
    Depends(require_any(Permission.INCIDENT_READ, Permission.LINKED_INCIDENT_READ)),
]
ZIP_MEDIA_TYPE = "application/zip"
FORMATS = {
    "csv": (ZIP_MEDIA_TYPE, "crsv-incidents.zip", writers.csv_zip),
    "xlsx": (XLSX_MEDIA_TYPE, "crsv-incidents.xlsx", writers.xlsx),
}


def export_response(
    request: Request,
    session: Session,
    exporter: Principal,
    cipher: CipherDep,
    query: ExportQuery,
    file_format: str,
) -> StreamingResponse:
    """Check, count and audit in the request's transaction (committed before the response
    starts), then stream the rows from a snapshot of their own."""
    service.check_identity_access(exporter, query)
    slot = export_slot(request.app)
    snapshot = service.open_snapshot(request.app.state.session_factory)
    finish = _closing(snapshot, slot)
    try:
        counts = service.count_rows(snapshot, exporter, query)
        if file_format == "xlsx":
            service.check_fits_a_sheet(counts, writers.XLSX_MAX_ROWS)
        service.record_export(session, exporter, query, file_format, counts)
    except BaseException:
        finish()
        raise
    media_type, filename, write = FORMATS[file_format]

    def body() -> Iterator[bytes]:
        try:
            pages = service.pages(snapshot, exporter, query, cipher)
            yield from write(pages, identity=query.include_identity)
        finally:
            finish()

    content = body()
    # Should the audit event fail to commit, the body is never sent nor started: close anyway.
    weakref.finalize(content, finish)
    return StreamingResponse(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def export_slot(app: FastAPI) -> threading.BoundedSemaphore:
    """One of the worker's `EXPORTS_AT_ONCE` places for a streaming export, or 503.

    Each export keeps a database connection (its snapshot) until its client has read the whole
    file; without a cap, a few slow readers would hold the pool and every other request would
    wait for a connection until it failed."""
    slots: threading.BoundedSemaphore = app.state.export_slots
    if not slots.acquire(blocking=False):
        raise BusyError(
            "Too many exports are being sent at once; try again in a moment.",
            BUSY_RETRY_AFTER_SECONDS,
        )
    return slots


def _closing(snapshot: Session, slot: threading.BoundedSemaphore) -> Callable[[], None]:
    """Close the snapshot and give the place back, once, whichever way the export ends."""
    done = threading.Lock()
    finished = False

    def finish() -> None:
        nonlocal finished
        with done:
            if finished:
                return
            finished = True
        try:
            snapshot.close()
        finally:
            slot.release()

    return finish


DESCRIPTION = {
    "csv": "A zip of `incidents.csv`, `victims.csv` and `perpetrators.csv`, joined by the "
    "incident's `reference` (`incident_reference` in the other two).",
    "xlsx": "A workbook with the sheets `incidents`, `victims` and `perpetrators`, joined by "
    "the incident's `reference` (`incident_reference` in the other two).",
}


@router.get(
    "/incidents.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {ZIP_MEDIA_TYPE: {}}, "description": DESCRIPTION["csv"]}},
)
def export_incidents_csv(
    request: Request,
    session: SessionDep,
    exporter: Exporter,
    cipher: CipherDep,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    """The incidents the list shows for these filters, with their victims and perpetrators.

    Judicial trackers export the incidents linked to their organisation's cases. Identifying
    details and summaries only with `include_identity=true`, for protection advisers of the
    organisation with identity access (anyone else asking gets 403). Every export is written to
    the audit trail with its filter and row counts. A cell a spreadsheet would run as a formula
    starts with `'`.
    """
    return export_response(request, session, exporter, cipher, query, "csv")


@router.get(
    "/incidents.xlsx",
    response_class=StreamingResponse,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": DESCRIPTION["xlsx"]}},
)
def export_incidents_xlsx(
    request: Request,
    session: SessionDep,
    exporter: Exporter,
    cipher: CipherDep,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    """As `/exports/incidents.csv`, as one workbook; every cell written as text or a number,
    never a formula. A sheet holds at most 1,048,576 rows: narrow the filters beyond that."""
    return export_response(request, session, exporter, cipher, query, "xlsx")

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from app.aggregates.report import partner_tables_note
from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.db import ReadSessionDep
from app.core.permissions import Permission
from app.core.spreadsheets import XLSX_MEDIA_TYPE
from app.stats.export import as_csv, as_xlsx, code_rows
from app.stats.schemas import StatsCsvQuery, StatsQuery, StatsResult
from app.stats.service import compute_stats

router = APIRouter(prefix=API_PREFIX, tags=["statistics"])
Reader = Annotated[Principal, Depends(require(Permission.STATS_READ))]


@router.get("/stats", response_model=StatsResult)
def get_stats(
    request: Request, session: ReadSessionDep, reader: Reader, query: Annotated[StatsQuery, Query()]
) -> StatsResult:
    """Distinct incidents and victims by one or two dimensions, with the total and the remainder.

    Groups need not add up to the total: an incident with two perpetrator categories counts in
    both groups and once in the total, and incidents with no value for a dimension are shown in
    their own bucket (key `null`) rather than left out. `dimensions[].coverage` and `notes` say so.

    Your own organisation's figures are exact. In figures that include other organisations'
    data, their part is adjusted by at most 2 by the cell-key method (the same cell always gets
    the same figure, so subtracting two queries gives no hidden count back), and hidden where
    small; totals are adjusted on their own, so groups may not add up to them. `protection` and
    `suppression` say what was done.
    """
    return _with_partner_note(
        session,
        query,
        compute_stats(session, query, reader, request.app.state.settings.suppression_k),
    )


def _with_partner_note(session: Session, query: StatsQuery, result: StatsResult) -> StatsResult:
    """Records only, never summed with partners' tables: say when such tables cover the same
    period and place (`source=gbvims` answered from records alone would read as the whole)."""
    note = partner_tables_note(session, query)
    if note:
        result.notes.append(note)
    return result


@router.get(
    "/stats.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The groups, then the total."}},
)
def get_stats_csv(
    request: Request,
    session: ReadSessionDep,
    reader: Reader,
    query: Annotated[StatsCsvQuery, Query()],
) -> Response:
    """The table of `/stats` as CSV: one row per group, then a total row.

    With `hxl=true`, a row of HXL hashtags under the header (`#adm1+name`, `#date+year`,
    `#indicator+incidents`, `#affected+victims`...; the table is in `app/stats/hxl.py`).
    A cell a spreadsheet would run as a formula starts with `'`.
    """
    stats_query = StatsQuery.model_validate(query.model_dump(exclude={"hxl"}))
    result = compute_stats(session, stats_query, reader, request.app.state.settings.suppression_k)
    text, filename = as_csv(result, hxl=query.hxl)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/stats.xlsx",
    response_class=Response,
    responses={
        200: {
            "content": {XLSX_MEDIA_TYPE: {}},
            "description": "A workbook: sheet `table` (the groups, then the total) and sheet "
            "`notes` (what was counted, the filters, how figures were protected).",
        }
    },
)
def get_stats_xlsx(
    request: Request, session: ReadSessionDep, reader: Reader, query: Annotated[StatsQuery, Query()]
) -> Response:
    """The table of `/stats.csv` as a workbook, figures as published (`<5`, `suppressed`), with
    a sheet of notes: basis, filters, protection and suppression, and the notes of `/stats`."""
    result = compute_stats(session, query, reader, request.app.state.settings.suppression_k)
    result = _with_partner_note(session, query, result)
    names = "-".join(name.value for name in result.group_by)
    content, filename = as_xlsx(result, code_rows(result), f"crsv-stats-{names}.xlsx")
    return Response(
        content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

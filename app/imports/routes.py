"""Imports into and exports from the registry, in the formats of the field's other tools."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Query, Response, UploadFile

from app.core.auth import Principal, require
from app.core.config import API_PREFIX
from app.core.crypto import CipherDep
from app.core.dates import FilterDate
from app.core.db import SessionDep
from app.core.domain_errors import FieldProblem, InvalidFieldsError, InvalidRequestError
from app.core.permissions import Permission
from app.imports import export, service
from app.imports.recorder_vocabulary import parse_admin_levels
from app.imports.rows import Options
from app.imports.schemas import ImportReport
from app.web.i18n import pick_language

IMPORTS_PATH = f"{API_PREFIX}/imports"
router = APIRouter(prefix=API_PREFIX, tags=["imports and exports"])
Writer = Annotated[Principal, Depends(require(Permission.INCIDENT_WRITE))]
Reader = Annotated[Principal, Depends(require(Permission.INCIDENT_READ))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ADMIN_LEVELS_HELP = (
    "Which Incident Recorder place columns become admin1, admin2, admin3, in order, "
    "from `county`, `district`, `camp_town`."
)


class ImportRejectedError(InvalidRequestError):
    """The file could not be imported: each problem names its sheet, row and column."""

    def __init__(self, report: ImportReport) -> None:
        problems = [
            FieldProblem(
                loc=tuple(
                    part
                    for part in ("file", problem.sheet, problem.row, problem.column)
                    if part is not None
                ),
                message=problem.message,
            )
            for problem in report.problems
        ]
        super().__init__(report.summary, problems)


def import_options(
    session: SessionDep, principal: Principal, country: str | None, admin_levels: str, skip: bool
) -> Options:
    levels = parse_admin_levels(admin_levels)
    if levels is None:
        raise InvalidFieldsError(
            [
                FieldProblem(
                    ("body", "admin_levels"),
                    "expected one to three of county, district, camp_town, separated by commas",
                )
            ]
        )
    chosen = service.import_country(session, principal, country)
    if chosen is None:
        raise InvalidFieldsError(
            [
                FieldProblem(
                    ("body", "country"),
                    "must be an ISO 3166-1 alpha-2 country code, e.g. 'ML'",
                )
            ]
        )
    return Options(country=chosen, admin_levels=levels, skip_non_sexual=skip)


@router.post("/imports", response_model=ImportReport)
def import_file(
    session: SessionDep,
    writer: Writer,
    cipher: CipherDep,
    file: Annotated[UploadFile, File(description="An .xlsx workbook or a UTF-8 .csv file.")],
    kind: Annotated[Literal["incident_recorder"], Form()] = "incident_recorder",
    dry_run: Annotated[bool, Form(description="Check everything, write nothing.")] = False,
    country: Annotated[
        str | None,
        Form(
            max_length=2,
            description="ISO code of the incidents' country (the workbook has none); by default "
            "the country your organisation records most incidents in.",
        ),
    ] = None,
    admin_levels: Annotated[
        str, Form(max_length=40, description=ADMIN_LEVELS_HELP)
    ] = "county,district,camp_town",
    skip_non_sexual: Annotated[
        bool,
        Form(
            description="Leave out (and count) rows whose GBV type is not sexual violence "
            "instead of refusing the file."
        ),
    ] = False,
    accept_language: Annotated[str | None, Header(max_length=200)] = None,
) -> ImportReport:
    """Import a GBVIMS Incident Recorder file (sheet "Incident Data") into your organisation:
    all rows or none, each INCIDENT ID once. The report lists each problem by sheet, row and
    column, in English or French (`Accept-Language`)."""
    options = import_options(session, writer, country, admin_levels, skip_non_sexual)
    try:
        return service.import_recorder(
            session,
            file.file,
            file.filename or "",
            options,
            writer,
            cipher,
            dry_run=dry_run,
            language=pick_language(None, accept_language),
        )
    except service.ImportRefusedError as refused:
        raise ImportRejectedError(refused.report) from None


@router.get(
    "/exports/incident-recorder.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": 'The sheet "Incident Data".'}},
)
def export_incident_recorder(
    session: SessionDep,
    reader: Reader,
    cipher: CipherDep,
    occurred_from: FilterDate | None = None,
    occurred_to: FilterDate | None = None,
    include_identity: Annotated[
        bool,
        Query(description="Write SURVIVOR CODE (advisers with identity access; audited)."),
    ] = False,
    admin_levels: Annotated[str, Query(max_length=40, description=ADMIN_LEVELS_HELP)] = (
        "county,district,camp_town"
    ),
) -> Response:
    """Your organisation's incidents of the period as a GBVIMS Incident Recorder workbook."""
    levels = parse_admin_levels(admin_levels)
    if levels is None:
        raise InvalidFieldsError(
            [
                FieldProblem(
                    ("query", "admin_levels"),
                    "expected one to three of county, district, camp_town, separated by commas",
                )
            ]
        )
    content = export.export_recorder(
        session,
        reader,
        cipher,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        include_identity=include_identity,
        admin_levels=levels,
    )
    name = f"incident-recorder-{_period(occurred_from, occurred_to)}.xlsx"
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _period(start: date | None, end: date | None) -> str:
    return f"{start.isoformat() if start else 'start'}-to-{end.isoformat() if end else 'end'}"

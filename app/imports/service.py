"""Importing an Incident Recorder workbook (or its CSV): all or nothing, idempotent, reported.

The file is streamed: each chunk of rows is checked and, while no problem has been found, written
(`writer.BulkWriter`); the first problem stops the writing but not the checking, so the report
lists every problem, and the caller's transaction is rolled back (`ImportRefusedError`). A dry run
checks everything and writes nothing. A row whose INCIDENT ID the organisation already holds
(`incidents.external_reference`) is counted, not created again.
"""

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.core.auth import ForbiddenError, Principal
from app.core.countries import ISO_3166_ALPHA2
from app.core.crypto import FieldCipher
from app.core.domain_errors import FieldProblem, problems_from
from app.core.i18n import N_
from app.core.permissions import Permission
from app.imports import recorder_vocabulary as vocab
from app.imports.rows import CellProblem, Options, read_row
from app.imports.schemas import ImportProblem, ImportReport
from app.imports.workbook import FileRefusedError, Sheet, column_letter, is_formula, open_sheet
from app.imports.writer import BulkWriter, Checked
from app.incidents.new_incidents import check_incident
from app.incidents.schemas import IncidentCreate
from app.models import Incident
from app.web.i18n import Translator

CHUNK_ROWS = 1000
PLAIN_CELLS = frozenset({str, int, float, bool, datetime, date, time, type(None)})
MAX_LISTED_PROBLEMS = 500
IMPORT_LOCK = 0x1D1E_CAFE  # mixed into the organisation's advisory lock key: imports' own
# Where a rule of the incident lands in the workbook: field path (indexes left out) -> column.
FIELD_COLUMNS = {
    "occurred_on": "date_of_incident",
    "reported_on": "date_of_interview",
    "victims.age": "date_of_birth",
    "victims.age_group": "date_of_birth",
    "victims.disability": "disability",
    "victims.disability_kind": "disability",
    "victims.unaccompanied_separated": "unaccompanied_separated",
    "victims.country_of_origin": "country_of_origin",
    "perpetrators.occupation": "perpetrator_occupation",
}


class ImportRefusedError(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.summary)
        self.report = report


@dataclass
class _Run:
    sheet_name: str
    language: str
    headers: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # column key -> index in the row
    problems: list[ImportProblem] = field(default_factory=list)
    unlisted: int = 0
    rows: int = 0
    created: int = 0
    already: int = 0
    skipped: int = 0
    not_kept: Counter[str] = field(default_factory=Counter)

    def add(self, row: int | None, index: int | None, message: str, /, **values: Any) -> None:
        if len(self.problems) >= MAX_LISTED_PROBLEMS:
            self.unlisted += 1
            return
        header = self.headers[index] if index is not None and index < len(self.headers) else None
        self.problems.append(
            ImportProblem(
                sheet=self.sheet_name,
                row=row,
                column=header,
                cell=f"{column_letter(index)}{row}" if index is not None and row else None,
                message=Translator(self.language).format(message, **values),
            )
        )

    @property
    def failed(self) -> bool:
        return bool(self.problems) or self.unlisted > 0


def import_country(session: Session, principal: Principal, given: str | None) -> str | None:
    """The incidents' country (the workbook has none): the code given, else the country the
    organisation records most incidents in; None when neither is a country code."""
    if given:
        code = given.strip().upper()
        return code if code in ISO_3166_ALPHA2 else None
    query = (
        select(Incident.country)
        .where(Incident.organisation_id == principal.organisation_id)
        .group_by(Incident.country)
        .order_by(func.count().desc(), Incident.country)
        .limit(1)
    )
    return session.scalar(query)


def import_recorder(
    session: Session,
    content: IO[bytes],
    filename: str,
    options: Options,
    principal: Principal,
    cipher: FieldCipher,
    *,
    dry_run: bool,
    language: str = "en",
) -> ImportReport:
    """Import the file into the principal's organisation; raise ImportRefusedError with the report
    when anything is wrong (nothing is then kept: the caller rolls back)."""
    if not principal.can(Permission.INCIDENT_WRITE):
        raise ForbiddenError(Permission.INCIDENT_WRITE)
    run = _Run(vocab.SHEET, language)
    writer = None if dry_run else BulkWriter(session, principal, cipher)
    with writer or nullcontext():  # the writer's thread stopped, whatever happens
        return _import(session, content, filename, options, principal, run, writer)


def _import(
    session: Session,
    content: IO[bytes],
    filename: str,
    options: Options,
    principal: Principal,
    run: _Run,
    writer: BulkWriter | None,
) -> ImportReport:
    dry_run = writer is None
    try:
        sheet = open_sheet(content, filename)
        run.sheet_name = sheet.name
        _match_headers(sheet, run)
        if not run.failed:
            _read_rows(session, sheet, options, principal, run, writer)
    except FileRefusedError as refused:
        if refused.whole_file:  # found while reading the rows: what they showed is moot
            run = _Run(vocab.SHEET, run.language)
        run.add(None, None, refused.message, **refused.values)
        return _refuse(run, None, dry_run)
    if run.failed:
        return _refuse(run, sheet.kind, dry_run)
    if writer is not None:
        writer.finish()
        record(
            session,
            "incident.import",
            actor=principal,
            record_type="organisation",
            record_id=principal.organisation_id,
            details={
                "format": "incident_recorder",
                "file_type": sheet.kind,
                "rows": run.rows,
                "created": writer.created,
                "already_imported": run.already,
                "skipped_non_sexual": run.skipped,
                "survivor_codes_stored": writer.identities,
            },
        )
    return _report(run, sheet.kind, dry_run, imported=writer is not None)


def _match_headers(sheet: Sheet, run: _Run) -> None:
    run.headers = sheet.headers
    known = [vocab.COLUMN_BY_HEADER.get(vocab.normalise(header)) for header in sheet.headers]
    if not any(known):
        # Not a header row at all (a file saved without its headers starts with a survivor's
        # row): its cells are not echoed back as column names, a SURVIVOR CODE among them.
        run.add(1, None, N_("The first row does not hold the Incident Recorder's column headers."))
        return
    for index, header in enumerate(sheet.headers):
        if not header:
            continue
        column = known[index]
        if column is None:
            run.add(1, index, N_("is not a column of the Incident Recorder"))
        elif column.key in run.positions:
            run.add(1, index, N_("appears twice"))
        else:
            run.positions[column.key] = index
    for key in vocab.REQUIRED_COLUMNS:
        if key not in run.positions:
            label = vocab.COLUMN_BY_KEY[key]
            run.add(1, None, N_('The column "{column}" is missing.'), column=label.english)


def _read_rows(
    session: Session,
    sheet: Sheet,
    options: Options,
    principal: Principal,
    run: _Run,
    writer: BulkWriter | None,
) -> None:
    if writer is not None:
        _one_import_at_a_time(session, principal)
    held = set(
        session.scalars(
            select(Incident.external_reference).where(
                Incident.organisation_id == principal.organisation_id,
                Incident.external_reference.is_not(None),
            )
        )
    )
    first_row: dict[str, int] = {}
    chunk: list[Checked] = []
    for number, cells in _cells(sheet, run):
        run.rows += 1
        checked = _check_row(session, number, cells, sheet, options, run, held, first_row)
        if checked is None:
            continue
        run.created += 1
        if writer is not None and not run.failed:
            chunk.append(checked)
            if len(chunk) >= CHUNK_ROWS:
                writer.write(chunk)
                chunk = []
    if writer is not None and not run.failed and chunk:
        writer.write(chunk)


def _one_import_at_a_time(session: Session, principal: Principal) -> None:
    """Hold the organisation's import lock to the end of the transaction, before reading which
    INCIDENT IDs it holds: the same file posted twice at once is then written once, and the
    second sees the first's incidents as already imported (or, waiting past the lock timeout,
    is answered 503 and may send it again). SQLite has one writer at a time already."""
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(principal.organisation_id.bytes[:8], "big", signed=True) ^ IMPORT_LOCK
    session.execute(select(func.pg_advisory_xact_lock(key)))


def _cells(sheet: Sheet, run: _Run) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each row's cells by column key; a formula is a problem naming its cell."""
    positions = list(run.positions.items())
    not_kept = [(key, index) for key, index in positions if not vocab.COLUMN_BY_KEY[key].kept]
    for number, row in sheet.rows:
        width = len(row)
        cells = {key: row[index] if index < width else None for key, index in positions}
        for key, index in not_kept:
            if cells[key] not in (None, ""):
                run.not_kept[run.headers[index]] += 1
        # Most rows hold only plain values: they are looked at closely only when one is not.
        if any(
            value.__class__ not in PLAIN_CELLS
            or (value.__class__ is str and (value[:1] == "=" or "\x00" in value))
            for value in cells.values()
        ) and _refused_cells(run, number, row, positions):
            cells = {}
        yield number, cells


def _refused_cells(
    run: _Run, number: int, row: Sequence[Any], positions: list[tuple[str, int]]
) -> bool:
    """Each formula or NUL character of the row a problem; True when there is one."""
    bad = False
    for _key, index in positions:
        value = row[index] if index < len(row) else None
        if is_formula(value):
            run.add(number, index, N_("holds a formula: formulas are never evaluated"))
            bad = True
        elif isinstance(value, str) and "\x00" in value:
            run.add(number, index, N_("must not contain NUL characters"))
            bad = True
    return bad


def _check_row(
    session: Session,
    number: int,
    cells: dict[str, Any],
    sheet: Sheet,
    options: Options,
    run: _Run,
    held: set[str],
    first_row: dict[str, int],
) -> Checked | None:
    if not cells:
        return None
    read = read_row(cells, sheet.epoch, options)
    if read.skipped_non_sexual:
        run.skipped += 1
        return None
    for problem in read.problems:
        _add_cell_problem(run, number, problem)
    reference = read.external_reference
    if reference is not None:
        if reference in first_row:
            run.add(
                number,
                run.positions["incident_id"],
                N_("the same INCIDENT ID is on row {row}"),
                row=str(first_row[reference]),
            )
            return None
        first_row[reference] = number
    if read.problems or reference is None:
        return None
    if reference in held:
        run.already += 1
        return None
    try:
        data = IncidentCreate.model_validate(read.payload)
    except ValidationError as error:
        for problem in problems_from(error, ("body",)):
            _add_field_problem(run, number, problem, options)
        return None
    new = check_incident(session, data)
    for problem in new.problems:
        _add_field_problem(run, number, problem, options)
    if new.problems:
        return None
    return Checked(reference, data, new)


def _add_cell_problem(run: _Run, number: int, problem: CellProblem) -> None:
    index = run.positions.get(problem.column) if problem.column else None
    run.add(number, index, problem.message, **problem.values)


def _add_field_problem(run: _Run, number: int, problem: FieldProblem, options: Options) -> None:
    path = ".".join(str(part) for part in problem.loc[1:] if not isinstance(part, int))
    column = FIELD_COLUMNS.get(path)
    if path.startswith("admin") and path[5:].isdigit():
        column = options.admin_levels[int(path[5:]) - 1]
    if column is not None:
        run.add(number, run.positions.get(column), problem.message, **problem.values)
    else:
        run.add(number, None, N_("{field}: {message}"), field=path, message=problem.text)


def _report(run: _Run, kind: str | None, dry_run: bool, *, imported: bool) -> ImportReport:
    translate = Translator(run.language)
    if run.failed:
        summary = translate.format(
            N_("Problems found: {count}. Nothing was imported."),
            count=len(run.problems) + run.unlisted,
        )
    elif dry_run:
        summary = translate.format(
            N_(
                "Dry run, nothing written. Incidents that would be created: {created}. "
                "Already imported: {already}."
            ),
            created=run.created,
            already=run.already,
        )
    else:
        summary = translate.format(
            N_("Imported. Incidents created: {created}. Already imported: {already}."),
            created=run.created,
            already=run.already,
        )
    return ImportReport(
        file_type=kind,  # type: ignore[arg-type]
        dry_run=dry_run,
        imported=imported and not run.failed,
        rows=run.rows,
        created=0 if run.failed else run.created,
        already_imported=run.already,
        skipped_non_sexual=run.skipped,
        problems=run.problems,
        problems_not_listed=run.unlisted,
        columns_not_kept=sorted(run.not_kept),
        summary=summary,
    )


def _refuse(run: _Run, kind: str | None, dry_run: bool) -> ImportReport:
    report = _report(run, kind, dry_run, imported=False)
    if dry_run:
        return report  # a dry run answers with its problems; nothing was written anyway
    raise ImportRefusedError(report)

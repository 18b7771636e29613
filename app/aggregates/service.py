"""Partners' aggregate tables: recording, correcting and archiving them, and who reads them.

A submission belongs to the organisation that recorded it, for itself or on behalf of the named
partner: only that organisation reads or changes it (any other is told it does not exist).
Other organisations see it only through the side-by-side statistics (app/aggregates/report.py).
Every change names the version it is based on, as for incidents, and is audited by field name.
"""

import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.aggregates.csv_io import ParsedTable
from app.aggregates.mapping import category_of
from app.aggregates.schemas import (
    CellRead,
    SubmissionCreate,
    SubmissionFields,
    SubmissionRead,
    SubmissionUpdate,
)
from app.aggregates.table import Loc, TableCell, cells_from_labels, table_problems
from app.audit.service import record
from app.core.auth import Principal
from app.core.domain_errors import FieldProblem, InvalidFieldsError, NotFoundError
from app.incidents.rules import latest_allowed_date
from app.models.aggregate import AggregateCell, AggregateDimension, AggregateSubmission
from app.models.base import utcnow

RECORD_TYPE = "aggregate_submission"
METADATA = (
    "partner_name",
    "source_kind",
    "period_from",
    "period_to",
    "country",
    "admin1",
    "measure",
    "note",
)


def _cell_loc(index: int) -> Loc:
    return ("body", "cells", index)


def _period_problems(submission: AggregateSubmission) -> list[FieldProblem]:
    problems = []
    if submission.period_from > latest_allowed_date():
        problems.append(FieldProblem(("body", "period_from"), "must not be in the future"))
    if submission.period_to < submission.period_from:
        problems.append(FieldProblem(("body", "period_to"), "must not be before period_from"))
    return problems


def _api_cells(
    dimensions: Sequence[AggregateDimension], data: SubmissionCreate | SubmissionUpdate
) -> tuple[list[TableCell], list[FieldProblem]]:
    return cells_from_labels(
        dimensions, [(cell.labels, cell.count) for cell in data.cells or []], _cell_loc
    )


def _store_cells(submission: AggregateSubmission, cells: list[TableCell]) -> None:
    submission.cells.clear()
    for position, cell in enumerate(cells):
        labels = (*cell.labels, None, None)
        submission.cells.append(
            AggregateCell(
                position=position, first_label=labels[0], second_label=labels[1], count=cell.count
            )
        )


def _set_dimensions(submission: AggregateSubmission, dims: Sequence[AggregateDimension]) -> None:
    padded = (*dims, None, None)
    submission.first_dimension, submission.second_dimension = padded[0], padded[1]


def _check(
    submission: AggregateSubmission,
    cells: list[TableCell],
    problems: list[FieldProblem],
    cell_loc: Callable[[int], Loc],
    total_loc: Loc,
) -> None:
    problems = problems + _period_problems(submission)
    if not problems:
        problems = table_problems(
            submission.dimensions, cells, submission.stated_total, cell_loc, total_loc
        )
    if problems:
        raise InvalidFieldsError(problems)


def _new(fields: SubmissionFields, principal: Principal) -> AggregateSubmission:
    return AggregateSubmission(
        organisation_id=principal.organisation_id,
        recorded_by_id=principal.user_id,
        stated_total=fields.total,
        **fields.model_dump(include=set(METADATA)),
    )


def _created(
    session: Session, submission: AggregateSubmission, principal: Principal, how: str
) -> AggregateSubmission:
    session.add(submission)
    session.flush()
    record(
        session,
        "aggregate.create",
        actor=principal,
        record_type=RECORD_TYPE,
        record_id=submission.id,
        fields=[*METADATA, "dimensions", "cells", "total"],
        details={
            "entered_as": how,
            "source_kind": submission.source_kind.value,
            "cells": len(submission.cells),
        },
    )
    return submission


def create_submission(
    session: Session, data: SubmissionCreate, principal: Principal
) -> AggregateSubmission:
    submission = _new(data, principal)
    _set_dimensions(submission, data.dimensions)
    cells, problems = _api_cells(data.dimensions, data)
    _check(submission, cells, problems, _cell_loc, ("body", "total"))
    _store_cells(submission, cells)
    return _created(session, submission, principal, "api")


def upload_submission(
    session: Session, fields: SubmissionFields, table: ParsedTable, principal: Principal
) -> AggregateSubmission:
    """A table read from CSV: its total row, if any, is the stated total (unless `total` is
    given too, when both must agree); problems name the file's lines."""
    submission = _new(fields, principal)
    _set_dimensions(submission, table.dimensions)
    problems = []
    if table.total is not None:
        if fields.total is not None and fields.total != table.total:
            problems.append(
                FieldProblem(("body", "total"), "differs from the total row of the file")
            )
        submission.stated_total = table.total
    total_loc = ("body", "file", table.total_row) if table.total_row else ("body", "total")

    def line_of(index: int) -> Loc:
        return ("body", "file", table.rows[index])

    _check(submission, table.cells, problems, line_of, total_loc)
    _store_cells(submission, table.cells)
    return _created(session, submission, principal, "csv")


def get_submission(
    session: Session, submission_id: uuid.UUID, principal: Principal
) -> AggregateSubmission:
    """One of the caller's organisation's submissions; NotFoundError for any other."""
    submission = session.scalar(
        select(AggregateSubmission).where(
            AggregateSubmission.id == submission_id,
            AggregateSubmission.organisation_id == principal.organisation_id,
        )
    )
    if submission is None:
        raise NotFoundError("Aggregate submission")
    return submission


def list_submissions(session: Session, principal: Principal) -> list[AggregateSubmission]:
    """The caller's organisation's submissions not archived, the latest period first."""
    query = (
        select(AggregateSubmission)
        .where(
            AggregateSubmission.organisation_id == principal.organisation_id,
            AggregateSubmission.archived_at.is_(None),
        )
        .order_by(AggregateSubmission.period_from.desc(), AggregateSubmission.created_at.desc())
        .limit(500)
    )
    return list(session.scalars(query))


def update_submission(
    session: Session, submission: AggregateSubmission, data: SubmissionUpdate, who: Principal
) -> AggregateSubmission:
    """Replace the fields sent; the whole table is checked again, as if newly recorded."""
    sent = data.model_fields_set - {"version"}
    if not sent:
        raise InvalidFieldsError([FieldProblem(("body",), "send at least one field to change")])
    if submission.archived_at is not None:
        raise InvalidFieldsError([FieldProblem(("body",), "an archived table cannot change")])
    for name in sent & set(METADATA):
        value = getattr(data, name)
        if value is None and name not in ("admin1", "note"):
            raise InvalidFieldsError([FieldProblem(("body", name), "must not be null")])
        setattr(submission, name, value)
    if "total" in sent:
        submission.stated_total = data.total
    if "dimensions" in sent and "cells" not in sent:
        raise InvalidFieldsError([FieldProblem(("body", "cells"), "send the cells with them")])
    if "dimensions" in sent:
        _set_dimensions(submission, data.dimensions or [])
    if "cells" in sent:
        cells, problems = _api_cells(submission.dimensions, data)
    else:
        cells, problems = [_stored(submission, cell) for cell in submission.cells], []
    _check(submission, cells, problems, _cell_loc, ("body", "total"))
    if "cells" in sent:
        _store_cells(submission, cells)
    submission.updated_at = utcnow()  # bumps the version even when only cells changed
    session.flush()
    record(
        session,
        "aggregate.update",
        actor=who,
        record_type=RECORD_TYPE,
        record_id=submission.id,
        fields=sorted(sent),
    )
    return submission


def _stored(submission: AggregateSubmission, cell: AggregateCell) -> TableCell:
    labels = (cell.first_label, cell.second_label)[: len(submission.dimensions)]
    return TableCell(labels, cell.count)


def archive_submission(
    session: Session, submission: AggregateSubmission, reason: str | None, who: Principal
) -> None:
    """Kept for the record, out of lists and statistics."""
    if submission.archived_at is not None:
        return
    submission.archived_at = utcnow()
    submission.archive_reason = reason
    session.flush()
    record(
        session,
        "aggregate.archive",
        actor=who,
        record_type=RECORD_TYPE,
        record_id=submission.id,
        fields=["archived_at", "archive_reason"],
    )


def stored_cells(submission: AggregateSubmission) -> list[TableCell]:
    return [_stored(submission, cell) for cell in submission.cells]


def view(submission: AggregateSubmission) -> SubmissionRead:
    """The table as its owner sees it: exact, with what each label means to us."""
    dimensions = submission.dimensions
    cells = stored_cells(submission)
    read = [
        CellRead(
            labels={d.value: label for d, label in zip(dimensions, c.labels, strict=True)},
            categories={
                d.value: category_of(d, label)
                for d, label in zip(dimensions, c.labels, strict=True)
            },
            count=c.count,
        )
        for c in cells
    ]
    inner = [cell for cell in read if "*" not in cell.labels.values()]
    unmapped = sorted(
        {
            str(cell.labels[name])
            for cell in read
            for name, category in cell.categories.items()
            if category == "unmapped"
        }
    )
    return SubmissionRead(
        id=submission.id,
        organisation_id=submission.organisation_id,
        partner_name=submission.partner_name,
        source_kind=submission.source_kind,
        period_from=submission.period_from,
        period_to=submission.period_to,
        country=submission.country,
        admin1=submission.admin1,
        measure=submission.measure,
        dimensions=dimensions,
        total=submission.stated_total,
        cells_sum=sum(cell.count for cell in inner),
        unattributed=sum(
            cell.count for cell in inner if dimensions and None in cell.categories.values()
        ),
        unmapped_labels=unmapped,
        cells=read,
        note=submission.note,
        created_at=submission.created_at,
        updated_at=submission.updated_at,
        archived_at=submission.archived_at,
        version=submission.version,
    )

"""Partners' tables as CSV: the template to fill in, and reading a filled one back.

One column per dimension (headed by its code, e.g. `perpetrator_category`), then `count`. A row
holds the partner's own labels: an empty label is the remainder with no category, `*` every
value (a margin); the row whose labels are all `*` is the table's total. A row whose count is
left empty is not part of the table, so the template can list every category. Commas or
semicolons separate the columns (spreadsheets set to French write semicolons).
"""

import csv
import io
from dataclasses import dataclass, field

from app.aggregates.mapping import ALL_VALUES, template_labels
from app.aggregates.schemas import MAX_CELLS, MAX_COUNT
from app.aggregates.table import TableCell
from app.core.domain_errors import FieldProblem, InvalidFieldsError
from app.models.aggregate import AggregateDimension

COUNT = "count"


def template(dimensions: list[AggregateDimension]) -> str:
    """The header, a row per category of ours under a partner's label, the unattributed row
    (empty labels) and the total row (`*`), every count left empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*(d.value for d in dimensions), COUNT])
    if len(dimensions) == 1:
        for label in [*template_labels(dimensions[0]), ""]:
            writer.writerow([label, ""])
    elif len(dimensions) == 2:
        for first in [*template_labels(dimensions[0]), ""]:
            for second in [*template_labels(dimensions[1]), ""]:
                writer.writerow([first, second, ""])
    writer.writerow([*([ALL_VALUES] * len(dimensions)), ""])
    return out.getvalue()


@dataclass
class ParsedTable:
    dimensions: list[AggregateDimension]
    cells: list[TableCell] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # each cell's line in the file
    total: int | None = None
    total_row: int | None = None


def _loc(line: int, column: str | None = None) -> tuple[str | int, ...]:
    return ("body", "file", line) if column is None else ("body", "file", line, column)


def parse(text: str) -> ParsedTable:
    """The table a CSV holds; 422 naming each line and column that cannot be read."""
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:  # e.g. a field longer than the reader's limit
        raise InvalidFieldsError(
            [FieldProblem(("body", "file"), "is not a table the service can read")]
        ) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InvalidFieldsError([FieldProblem(("body", "file"), "the file has no header")])
    dimensions, problems = _header(rows[0])
    if problems:
        raise InvalidFieldsError(problems)
    table = ParsedTable(dimensions)
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        problems += _row(table, line, [cell.strip() for cell in row])
    if len(table.cells) > MAX_CELLS:
        problems.append(FieldProblem(("body", "file"), "holds too many rows"))
    if not table.cells and table.total is None and not problems:
        problems.append(FieldProblem(("body", "file"), "no row has a count"))
    if problems:
        raise InvalidFieldsError(problems)
    return table


def _header(header: list[str]) -> tuple[list[AggregateDimension], list[FieldProblem]]:
    names = [cell.strip().casefold() for cell in header]
    problems = []
    if names[-1:] != [COUNT]:
        problems.append(FieldProblem(_loc(1), "the last column must be `count`"))
    dimensions: list[AggregateDimension] = []
    for name in names[:-1]:
        if name not in set(AggregateDimension):
            problems.append(FieldProblem(_loc(1, name[:40]), "is not a dimension"))
        elif AggregateDimension(name) in dimensions:
            problems.append(FieldProblem(_loc(1, name), "is named twice"))
        else:
            dimensions.append(AggregateDimension(name))
    if len(dimensions) > 2:
        problems.append(FieldProblem(_loc(1), "a table has at most two dimensions"))
    return dimensions, problems


def _row(table: ParsedTable, line: int, row: list[str]) -> list[FieldProblem]:
    width = len(table.dimensions) + 1
    if len(row) != width:
        return [FieldProblem(_loc(line), "must have one value per column")]
    if not row[-1]:
        return []  # a category the partner did not fill in
    if not (row[-1].isascii() and row[-1].isdigit() and int(row[-1]) <= MAX_COUNT):
        return [FieldProblem(_loc(line, COUNT), "must be a whole number, 0 or more")]
    count = int(row[-1])
    labels = tuple(label or None for label in row[:-1])
    if any(label is not None and len(label) > 200 for label in labels):
        return [FieldProblem(_loc(line), "a label is longer than 200 characters")]
    if labels and all(label == ALL_VALUES for label in labels):
        if table.total_row is not None:
            return [FieldProblem(_loc(line), "the total row is given twice")]
        table.total, table.total_row = count, line
        return []
    table.cells.append(TableCell(labels, count))
    table.rows.append(line)
    return []

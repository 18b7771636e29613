"""The rules of a partner's table: which cells it may hold, and how they must add up.

A table has zero, one or two dimensions. Each cell gives the partner's label for each dimension
(None: no category, the unattributed remainder; `*`: every value, a margin of a two-dimension
table) and a count. The inner cells (no `*`) are the table; margins and the stated total are
checked against them, and a figure that does not add up is refused naming its cell.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.aggregates.mapping import ALL_VALUES, EXCLUSIVE, normalised
from app.core.domain_errors import FieldProblem
from app.models.aggregate import AggregateDimension

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class TableCell:
    labels: tuple[str | None, ...]  # one per dimension, in the table's order
    count: int

    @property
    def inner(self) -> bool:
        return ALL_VALUES not in self.labels

    def key(self) -> tuple[str | None, ...]:
        return tuple(None if label is None else normalised(label) for label in self.labels)


def cells_from_labels(
    dimensions: Sequence[AggregateDimension],
    cells: Sequence[tuple[dict[str, str | None], int]],
    cell_loc: Callable[[int], Loc],
) -> tuple[list[TableCell], list[FieldProblem]]:
    """Cells as the API sends them (labels keyed by dimension) in the table's order."""
    names = {dimension.value for dimension in dimensions}
    table, problems = [], []
    for index, (labels, count) in enumerate(cells):
        for name in sorted(set(labels) - names):
            problems.append(
                FieldProblem((*cell_loc(index), "labels", name), "is not a dimension of this table")
            )
        table.append(TableCell(tuple(labels.get(d.value) for d in dimensions), count))
    return table, problems


def table_problems(
    dimensions: Sequence[AggregateDimension],
    cells: Sequence[TableCell],
    total: int | None,
    cell_loc: Callable[[int], Loc],
    total_loc: Loc,
) -> list[FieldProblem]:
    """Everything wrong with the table, each problem naming its cell."""
    problems: list[FieldProblem] = []
    if not dimensions and len(cells) > 1:
        problems.append(
            FieldProblem(cell_loc(1), "a table with no dimension has a single cell, its total")
        )
    seen: dict[tuple[str | None, ...], int] = {}
    for index, cell in enumerate(cells):
        if cell.labels and all(label == ALL_VALUES for label in cell.labels):
            problems.append(
                FieldProblem(cell_loc(index), "state the table's total in `total`, not as a cell")
            )
        elif len(dimensions) == 1 and not cell.inner:
            problems.append(FieldProblem(cell_loc(index), "`*` is for margins of two dimensions"))
        first = seen.setdefault(cell.key(), index)
        if first != index:
            problems.append(
                FieldProblem(
                    cell_loc(index),
                    "repeats the labels of cell {first}",
                    "duplicate",
                    {"first": str(first)},
                )
            )
    if problems:
        return problems
    inner = [cell for cell in cells if cell.inner]
    problems += _margin_problems(dimensions, cells, inner, cell_loc)
    if total is not None:
        problems += _total_problems(dimensions, inner, total, cell_loc, total_loc)
    return problems


def _adds_up(dimensions: Sequence[AggregateDimension], parts: int, whole: int) -> bool:
    """Exclusive cells add up exactly; along a dimension where a case can be in several cells
    they add up to at least the whole."""
    if all(EXCLUSIVE[dimension] for dimension in dimensions):
        return parts == whole
    return parts >= whole


def _total_problems(
    dimensions: Sequence[AggregateDimension],
    inner: list[TableCell],
    total: int,
    cell_loc: Callable[[int], Loc],
    total_loc: Loc,
) -> list[FieldProblem]:
    problems = []
    added = sum(cell.count for cell in inner)
    if not _adds_up(dimensions, added, total):
        problems.append(
            FieldProblem(
                total_loc,
                "the cells add up to {added}, not to the stated total {total}",
                "total_mismatch",
                {"added": str(added), "total": str(total)},
            )
        )
    return problems


def _margin_problems(
    dimensions: Sequence[AggregateDimension],
    cells: Sequence[TableCell],
    inner: list[TableCell],
    cell_loc: Callable[[int], Loc],
) -> list[FieldProblem]:
    """A margin (`a`, `*`) must be the sum of the inner cells (`a`, any)."""
    problems = []
    for index, cell in enumerate(cells):
        if cell.inner or not cell.labels:
            continue
        summed = cell.labels.index(ALL_VALUES)
        kept = 1 - summed
        value = cell.key()[kept]
        parts = sum(c.count for c in inner if c.key()[kept] == value)
        if not _adds_up([dimensions[summed]], parts, cell.count):
            problems.append(
                FieldProblem(
                    (*cell_loc(index), "count"),
                    "the cells of this margin add up to {added}, not to {count}",
                    "total_mismatch",
                    {"added": str(parts), "count": str(cell.count)},
                )
            )
    return problems

"""Statistics: distinct incidents and victims by one or two dimensions, with the total, the
no-value bucket, and other organisations' data protected by the cell-key method (perturbed, and
suppressed where small)."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.auth import Principal
from app.core.place_names import place_key
from app.stats.cellkey import MAX_ADJUSTMENT
from app.stats.dimensions import DIMENSIONS, DimensionName, Level
from app.stats.queries import (
    Cell,
    Counted,
    counted_rows,
    group_cells,
    missing_values,
    total_cell,
)
from app.stats.schemas import (
    BASIS_MEANING,
    MEASURE_MEANING,
    Counts,
    Coverage,
    DimensionInfo,
    Group,
    Measure,
    ProtectionInfo,
    StatsQuery,
    StatsResult,
    SuppressionInfo,
)
from app.stats.suppression import WITHHELD_MARKER, Figure, render, suppress_small

Margins = dict[DimensionName, list[Cell]]
PROTECTION_NOTE = (
    "Figures that include other organisations' data are protected: the part from other "
    "organisations is adjusted by at most {adjustment} up or down (your own organisation's part "
    "is exact), always by the same amount for the same incidents and victims, so a figure is the "
    "same in every table it appears in. Totals and margins are adjusted on their own, so groups "
    "may not add up exactly to them. Where that part is below {k}, the figure is shown as "
    '"<{k}" or "suppressed".'
)


@dataclass(frozen=True)
class Tabulated:
    """A table counted and protected, before it is published: its cells keep their figures
    (exact count, part from other organisations, cell key, and whether it is hidden), for
    rules that must read a figure as published and know no more than that (app/party_dossiers)."""

    total: Cell
    margins: Margins
    cells: list[Cell]

    @property
    def figures(self) -> list[Figure]:
        return _figures(self.total, self.margins, self.cells)


def tabulate(
    session: Session, query: StatsQuery, principal: Principal, k: int, use_kept: bool = True
) -> Tabulated:
    """Count the table of `query` and hide the figures the suppression rule hides."""
    counted = counted_rows(query, principal.organisation_id, use_kept)
    total, margins, cells = _count(session, counted, query.group_by)
    table = Tabulated(total, margins, cells)
    suppress_small(table.figures, k)
    return table


def compute_stats(
    session: Session, query: StatsQuery, principal: Principal, k: int, use_kept: bool = True
) -> StatsResult:
    """`use_kept=False` counts the incidents themselves even where the kept counts would do."""
    return publish(tabulate(session, query, principal, k, use_kept), query, k)


def publish(table: Tabulated, query: StatsQuery, k: int) -> StatsResult:
    """The response of `/stats` for a table counted by `tabulate`."""
    names = query.group_by
    total, margins, cells = table.total, table.margins, table.cells
    figures = table.figures
    render = Renderer(k)
    dimensions = [_dimension_info(name, margins[name], render) for name in names]
    protected = any(figure.protected for figure in figures)
    return StatsResult(
        group_by=names,
        basis=query.basis,
        basis_meaning=BASIS_MEANING[query.basis],
        measure=query.measure,
        measure_meaning=MEASURE_MEANING[query.measure],
        filters=query.as_query_params(exclude={"group_by", "basis", "measure"}),
        total=render.counts(total),
        groups=[render.group(cell) for cell in _sorted(cells, names)],
        dimensions=dimensions,
        margins={
            name.value: [render.group(c) for c in _sorted(margins[name], [name])] for name in names
        }
        if len(names) > 1
        else None,
        suppression=SuppressionInfo(
            k=k,
            small_marker=f"<{k}",
            applied=any(figure.hidden for figure in figures),
            applies_to_other_organisations=protected,
        ),
        protection=ProtectionInfo(
            applied=protected,
            k=k,
            max_adjustment=MAX_ADJUSTMENT,
            figures_perturbed=sum(f.protected and not f.hidden for f in figures),
            tables_add_up=not protected,
        ),
        notes=_notes(render.counts(total), dimensions, protected, k, query.measure),
    )


def _count(
    session: Session, counted: Counted, names: list[DimensionName]
) -> tuple[Cell, Margins, list[Cell]]:
    """The cells, each dimension's margin and the total, in as few passes as the dimensions allow.

    Where every incident has exactly one value of a dimension (its source, its year...), summing
    over that dimension loses nothing, so a margin or the total is added up from the cells
    instead of read again. Dimensions where an incident can count in several groups are read.
    """
    cells = group_cells(session, counted, names)
    if len(names) == 1:
        margins = {names[0]: cells}
    else:
        margins = {
            name: _margin_from(cells, name)
            if _one_value_each(other)
            else group_cells(session, counted, [name])
            for name, other in zip(names, reversed(names), strict=True)
        }
    exclusive = [name for name in names if _one_value_each(name)]
    total = _total_from(margins[exclusive[0]]) if exclusive else total_cell(session, counted)
    return total, margins, cells


def _one_value_each(name: DimensionName) -> bool:
    return DIMENSIONS[name].level is Level.INCIDENT


def _margin_from(cells: list[Cell], name: DimensionName) -> list[Cell]:
    by_value: dict[str | int | None, list[Cell]] = {}
    for cell in cells:
        by_value.setdefault(cell.key[name.value], []).append(cell)
    margin = [_total_from(group, {name.value: value}) for value, group in by_value.items()]
    return margin + missing_values(name, margin)


def _total_from(cells: list[Cell], key: dict[str, str | int | None] | None = None) -> Cell:
    def added(figures: list[Figure]) -> Figure:
        return sum(figures, start=Figure(0, 0, 0))

    return Cell(
        key or {},
        added([cell.incidents for cell in cells]),
        added([cell.victims for cell in cells]),
    )


def _figures(total: Cell, margins: Margins, cells: list[Cell]) -> list[Figure]:
    every = [total, *cells, *(cell for margin in margins.values() for cell in margin)]
    return [figure for cell in every for figure in (cell.incidents, cell.victims)]


class Renderer:
    """Figures as published: their value, or the marker of their suppression."""

    def __init__(self, k: int) -> None:
        self.k = k

    def figure(self, figure: Figure) -> int | str:
        return render(figure, self.k)

    def counts(self, cell: Cell) -> Counts:
        return Counts(incidents=self.figure(cell.incidents), victims=self.figure(cell.victims))

    def group(self, cell: Cell) -> Group:
        return Group(key=cell.key, **self.counts(cell).model_dump())

    def sum(self, figures: list[Figure]) -> int | str:
        """The sum of figures as published: hidden with them if any is hidden."""
        if any(figure.hidden for figure in figures):
            return WITHHELD_MARKER
        return sum(figure.published for figure in figures)


def _sorted(cells: list[Cell], names: list[DimensionName]) -> list[Cell]:
    return sorted(cells, key=lambda cell: _sort_key(names, cell))


def _sort_key(names: list[DimensionName], cell: Cell) -> tuple[tuple[int, int, str, str], ...]:
    """Groups in each vocabulary's order; names (regions...) alphabetically, case and accents
    aside ("Ségou" before "Sikasso", not after "Zinder"), then as written; numbers by value."""
    key = []
    for name in names:
        value = cell.key[name.value]
        vocabulary = DIMENSIONS[name].vocabulary
        if value is None:
            key.append((1, 0, "", ""))  # the no-value bucket comes last
        elif value in vocabulary:
            key.append((0, vocabulary.index(str(value)), "", ""))
        elif isinstance(value, int):
            key.append((0, 0, f"{value:>12}", ""))
        else:
            key.append((0, 0, place_key(str(value)), str(value)))
    return tuple(key)


def _dimension_info(name: DimensionName, margin: list[Cell], render: Renderer) -> DimensionInfo:
    dimension = DIMENSIONS[name]
    without = next(cell for cell in margin if cell.key[name.value] is None)
    valued = [cell for cell in margin if cell.key[name.value] is not None]
    return DimensionInfo(
        name=name,
        description=dimension.description,
        no_value=dimension.no_value,
        incidents_in_several_groups=dimension.incidents_in_several_groups,
        victims_in_several_groups=dimension.victims_in_several_groups,
        coverage=Coverage(
            incidents_without_value=render.figure(without.incidents),
            victims_without_value=render.figure(without.victims),
            incidents_sum_over_groups=render.sum([cell.incidents for cell in valued]),
            victims_sum_over_groups=render.sum([cell.victims for cell in valued]),
        ),
    )


def _notes(
    total: Counts, dimensions: list[DimensionInfo], protected: bool, k: int, measure: Measure
) -> list[str]:
    notes = [
        f"Total: {total.incidents} incidents and {total.victims} victims, each counted once. "
        "Incidents are not victims: an incident may have several victims, or none recorded."
    ]
    if measure is not Measure.ALL_VICTIMS:
        notes.append(f"Victims counted ({measure.value}): {MEASURE_MEANING[measure]}")
    if protected:
        notes.append(PROTECTION_NOTE.format(adjustment=MAX_ADJUSTMENT, k=k))
    for info in dimensions:
        line = (
            f"By {info.name.value}: {info.coverage.incidents_without_value} incidents have no "
            f"value ({info.no_value}) and are shown as their own group."
        )
        if info.incidents_in_several_groups:
            line += (
                " Groups are not exclusive: an incident counts in each of its groups, so the "
                f"groups add up to {info.coverage.incidents_sum_over_groups} incidents."
            )
        if info.victims_in_several_groups:
            line += (
                " A victim counts in each of their groups and once in the total: the groups "
                f"add up to {info.coverage.victims_sum_over_groups} victims."
            )
        notes.append(line)
    return notes

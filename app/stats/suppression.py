"""Protecting statistics that include other organisations' data: the cell-key method, then
small-cell suppression of what it publishes.

A figure (a count of incidents or of victims in one cell) is exact for the caller's own
organisation's part. The part from other organisations is published perturbed: the perturbation
table (app/stats/cellkey.py) adjusts it by a small amount chosen by the cell's key, which is
derived from the records it counts, so the same cell always gets the same figure and the
difference of two figures no longer gives a hidden count back. A figure is published as its own
part plus the perturbed part from others; totals and margins are cells of their own, perturbed
on their own, so a table need not add up exactly.

Where the perturbed part from other organisations is from 1 to k-1, the figure is not shown: "<k"
when it holds nothing of the caller's own, else "suppressed" (the caller knows their own part and
could subtract it). Which marker is chosen depends only on the caller's own part, never on the
hidden one: were it "<k" while own + hidden < k, a caller adding their own records to the cell one
at a time would see the marker change at own = k - hidden, and read the hidden part.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from app.stats.cellkey import cell_key, perturbed


class Status(Enum):
    SHOWN = "shown"
    SMALL = "small"  # hidden; all from other organisations, from 1 to k-1 once perturbed
    WITHHELD = "withheld"  # hidden; the caller's own part plus a hidden one from 1 to k-1


@dataclass(eq=False)
class Figure:
    value: int  # the exact count
    foreign: int  # the part contributed by other organisations than the caller's
    key: int  # the cell key of that part: the sum of its records' keys, modulo 256
    status: Status = Status.SHOWN

    @property
    def hidden(self) -> bool:
        return self.status is not Status.SHOWN

    @property
    def protected(self) -> bool:
        """Whether the figure includes other organisations' data (and is perturbed)."""
        return self.foreign > 0

    @property
    def foreign_published(self) -> int:
        return perturbed(self.foreign, self.key)

    @property
    def published(self) -> int:
        """The caller's own part, exact, plus the perturbed part from other organisations."""
        return self.value - self.foreign + self.foreign_published

    def __add__(self, other: "Figure") -> "Figure":
        """Two cells with no record in common, as one cell."""
        return Figure(
            self.value + other.value, self.foreign + other.foreign, cell_key(self.key + other.key)
        )


def suppress_small(figures: Iterable[Figure], k: int) -> None:
    """Hide each figure whose perturbed part from other organisations is from 1 to k-1."""
    for figure in figures:
        if figure.protected and figure.foreign_published < k:
            figure.status = Status.SMALL if figure.value == figure.foreign else Status.WITHHELD


WITHHELD_MARKER = "suppressed"


def render(figure: Figure, k: int) -> int | str:
    """A figure as published: its value, or the marker of its suppression."""
    if figure.status is Status.SMALL:
        return f"<{k}"
    if figure.status is Status.WITHHELD:
        return WITHHELD_MARKER
    return figure.published

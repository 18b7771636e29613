"""Small-cell suppression for statistics that include other organisations' data.

A figure (a count of incidents or of victims in one cell) is *subject* to suppression when part of
it comes from another organisation than the caller's. Primary suppression hides a subject figure
when it is from 1 to k-1 (shown as "<k"), or when its part from other organisations is (shown as
"suppressed": the caller knows their own part and could subtract it).

Published figures are tied by sums: a total is the sum of its groups when the groups are exclusive,
and anyone can read totals from another query. Secondary suppression hides more figures until no
hidden figure can be narrowed down to a single value from those sums, given what the markers say
(a "<k" figure lies in 1..k-1, a "suppressed" one is k or more).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

UNBOUNDED = 10**12


class Status(Enum):
    SHOWN = "shown"
    SMALL = "small"  # hidden; its value is from 1 to k-1
    WITHHELD = "withheld"  # hidden; its value is k or more


@dataclass(eq=False)
class Figure:
    value: int
    foreign: int  # the part contributed by other organisations than the caller's
    status: Status = Status.SHOWN

    @property
    def hidden(self) -> bool:
        return self.status is not Status.SHOWN


@dataclass(eq=False)
class Relation:
    """`total` is exactly the sum of `parts`, and a reader may know `total` from elsewhere."""

    total: Figure
    parts: Sequence[Figure]


@dataclass
class Suppressor:
    k: int
    relations: list[Relation] = field(default_factory=list)

    def primary(self, figures: Iterable[Figure]) -> None:
        for figure in figures:
            if figure.foreign == 0 or figure.hidden:
                continue
            if 1 <= figure.value < self.k:
                figure.status = Status.SMALL
            elif 1 <= figure.foreign < self.k:
                figure.status = Status.WITHHELD

    def relate(self, total: Figure, parts: Sequence[Figure]) -> None:
        self.relations.append(Relation(total, parts))

    def secondary(self, frozen: Iterable[Figure] = ()) -> None:
        """Hide more figures until every relation protects its hidden parts.

        `frozen` figures are published as they are elsewhere (totals, margins) and are only hidden
        here as a last resort, when no part is left to hide.
        """
        keep = set(map(id, frozen))
        changed = True
        while changed:
            changed = False
            for relation in self.relations:
                if relation.total.hidden or self._protected(relation):
                    continue
                self._hide(self._next_to_hide(relation, keep) or relation.total)
                changed = True

    def _hide(self, figure: Figure) -> None:
        figure.status = Status.SMALL if 1 <= figure.value < self.k else Status.WITHHELD

    def _next_to_hide(self, relation: Relation, keep: set[int]) -> Figure | None:
        candidates = [
            part
            for part in relation.parts
            if not part.hidden and part.value > 0 and id(part) not in keep
        ]
        return min(candidates, key=lambda part: part.value, default=None)

    def _protected(self, relation: Relation) -> bool:
        hidden = [part for part in relation.parts if part.hidden]
        if not hidden:
            return True
        if len(hidden) == 1:
            return False  # the total minus the shown parts gives it away
        hidden_sum = sum(part.value for part in hidden)
        bounds = [self._bounds(part) for part in hidden]
        low_sum = sum(low for low, _ in bounds)
        high_sum = sum(high for _, high in bounds)
        for low, high in bounds:
            least = max(low, hidden_sum - (high_sum - high))
            most = min(high, hidden_sum - (low_sum - low))
            if most - least < 1:
                return False
        return True

    def _bounds(self, figure: Figure) -> tuple[int, int]:
        return (1, self.k - 1) if figure.status is Status.SMALL else (self.k, UNBOUNDED)


WITHHELD_MARKER = "suppressed"


def render(figure: Figure, k: int) -> int | str:
    """A figure as published: its value, or the marker of its suppression."""
    if figure.status is Status.SMALL:
        return f"<{k}"
    if figure.status is Status.WITHHELD:
        return WITHHELD_MARKER
    return figure.value

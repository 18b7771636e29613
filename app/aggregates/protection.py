"""What another organisation is shown of a partner's table: counts from 1 to k-1 hidden, and
further counts hidden until no hidden one can be worked out from the total and the others.

A partner's table is already aggregate and anonymous, so counts of k and more (and zeros) are
shown as published. A count from 1 to k-1 is shown as `<k`. With the total shown, the hidden
counts of a breakdown add up to the total minus the shown ones: exactly where each case is in one
group (an exclusive dimension), at least where it may be in several. Hiding one more count is not
always enough: two hidden counts adding up to 2 are both 1, and one hidden count beside a
withheld one (`suppressed`, known to be k or more) adding up to k + 1 is 1. So counts are
withheld, smallest first, until every hidden small count could still be anything from 1 to
k-1; where even withholding all of them leaves one determined, the breakdown is not shown.
"""

from dataclasses import dataclass, field

from app.stats.suppression import WITHHELD_MARKER


@dataclass
class PartnerFigure:
    """A count, and what is shown of it: itself, or the marker of its suppression."""

    count: int
    shown: int | str = field(init=False)

    def __post_init__(self) -> None:
        self.shown = self.count


@dataclass
class PartnerGroupCount:
    category: str | None
    labels: list[str] = field(default_factory=list)
    figure: PartnerFigure = field(default_factory=lambda: PartnerFigure(0))


def protect(
    total: PartnerFigure | None,
    groups: list[PartnerGroupCount] | None,
    exclusive: bool,
    k: int,
) -> bool:
    """Hide what another organisation may not see; False if the breakdown cannot be shown."""
    small_marker = f"<{k}"
    for figure in [*([total] if total else []), *(g.figure for g in groups or [])]:
        if 0 < figure.count < k:
            figure.shown = small_marker
    if not groups or total is None or total.shown != total.count:
        return True  # no shown total ties the hidden counts together
    candidates = sorted(
        (g.figure for g in groups if g.figure.shown == g.figure.count and g.figure.count > 0),
        key=lambda figure: figure.count,
    )
    while not _hidden_counts_open(total.count, [g.figure for g in groups], exclusive, k):
        if not candidates:
            return False
        candidates.pop(0).shown = WITHHELD_MARKER
    return True


def _hidden_counts_open(total: int, figures: list[PartnerFigure], exclusive: bool, k: int) -> bool:
    """Whether each count shown as `<k` could still be any of 1 to k-1, to a reader who knows
    the total, the shown counts, that each `<k` is 1 to k-1 and each withheld one k or more."""
    small = sum(1 for f in figures if f.shown == f"<{k}")
    if small == 0:
        return True
    withheld = sum(1 for f in figures if f.shown == WITHHELD_MARKER)
    # What the hidden counts add up to: exactly when exclusive, at least otherwise.
    rest = total - sum(f.count for f in figures if isinstance(f.shown, int))
    others = small - 1
    # The least one small count can be, the others as large as they may be (a withheld count
    # has no upper bound but the total, which leaves the least at 1).
    if withheld == 0 and rest - (k - 1) * others > 1:
        return False
    # The most it can be, the others as small as they may be: only the exact sum bounds it.
    return not (exclusive and rest - others - k * withheld < k - 1)

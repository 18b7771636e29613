"""The suppression rules alone: which figures a reader could pin down, and which are hidden."""

from app.stats.suppression import Figure, Status, Suppressor, render


def _table(values: list[int], foreign_share: float = 1.0) -> tuple[Figure, list[Figure]]:
    parts = [Figure(v, round(v * foreign_share)) for v in values]
    total = sum(values)
    return Figure(total, round(total * foreign_share)), parts


def test_a_single_small_cell_drags_the_next_smallest_with_it() -> None:
    total, parts = _table([40, 3, 12, 25])
    suppressor = Suppressor(k=5)
    suppressor.primary([total, *parts])
    suppressor.relate(total, parts)
    suppressor.secondary(frozen=[total])
    assert [part.status for part in parts] == [
        Status.SHOWN,
        Status.SMALL,
        Status.WITHHELD,
        Status.SHOWN,
    ]
    assert [render(part, 5) for part in parts] == [40, "<5", "suppressed", 25]
    assert render(total, 5) == 80


def test_a_partner_that_would_still_pin_the_small_cell_is_not_enough() -> None:
    # 1 + 5 = 6: knowing one is 1..4 and the other at least 5 leaves only 1 and 5.
    total, parts = _table([1, 5, 30])
    suppressor = Suppressor(k=5)
    suppressor.primary([total, *parts])
    suppressor.relate(total, parts)
    suppressor.secondary(frozen=[total])
    assert all(part.hidden for part in parts)


def test_two_small_cells_that_sum_to_two_are_both_ones_so_more_is_hidden() -> None:
    total, parts = _table([1, 1, 20, 30])
    suppressor = Suppressor(k=5)
    suppressor.primary([total, *parts])
    suppressor.relate(total, parts)
    suppressor.secondary(frozen=[total])
    assert [part.hidden for part in parts] == [True, True, True, False]


def test_own_organisation_figures_are_not_suppressed() -> None:
    total, parts = _table([40, 3, 12], foreign_share=0.0)
    suppressor = Suppressor(k=5)
    suppressor.primary([total, *parts])
    suppressor.relate(total, parts)
    suppressor.secondary(frozen=[total])
    assert not any(part.hidden for part in parts)


def test_a_large_cell_with_a_small_foreign_part_is_withheld() -> None:
    # 20 of the caller's own and 2 from elsewhere: showing 22 would reveal the 2.
    cell, other = Figure(22, 2), Figure(30, 30)
    total = Figure(52, 32)
    suppressor = Suppressor(k=5)
    suppressor.primary([total, cell, other])
    suppressor.relate(total, [cell, other])
    suppressor.secondary(frozen=[total])
    assert cell.status is Status.WITHHELD and other.hidden


def test_when_nothing_else_can_be_hidden_the_total_is() -> None:
    total, parts = _table([4, 4, 0])
    suppressor = Suppressor(k=5)
    suppressor.primary([total, *parts])
    suppressor.relate(total, parts)
    suppressor.secondary(frozen=[total])
    assert total.hidden

"""The perturbation table and the protection rules alone, without a database."""

import random

from app.models.rollup import RECORD_KEYS
from app.stats.cellkey import MAX_ADJUSTMENT, adjustment, cell_key, perturbed
from app.stats.suppression import Figure, Status, render, suppress_small

COUNTS = range(0, 200)
KEYS = range(RECORD_KEYS)


def test_adjustments_are_bounded() -> None:
    assert {adjustment(n, key) for n in COUNTS for key in KEYS} == set(
        range(-MAX_ADJUSTMENT, MAX_ADJUSTMENT + 1)
    )


def test_zero_stays_zero_and_a_positive_count_stays_positive() -> None:
    assert all(perturbed(0, key) == 0 for key in KEYS)
    assert all(perturbed(n, key) >= 1 for n in COUNTS if n > 0 for key in KEYS)
    assert all(perturbed(1, key) == 1 for key in KEYS)


def test_each_count_is_adjusted_by_zero_on_average_over_cell_keys() -> None:
    for n in COUNTS:
        assert sum(adjustment(n, key) for key in KEYS) == 0, n


def test_counts_of_three_and_more_can_move_both_ways_by_the_most() -> None:
    for n in (3, 4, 5, 17, 101):
        assert {adjustment(n, key) for key in KEYS} == {-2, -1, 0, 1, 2}


def test_the_same_count_and_cell_key_always_give_the_same_figure() -> None:
    rng = random.Random(7)
    pairs = [(rng.randrange(200), rng.randrange(RECORD_KEYS)) for _ in range(500)]
    assert [perturbed(n, key) for n, key in pairs] == [perturbed(n, key) for n, key in pairs]


def test_cell_keys_wrap_around_the_record_key_range() -> None:
    assert cell_key(RECORD_KEYS + 3) == 3 and cell_key(0) == 0


def test_a_cell_one_record_apart_is_not_adjusted_alike() -> None:
    """For a hidden cell of h records with key sum s, pairs of cells (n + h records, key k + s)
    and (n records, key k): their difference equals h for only some of the cell keys k."""
    for h in range(1, 5):
        for s in (0, 1, 5, 17, 128, 255):
            for n in (5, 12, 40):
                exact = sum(
                    perturbed(n + h, cell_key(key + s)) - perturbed(n, key) == h for key in KEYS
                )
                assert exact < RECORD_KEYS * 0.5, (h, s, n)


def test_a_figure_is_its_own_part_exact_plus_the_perturbed_foreign_part() -> None:
    own_only = Figure(value=3, foreign=0, key=0)
    mixed = Figure(value=30, foreign=20, key=77)
    assert own_only.published == 3
    assert mixed.published == 10 + perturbed(20, 77)


def test_small_foreign_parts_are_hidden_after_perturbation() -> None:
    key_keeping_four = next(key for key in KEYS if perturbed(4, key) == 4)
    small = Figure(value=4, foreign=4, key=key_keeping_four)
    mixed = Figure(value=24, foreign=4, key=key_keeping_four)
    own = Figure(value=2, foreign=0, key=0)
    large = Figure(value=40, foreign=40, key=0)
    suppress_small([small, mixed, own, large], k=5)
    assert small.status is Status.SMALL and render(small, 5) == "<5"
    assert mixed.status is Status.WITHHELD and render(mixed, 5) == "suppressed"
    assert render(own, 5) == 2 and render(large, 5) == perturbed(40, 0)


def test_cells_with_no_record_in_common_add_up_with_their_keys() -> None:
    total = Figure(5, 3, 250) + Figure(7, 7, 10)
    assert (total.value, total.foreign, total.key) == (12, 10, 4)

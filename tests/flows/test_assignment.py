"""Blocked randomisation: balance within every block, reproducibility from the seed, independence of blocks."""

from __future__ import annotations

from collections import Counter

import pytest

from flows.assignment import ASSIGNMENT_ALGORITHM, assign, block_order


@pytest.mark.parametrize("conditions", [["a", "b"], ["a", "b", "c"], ["x", "y", "z", "w"]])
@pytest.mark.parametrize("repeats", [1, 2, 3])
def test_counts_per_condition_differ_by_at_most_one_within_each_block_at_every_moment(conditions, repeats):
    seed = "f" * 32
    size = len(conditions) * repeats
    drawn = [assign(seed, n, conditions, repeats) for n in range(size * 25)]
    for block in range(25):
        members = [d for d in drawn if d.block == block]
        assert Counter(d.condition for d in members) == dict.fromkeys(conditions, repeats)
        # Inside the block, after every arrival, the running counts differ by at most one per repeat.
        counts: Counter[str] = Counter()
        for d in sorted(members, key=lambda d: d.position):
            counts[d.condition] += 1
            spread = max(counts.get(c, 0) for c in conditions) - min(counts.get(c, 0) for c in conditions)
            assert spread <= repeats
    # Over the whole sequence at every prefix the totals differ by at most one block's worth.
    totals: Counter[str] = Counter()
    for d in drawn:
        totals[d.condition] += 1
        assert max(totals.get(c, 0) for c in conditions) - min(totals.get(c, 0) for c in conditions) <= repeats


def test_with_repeats_one_counts_differ_by_at_most_one_at_every_moment():
    totals: Counter[str] = Counter()
    for n in range(200):
        totals[assign("seed", n, ["low", "high"]).condition] += 1
        assert abs(totals["low"] - totals["high"]) <= 1


def test_the_sequence_is_reproducible_from_the_seed_alone_and_differs_between_seeds():
    first = [assign("s1", n, ["a", "b", "c"]).condition for n in range(60)]
    again = [assign("s1", n, ["a", "b", "c"]).condition for n in range(60)]
    other = [assign("s2", n, ["a", "b", "c"]).condition for n in range(60)]
    assert first == again
    assert first != other


def test_block_orders_vary_between_blocks():
    orders = {tuple(block_order("seed", b, ["a", "b", "c", "d"])) for b in range(40)}
    assert len(orders) > 10  # 24 possible orders; a fixed order would give 1


def test_each_order_of_two_conditions_is_about_equally_likely():
    firsts = Counter(block_order(f"seed-{i}", 0, ["a", "b"])[0] for i in range(2000))
    assert 900 < firsts["a"] < 1100


def test_the_assignment_records_what_reproduces_it():
    drawn = assign("abc", 7, ["a", "b", "c"])
    assert drawn.as_dict() == {
        "condition": drawn.condition,
        "number": 7,
        "block": 2,
        "position": 1,
        "seed": "abc",
        "algorithm": ASSIGNMENT_ALGORITHM,
    }
    assert drawn.condition == block_order("abc", 2, ["a", "b", "c"])[1]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        block_order("s", 0, [])
    with pytest.raises(ValueError):
        assign("s", -1, ["a", "b"])

"""Axis arithmetic: 1-2-5 steps, one number format per axis, bins on the ticks, fixed ranges that count
what falls outside instead of stretching."""

from __future__ import annotations

import math

import pytest

from dashboard.axes import bin_values, count_axis, nice_axis, nice_multiple, nice_step, split_outside
from traits.charts import MINUS, Axis, clamp


@pytest.mark.parametrize(
    ("raw", "step"),
    [
        (0.0003, 0.0005),
        (0.04, 0.05),
        (0.15, 0.2),
        (0.3, 0.5),
        (1, 1),
        (4.06, 5),
        (9.99, 10),
        (10, 10),
        (11, 20),
        (73, 100),
        (2500, 5000),
    ],
)
def test_a_nice_step_is_the_smallest_1_2_or_5_times_a_power_of_ten_that_covers_the_raw_step(raw, step):
    assert nice_step(raw) == step


@pytest.mark.parametrize("raw", [0, -1, math.nan, math.inf])
def test_a_nice_step_of_nothing_is_one(raw):
    assert nice_step(raw) == 1.0


def test_a_tick_step_is_a_whole_multiple_of_the_bin_width():
    assert nice_multiple(8.1, 10) == 10
    assert nice_multiple(1.0, 0.5) == 1.0
    assert nice_multiple(3, 2) == 10  # 5 is not a multiple of 2: the next 1-2-5 step that is
    assert nice_multiple(0.1, 5) == 5


def test_an_axis_of_8_38_to_49_runs_from_0_to_50_in_tens():
    axis = nice_axis(8.38, 49)
    assert (axis.low, axis.high, axis.step) == (0, 50, 10)
    assert [axis.label(t) for t in axis.ticks] == ["0", "10", "20", "30", "40", "50"]


def test_every_label_on_an_axis_has_the_same_number_of_decimals():
    axis = nice_axis(0.001, 0.009)
    labels = [axis.label(t) for t in axis.ticks]
    assert labels == ["0.000", "0.002", "0.004", "0.006", "0.008", "0.010"]
    tenths = Axis(0, 1, 0.1)
    assert [tenths.label(t) for t in tenths.ticks][:4] == ["0.0", "0.1", "0.2", "0.3"]  # not 0.30000000000000004


def test_a_count_axis_has_whole_steps_even_for_one_session():
    assert count_axis(1).ticks == [0, 1]
    assert count_axis(7).ticks == [0, 2, 4, 6, 8]
    assert all(t == int(t) for t in count_axis(3).ticks)


def test_an_axis_of_one_repeated_value_still_has_a_width():
    axis = nice_axis(12, 12)
    assert axis.low < 12 < axis.high


def test_values_outside_a_fixed_range_are_counted_not_kept():
    inside, below, above = split_outside([-4, -3, 0, 3, 3.01, 20], -3, 3)
    assert inside == [-3, 0, 3] and (below, above) == (1, 2)
    assert clamp(20, -3, 3) == (3, 1)
    assert clamp(-3.5, -3, 3) == (-3, -1)
    assert clamp(1.5, -3, 3) == (1.5, 0)


def test_z_scores_are_binned_on_minus_3_to_plus_3_whatever_the_outliers():
    binned = bin_values([-0.5, 0.2, 20, 14, -4, 3.0, -3.0], fixed=(-3, 3), signed=True)
    assert (binned.axis.low, binned.axis.high, binned.width) == (-3, 3, 0.5)
    assert [binned.axis.label(t) for t in binned.axis.ticks] == [
        f"{MINUS}3",
        f"{MINUS}2",
        f"{MINUS}1",
        "0",
        "+1",
        "+2",
        "+3",
    ]
    assert (binned.n, binned.below, binned.above) == (7, 1, 2)
    assert sum(b.count for b in binned.bins) == 4  # the edges themselves are inside
    assert binned.bin_label(0) == f"[{MINUS}3.0, {MINUS}2.5)" and binned.bin_label(11) == "[+2.5, +3.0]"


def test_continuous_bins_have_1_2_5_widths_and_edges_on_the_ticks():
    binned = bin_values([8.38, 12, 20, 33, 40, 45, 49])
    assert binned.width == 10 and [b.low for b in binned.bins] == [0, 10, 20, 30, 40]
    assert [b.count for b in binned.bins] == [1, 1, 1, 1, 3]
    assert binned.bin_label(0) == "[0, 10)" and binned.bin_label(4) == "[40, 50]"  # the last bin is closed


def test_whole_numbers_get_whole_bins_centred_on_their_values_and_no_empty_bin_past_the_data():
    binned = bin_values([3, 4, 5, 9, 7, 6, 3], discrete=True)
    assert binned.width == 1 and [binned.bin_label(i) for i in (0, 1)] == ["2", "3"]  # from the tick at 2
    assert binned.bins[-1].low == 9 and binned.axis.high == 9.5 and binned.axis.ticks == [2, 4, 6, 8]
    wide = bin_values(list(range(17)), discrete=True)
    assert wide.width == 2 and wide.bin_label(0) == "0\u20131" and wide.axis.ticks == [0, 5, 10, 15]
    assert bin_values(list(range(31)), discrete=True, max_bins=31).width == 1  # a bar per explosion count
    one = bin_values([2, 2, 2], discrete=True)
    assert [(one.bin_label(0), one.bins[0].count)] == [("2", 3)] and one.axis.ticks == [2]


def test_many_values_get_at_most_max_bins():
    binned = bin_values([i / 7 for i in range(1000)], max_bins=12)
    assert len(binned.bins) <= 12 and sum(b.count for b in binned.bins) == 1000

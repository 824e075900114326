"""The results page's sentences never contradict their own range."""

from __future__ import annotations

from traits.views import describe

POLES = {"low_pole": "steady", "high_pole": "changing"}


def test_a_lean_is_claimed_only_when_the_range_stays_on_that_side():
    assert "clearly toward “steady”" in describe({**POLES, "z": -1.4, "percentile_interval": [2, 30]})
    wide = describe({**POLES, "z": -1.4, "percentile_interval": [0, 90]})
    assert "clearly toward" not in wide and "no clear lean toward either end" in wide and "between 0 and 90" in wide
    assert "somewhat toward “changing”" in describe({**POLES, "z": 0.7, "percentile_interval": [55, 88]})


def test_a_range_that_rounds_to_one_number_is_said_as_one_number():
    text = describe({**POLES, "z": 3.0, "percentile_interval": [99.7, 100.0]})
    assert "between" not in text and "about 100 of 100" in text


def test_the_middle_and_missing_values_read_plainly():
    assert "in the middle" in describe({**POLES, "z": 0.1, "percentile_interval": [30, 70]})
    assert describe({**POLES, "z": None, "reason": "too few balloons"}).endswith("too few balloons.")

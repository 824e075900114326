"""What the participant reads: plain numbers always, a direction only when the interval says so, a place
among others only against a real norm (never the placeholder), and sentences that never contradict
their own range."""

from __future__ import annotations

from traits.mapping import compute_profile
from traits.metrics import Trial
from traits.wording import basis, describe, is_placed

POLES = {"key": "consistency", "low_pole": "exploratory", "high_pole": "consistent", "status": "ok"}
STUDY = {"basis": "study", "n": 41, "label": "study-norms-0123", "leave_one_out": True, "percentile_method": "normal"}
PLACEHOLDER = {"basis": "placeholder", "n": None, "source": "placeholder scale"}


def placed(**extra):
    return {**POLES, "norm": STUDY, **extra}


def test_a_lean_is_claimed_only_when_the_range_stays_on_that_side():
    assert "clearly toward “exploratory”" in describe(placed(percentile=8, percentile_interval=[2, 30]))
    wide = describe(placed(percentile=8, percentile_interval=[0, 90]))
    assert "clearly toward" not in wide and "no clear lean toward either end" in wide and "between 0 and 90" in wide
    assert "somewhat toward “consistent”" in describe(placed(percentile=76, percentile_interval=[55, 88]))


def test_a_range_that_rounds_to_one_number_is_said_as_one_number():
    text = describe(placed(percentile=99.9, percentile_interval=[99.7, 100.0]))
    assert "between" not in text and "about 100 of 100" in text


def test_the_middle_names_the_other_participants_of_the_study_never_a_reference_group():
    text = describe(placed(percentile=52, percentile_interval=[30, 70]))
    assert "Compared with 41 other participants of this study" in text and "near the middle of them" in text
    assert "reference group" not in text
    assert describe({**POLES, "status": "insufficient_data", "reason": "too few balloons"}).endswith(
        "too few balloons."
    )


def test_no_place_and_no_number_of_100_is_said_against_the_placeholder():
    dim = {**POLES, "norm": PLACEHOLDER, "z": 0.1, "percentile": None, "facts": {"mean_pumps": 30, "sd_pumps": 9}}
    text = describe(dim)
    assert not is_placed(dim)
    assert "of 100" not in text and "middle" not in text and "Compared with" not in text
    assert text == "On the balloons you collected you pumped 30 times on average, usually within about 9 pumps of that."
    assert "placeholder" in basis(dim) and "no percentile" in basis(dim)


def trials(pumps, exploded=(), max_pumps=128):
    out = []
    for i, p in enumerate(pumps):
        ts = [1000.0 * i + 310.0 * k for k in range(1, p + 1)]
        out.append(Trial(i, "blue", max_pumps, p, i in exploded, 1000.0 * i, ts, None))
    return out


def test_a_session_without_norms_reads_in_plain_terms_with_the_real_numbers():
    pumps = [35] * 30
    exploded = {4, 11, 19, 26}
    for i in exploded:
        pumps[i] = 20  # popped at 20: the 35 on collected balloons is what "on average" means
    dims = {d["key"]: d for d in compute_profile(trials(pumps, exploded, max_pumps=64), seed=3)["dimensions"]}
    risk = describe(dims["risk_tolerance"])
    # The study's own capacity (64 here, from the schedule), not the 128 of the rescaled indicator.
    assert risk == "You pumped 35 times on average on the balloons you collected; a balloon could take up to 64 pumps."
    assert describe(dims["decision_pace"]) == "The typical time between two pumps was 0.31 seconds."
    # Collected balloons were all 35, after a pop or not: no change, and no lean claimed.
    loss = describe(dims["reaction_to_loss"])
    assert loss == (
        "Right after a pop you pumped 35 times on average; right after a balloon you collected, 35 times "
        "(counting the balloons you went on to collect). One game does not show a clear change after a pop, either way."
    )
    assert describe(dims["learning"]).endswith("One game does not show a clear trend up or down.")
    for d in dims.values():
        assert d["percentile"] is None and "of 100" not in describe(d) and "reference group" not in describe(d)

"""score() against cases worked out by hand (the arithmetic is written next to each expectation)."""

from __future__ import annotations

import dataclasses

import pytest

from questionnaires.definition import reverse_value, validate_definition
from questionnaires.scoring import SCORING_VERSION, ScoreResult, ScoringError, score

FIVE = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


def lik(key: str, reverse: bool = False) -> dict:
    return {"key": key, "type": "likert", "text": key, "points": 5, "anchors": FIVE, "reverse": reverse}


DEFINITION = validate_definition(
    {
        "items": [
            lik("q1"),
            lik("q2"),
            lik("q3", reverse=True),
            lik("q4"),
            lik("q5", reverse=True),
            lik("q6"),
            {"key": "hours", "type": "number", "text": "Hours", "min": 0, "max": 24},
            {"key": "days", "type": "number", "text": "Days", "min": 0, "max": 7, "integer": True},
            {
                "key": "attn_single",
                "type": "single",
                "text": "Choose B",
                "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                "attention_check": {"expected": "b"},
            },
            {**lik("attn_likert"), "attention_check": {"expected": [4, 5]}},
            {
                "key": "attn_multiple",
                "type": "multiple",
                "text": "Tick X and Z",
                "options": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}, {"value": "z", "label": "Z"}],
                "attention_check": {"expected": ["x", "z"]},
            },
            {"key": "note", "type": "text", "text": "Anything else?", "required": False},
        ],
        "scales": [
            {
                "key": "total",
                "label": "Total",
                "items": ["q1", "q2", "q3", "q4", "q5", "q6"],
                "method": "mean",
                "min_answered": 4,
                "subscales": [
                    {"key": "part_a", "label": "A", "items": ["q1", "q2", "q3"], "min_answered": 2},
                    {"key": "part_b", "label": "B", "items": ["q4", "q5", "q6"], "method": "sum", "min_answered": 2},
                ],
            },
            {"key": "summed", "label": "Summed", "items": ["q1", "q2", "q3", "q4"], "method": "sum"},
            {"key": "time", "label": "Time", "items": ["hours", "days"], "method": "mean", "min_answered": 0.5},
        ],
    }
)

# q3 and q5 are reverse keyed on 1..5: reversed = (1 + 5) - answer, so q3 = 1 counts 5, q5 = 2 counts 4.
MOST = {"q1": 4, "q2": 2, "q3": 1, "q4": 3, "q5": 2, "hours": 2.5, "days": 6}  # q6 unanswered


def test_reverse_keying_is_min_plus_max_minus_the_answer() -> None:
    item = DEFINITION["items"][2]
    assert [reverse_value(item, v) for v in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]
    zero_to_six = {**lik("z"), "points": 7, "min": 0, "anchors": ["Never", "Always"]}
    seven = validate_definition({"items": [zero_to_six]})["items"][0]
    assert [reverse_value(seven, v) for v in (0, 1, 6)] == [6, 5, 0]  # (0 + 6) - v


def test_mean_scale_with_reverse_keyed_items_and_one_missing() -> None:
    result = score(DEFINITION, MOST)
    # values 4, 2, 5, 3, 4 (q6 missing): 18 / 5 = 3.6; 5 answered >= min_answered 4
    assert result.scales["total"] == {"score": pytest.approx(3.6), "answered": 5, "items": 6, "reason": None}


def test_subscales_score_their_own_items() -> None:
    result = score(DEFINITION, MOST)
    # part_a: q1 4, q2 2, q3 1 -> 5: (4 + 2 + 5) / 3 = 11 / 3
    assert result.subscales["part_a"]["score"] == pytest.approx(11 / 3)
    assert result.subscales["part_a"]["answered"] == 3
    # part_b (sum, prorated): q4 3, q5 2 -> 4, q6 missing: mean 3.5 x 3 items = 10.5
    assert result.subscales["part_b"] == {"score": pytest.approx(10.5), "answered": 2, "items": 3, "reason": None}


def test_sum_with_every_item_answered_is_the_plain_sum() -> None:
    # q1..q4: 4 + 2 + 5 + 3 = 14 (= mean 3.5 x 4 items)
    assert score(DEFINITION, MOST).scales["summed"]["score"] == pytest.approx(14)


def test_sum_and_mean_of_the_same_answers_differ_by_the_item_count() -> None:
    answers = {"q4": 5, "q5": 5, "q6": 2}  # q5 reversed -> 1: values 5, 1, 2
    result = score(DEFINITION, answers)
    assert result.subscales["part_b"]["score"] == pytest.approx(8)  # sum 5 + 1 + 2
    assert result.scales["total"]["score"] is None  # only 3 of 6 answered, 4 needed


def test_below_min_answered_the_score_is_none_with_a_reason() -> None:
    result = score(DEFINITION, {"q1": 5, "q4": 1})
    assert result.scales["total"] == {
        "score": None,
        "answered": 2,
        "items": 6,
        "reason": "2 of 6 items answered; at least 4 needed",
    }
    assert result.subscales["part_a"]["score"] is None  # 1 of 3, 2 needed
    assert result.subscales["part_a"]["reason"] == "1 of 3 items answered; at least 2 needed"
    # "summed" left min_answered out: the default is every item
    assert result.scales["summed"]["reason"] == "2 of 4 items answered; at least 4 needed"


def test_exactly_min_answered_is_enough() -> None:
    result = score(DEFINITION, {"q1": 5, "q2": 4, "q3": 5, "q4": 1})
    # values 5, 4, 1, 1: 11 / 4 = 2.75 with 4 answered, 4 needed
    assert result.scales["total"]["score"] == pytest.approx(2.75)


def test_number_items_score_and_a_fraction_sets_min_answered() -> None:
    # time: mean of 2.5 and 6 = 4.25
    assert score(DEFINITION, MOST).scales["time"]["score"] == pytest.approx(4.25)
    # min_answered 0.5 of 2 items = 1: one answer is enough
    assert score(DEFINITION, {"days": 3}).scales["time"] == {"score": 3.0, "answered": 1, "items": 2, "reason": None}
    assert score(DEFINITION, {}).scales["time"]["score"] is None


def test_blank_answers_count_as_missing() -> None:
    result = score(DEFINITION, {"q1": 5, "q2": "", "q3": None, "q4": 5, "q5": 5, "q6": 5})
    # answered q1, q4, q5 (-> 1), q6: (5 + 5 + 1 + 5) / 4 = 4
    assert result.scales["total"]["score"] == pytest.approx(4)
    assert result.scales["total"]["answered"] == 4


def test_answers_given_as_text_are_parsed_before_scoring() -> None:
    assert score(DEFINITION, {"q1": "4", "q2": "2", "q3": "1", "q4": "3"}).scales["summed"]["score"] == 14


def test_attention_checks_all_passed() -> None:
    answers = {**MOST, "attn_single": "b", "attn_likert": 4, "attn_multiple": ["z", "x"]}
    checks = score(DEFINITION, answers).attention_checks
    assert checks["passed"] == 3 and checks["failed"] == 0
    assert [entry["key"] for entry in checks["items"]] == ["attn_single", "attn_likert", "attn_multiple"]
    assert all(entry["passed"] and entry["reason"] is None for entry in checks["items"])


def test_attention_checks_failed_and_unanswered() -> None:
    answers = {**MOST, "attn_single": "a", "attn_multiple": ["x"]}  # attn_likert unanswered
    checks = score(DEFINITION, answers).attention_checks
    assert checks == {
        "passed": 0,
        "failed": 3,
        "items": [
            {"key": "attn_single", "passed": False, "reason": "wrong_answer"},
            {"key": "attn_likert", "passed": False, "reason": "unanswered"},
            {"key": "attn_multiple", "passed": False, "reason": "wrong_answer"},  # a subset is not the set
        ],
    }


def test_one_of_several_expected_answers_passes() -> None:
    checks = score(DEFINITION, {"attn_single": "b", "attn_likert": 5, "attn_multiple": ["x", "y", "z"]})
    assert (checks.attention_checks["passed"], checks.attention_checks["failed"]) == (2, 1)


def test_an_invalid_stored_answer_raises_rather_than_being_dropped() -> None:
    with pytest.raises(ScoringError) as caught:
        score(DEFINITION, {**MOST, "q2": 9})
    assert caught.value.item_key == "q2" and caught.value.code == "out_of_range"
    with pytest.raises(ScoringError):
        score(DEFINITION, {"attn_single": "c"})


def test_unscored_items_do_not_affect_the_scores() -> None:
    assert score(DEFINITION, {**MOST, "note": "free text"}) == score(DEFINITION, MOST)


def test_the_result_is_frozen_versioned_and_serialisable() -> None:
    result = score(DEFINITION, MOST)
    assert isinstance(result, ScoreResult)
    assert result.version == SCORING_VERSION == "1.0.0"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.version = "2"  # type: ignore[misc]
    stored = result.as_dict()
    assert stored["version"] == "1.0.0"
    assert stored["scales"]["total"] == result.scales["total"]
    assert set(stored) == {"version", "scales", "subscales", "attention_checks"}


def test_scoring_is_deterministic() -> None:
    assert score(DEFINITION, MOST) == score(DEFINITION, dict(reversed(list(MOST.items()))))


def test_a_definition_without_scales_scores_to_empty_results() -> None:
    plain = validate_definition({"items": [lik("only")]})
    result = score(plain, {"only": 3})
    assert (result.scales, result.subscales) == ({}, {})
    assert result.attention_checks == {"passed": 0, "failed": 0, "items": []}

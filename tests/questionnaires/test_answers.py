"""validate_answer for each item type: the normalised value, or the machine code of the refusal."""

from __future__ import annotations

from typing import Any

import pytest

from questionnaires.definition import AnswerError, validate_answer, validate_definition

DEFINITION = validate_definition(
    {
        "items": [
            {"key": "lik", "type": "likert", "text": "L", "points": 5, "anchors": ["No", "Yes"]},
            {"key": "lik0", "type": "likert", "text": "L0", "points": 7, "min": 0, "anchors": ["No", "Yes"]},
            {
                "key": "one",
                "type": "single",
                "text": "S",
                "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
            },
            {
                "key": "many",
                "type": "multiple",
                "text": "M",
                "options": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}, {"value": "z", "label": "Z"}],
            },
            {"key": "num", "type": "number", "text": "N", "min": 0, "max": 10},
            {"key": "int", "type": "number", "text": "I", "integer": True, "min": 1},
            {"key": "open", "type": "number", "text": "O", "required": False},
            {"key": "txt", "type": "text", "text": "T", "max_length": 5},
            {"key": "opt", "type": "text", "text": "T2", "required": False},
        ]
    }
)
ITEMS = {item["key"]: item for item in DEFINITION["items"]}


def code_of(key: str, value: Any) -> str:
    with pytest.raises(AnswerError) as caught:
        validate_answer(ITEMS[key], value)
    assert caught.value.message  # a human message comes with every code
    return caught.value.code


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (5, 5), ("3", 3), (4.0, 4), (" 2 ", 2)])
def test_likert_accepts_its_points(value: Any, expected: int) -> None:
    assert validate_answer(ITEMS["lik"], value) == expected


@pytest.mark.parametrize(("value", "code"), [(0, "out_of_range"), (6, "out_of_range"), (2.5, "not_an_integer")])
def test_likert_refuses_values_off_the_scale(value: Any, code: str) -> None:
    assert code_of("lik", value) == code


@pytest.mark.parametrize("value", ["three", True, [3], {"v": 3}, float("nan")])
def test_likert_refuses_non_numbers(value: Any) -> None:
    assert code_of("lik", value) == "wrong_type"


def test_likert_with_a_minimum_of_zero() -> None:
    assert validate_answer(ITEMS["lik0"], 0) == 0
    assert validate_answer(ITEMS["lik0"], 6) == 6
    assert code_of("lik0", 7) == "out_of_range"


def test_single_choice() -> None:
    assert validate_answer(ITEMS["one"], "b") == "b"
    assert code_of("one", "c") == "not_an_option"
    assert code_of("one", 1) == "wrong_type"
    assert code_of("one", ["a"]) == "wrong_type"


def test_multiple_choice_is_returned_in_option_order() -> None:
    assert validate_answer(ITEMS["many"], ["z", "x"]) == ["x", "z"]
    assert validate_answer(ITEMS["many"], ("y",)) == ["y"]
    assert code_of("many", ["x", "w"]) == "not_an_option"
    assert code_of("many", ["x", "x"]) == "duplicate_choice"
    assert code_of("many", "x") == "wrong_type"
    assert code_of("many", [1]) == "wrong_type"


def test_number_within_bounds() -> None:
    assert validate_answer(ITEMS["num"], 0) == 0
    assert validate_answer(ITEMS["num"], 2.5) == 2.5
    assert validate_answer(ITEMS["num"], "7.25") == 7.25
    assert code_of("num", 10.5) == "out_of_range"
    assert code_of("num", -1) == "out_of_range"
    assert code_of("num", "lots") == "wrong_type"
    assert code_of("num", float("inf")) == "wrong_type"


def test_integer_numbers() -> None:
    assert validate_answer(ITEMS["int"], "12") == 12
    assert validate_answer(ITEMS["int"], 3.0) == 3
    assert code_of("int", 3.5) == "not_an_integer"
    assert code_of("int", 0) == "out_of_range"  # min 1, no max


def test_number_without_bounds_takes_any_finite_number() -> None:
    assert validate_answer(ITEMS["open"], -1e9) == -1e9


def test_text_is_trimmed_and_limited() -> None:
    assert validate_answer(ITEMS["txt"], "  hello ") == "hello"
    assert code_of("txt", "hello!") == "too_long"
    assert code_of("txt", 5) == "wrong_type"
    assert validate_answer(ITEMS["opt"], "x" * 200) == "x" * 200  # the default max_length is 200
    with pytest.raises(AnswerError) as caught:
        validate_answer(ITEMS["opt"], "x" * 201)
    assert caught.value.code == "too_long"


@pytest.mark.parametrize("missing", [None, "", "   ", []])
def test_a_missing_answer_to_a_required_item_is_refused(missing: Any) -> None:
    for key in ("lik", "one", "many", "num", "txt"):
        assert code_of(key, missing) == "required"


@pytest.mark.parametrize("missing", [None, "", []])
def test_a_missing_answer_to_an_optional_item_is_none(missing: Any) -> None:
    assert validate_answer(ITEMS["open"], missing) is None
    assert validate_answer(ITEMS["opt"], missing) is None

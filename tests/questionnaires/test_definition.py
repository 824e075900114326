"""validate_definition: the defaults it fills in, and one failing case per check, by field path."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from questionnaires.definition import DEFINITION_SCHEMA_VERSION, DefinitionError, validate_definition

AGREE = ["Disagree", "Agree"]


def likert(key: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": "likert", "text": f"Prompt {key}", "points": 5, "anchors": AGREE, **extra}


def valid() -> dict[str, Any]:
    return {
        "key": "demo",
        "title": "Demo",
        "items": [
            likert("q1"),
            likert("q2", reverse=True),
            {"key": "colour", "type": "single", "text": "Colour?", "options": [{"value": "r", "label": "Red"}]},
            {
                "key": "pets",
                "type": "multiple",
                "text": "Pets?",
                "options": [{"value": "cat", "label": "Cat"}, {"value": "dog", "label": "Dog"}],
            },
            {"key": "age", "type": "number", "text": "Age?", "min": 18, "max": 99, "integer": True},
            {"key": "why", "type": "text", "text": "Why?", "required": False},
        ],
        "scales": [{"key": "total", "label": "Total", "items": ["q1", "q2"]}],
    }


def errors_of(data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(DefinitionError) as caught:
        validate_definition(data)
    return caught.value.errors


def with_item(index: int, **changes: Any) -> dict[str, Any]:
    data = valid()
    data["items"][index] = {**data["items"][index], **changes}
    return data


def test_a_valid_definition_is_normalised_with_every_default_filled_in() -> None:
    out = validate_definition(valid())
    assert out["schema"] == DEFINITION_SCHEMA_VERSION == "questionnaire-definition/1"
    assert out["export_free_text"] is False
    q1, q2, colour, _pets, age, why = out["items"]
    assert q1["required"] is True and q1["reverse"] is False and q1["attention_check"] is None
    assert q1["min"] == 1 and q1["anchors"] == {1: "Disagree", 5: "Agree"}  # first and last point
    assert q2["reverse"] is True
    assert colour["options"] == [{"value": "r", "label": "Red"}]
    assert age == {**age, "min": 18, "max": 99, "integer": True}
    assert why["max_length"] == 200 and why["contains_free_text"] is True and why["required"] is False
    assert out["scales"] == [
        {"key": "total", "label": "Total", "items": ["q1", "q2"], "method": "mean", "min_answered": 2, "subscales": []}
    ]


def test_normalising_is_idempotent_even_after_a_json_round_trip() -> None:
    once = validate_definition(valid())
    stored = json.loads(json.dumps(once))  # anchor points become strings in JSON
    assert validate_definition(stored) == once


def test_the_input_is_not_modified() -> None:
    data = valid()
    before = copy.deepcopy(data)
    validate_definition(data)
    assert data == before


def test_one_label_per_point_is_kept_per_point_and_min_shifts_the_values() -> None:
    out = validate_definition(
        {"items": [{**likert("q"), "points": 3, "min": 0, "anchors": ["Never", "Sometimes", "Often"]}]}
    )
    assert out["items"][0]["anchors"] == {0: "Never", 1: "Sometimes", 2: "Often"}


def test_at_least_one_item() -> None:
    assert "items" in errors_of({"items": []})
    assert "items" in errors_of({"title": "No items"})


def test_item_keys_are_unique_slugs() -> None:
    data = valid()
    data["items"][1] = likert("q1")
    assert errors_of(data)["items.1.key"] == ["Duplicate item key 'q1'."]
    assert "items.0.key" in errors_of(with_item(0, key="Not A Slug"))


def test_item_types_are_known() -> None:
    errors = errors_of(with_item(2, type="slider"))
    assert "Unknown item type 'slider'" in errors["items.2.type"][0]


def test_unknown_fields_are_errors_so_typos_cannot_pass_silently() -> None:
    assert "items.0.requried" in errors_of(with_item(0, requried=False))
    assert "colour" in errors_of({**valid(), "colour": "blue"})


def test_every_item_needs_a_prompt() -> None:
    assert "items.0.text" in errors_of(with_item(0, text="  "))


def test_options_are_non_empty_unique_and_well_formed() -> None:
    assert "items.2.options" in errors_of(with_item(2, options=[]))
    repeated = [{"value": "r", "label": "Red"}, {"value": "r", "label": "Rose"}]
    assert "'r' repeats" in errors_of(with_item(2, options=repeated))["items.2.options"][0]
    assert "items.3.options.1" in errors_of(with_item(3, options=[{"value": "a", "label": "A"}, {"value": "b"}]))


@pytest.mark.parametrize("points", [1, 12, 5.0, True])
def test_likert_points_run_from_2_to_11(points: Any) -> None:
    assert "items.0.points" in errors_of(with_item(0, points=points))


def test_likert_points_at_the_limits_are_fine() -> None:
    for points in (2, 11):
        validate_definition(with_item(0, points=points))


def test_likert_anchors_are_one_per_point_or_first_and_last() -> None:
    assert "items.0.anchors" in errors_of(with_item(0, anchors=["a", "b", "c"]))
    assert "items.0.anchors" in errors_of(with_item(0, anchors=["a", ""]))
    assert "items.0.anchors" in errors_of(with_item(0, anchors={"1": "low", "9": "high"}))


def test_number_bounds_must_be_ordered_numbers() -> None:
    assert "items.4.max" in errors_of(with_item(4, min=10, max=1))
    assert "items.4.min" in errors_of(with_item(4, min="ten"))


def test_text_items_always_carry_the_free_text_flag() -> None:
    assert "items.5.contains_free_text" in errors_of(with_item(5, contains_free_text=False))
    assert "items.5.max_length" in errors_of(with_item(5, max_length=0))
    assert "export_free_text" in errors_of({**valid(), "export_free_text": "yes"})
    assert validate_definition({**valid(), "export_free_text": True})["export_free_text"] is True


def test_reverse_keying_only_on_likert_items() -> None:
    errors = errors_of(with_item(4, reverse=True))
    assert errors["items.4.reverse"] == ["Reverse keying applies to likert items only."]


def test_scale_items_must_exist_and_be_likert_or_number() -> None:
    data = valid()
    data["scales"][0]["items"] = ["q1", "nope", "colour", "age"]
    errors = errors_of(data)
    assert errors["scales.0.items.1"] == ["No item with key 'nope'."]
    assert "only likert and number score" in errors["scales.0.items.2"][0]
    assert "scales.0.items.3" not in errors  # a number item may be scored


def test_scale_fields_are_checked() -> None:
    data = valid()
    data["scales"][0].update(method="median", label="", min_answered=3)
    errors = errors_of(data)
    assert {"scales.0.method", "scales.0.label", "scales.0.min_answered"} <= set(errors)
    data = valid()
    data["scales"][0]["items"] = ["q1", "q1"]
    assert "scales.0.items" in errors_of(data)


@pytest.mark.parametrize(("given", "count"), [(1, 1), (2, 2), (0.5, 1), (1.0, 2), (0.51, 2)])
def test_min_answered_is_a_count_or_a_fraction_rounded_up(given: Any, count: int) -> None:
    data = valid()
    data["scales"][0]["min_answered"] = given
    assert validate_definition(data)["scales"][0]["min_answered"] == count


def test_a_fraction_of_ten_items_is_not_pushed_up_by_float_error() -> None:
    data = {"items": [likert(f"q{i}") for i in range(10)]}
    data["scales"] = [{"key": "s", "label": "S", "items": [f"q{i}" for i in range(10)], "min_answered": 0.7}]
    assert validate_definition(data)["scales"][0]["min_answered"] == 7


@pytest.mark.parametrize("given", [0, 3, 0.0, 1.5, True, "all"])
def test_min_answered_out_of_range_is_an_error(given: Any) -> None:
    data = valid()
    data["scales"][0]["min_answered"] = given
    assert "scales.0.min_answered" in errors_of(data)


def test_subscales_take_items_of_their_scale_and_inherit_its_method() -> None:
    data = valid()
    data["scales"][0].update(method="sum", subscales=[{"key": "first", "label": "First", "items": ["q1"]}])
    sub = validate_definition(data)["scales"][0]["subscales"][0]
    assert sub == {"key": "first", "label": "First", "items": ["q1"], "method": "sum", "min_answered": 1}
    data["scales"][0]["subscales"] = [{"key": "other", "label": "Other", "items": ["age"]}]
    assert "not an item of the parent scale" in errors_of(data)["scales.0.subscales.0.items.0"][0]


def test_scale_and_subscale_keys_share_one_namespace() -> None:
    data = valid()
    data["scales"][0]["subscales"] = [{"key": "total", "label": "Again", "items": ["q1"]}]
    assert "scales.0.subscales.0.key" in errors_of(data)


def test_an_items_scale_must_list_it() -> None:
    assert "No scale or subscale" in errors_of(with_item(0, scale="ghost"))["items.0.scale"][0]
    data = with_item(4, scale="total")
    data["scales"][0]["items"] = ["q1"]
    assert errors_of(data)["items.4.scale"] == ["Scale 'total' does not list item 'age'."]
    assert validate_definition(with_item(0, scale="total"))["items"][0]["scale"] == "total"


@pytest.mark.parametrize(
    ("index", "expected"),
    [(0, 6), (0, [1, 9]), (2, "g"), (3, ["cat", "fish"]), (4, 17), (4, 30.5)],
)
def test_an_attention_checks_expected_answer_must_be_valid_for_its_item(index: int, expected: Any) -> None:
    data = with_item(index, attention_check={"expected": expected})
    data["scales"] = []
    assert f"items.{index}.attention_check.expected" in errors_of(data)


def test_attention_checks_normalise_their_expected_answer() -> None:
    data = with_item(3, attention_check={"expected": ["dog", "cat"]})
    data = {**data, "items": [*data["items"][2:]], "scales": []}
    data["items"][0] = {**data["items"][0], "attention_check": {"expected": ["r"]}}
    out = validate_definition(data)
    assert out["items"][0]["attention_check"] == {"expected": ["r"]}  # any of a list
    assert out["items"][1]["attention_check"] == {"expected": ["cat", "dog"]}  # the exact set, in option order


def test_attention_checks_are_not_on_free_text_and_not_scored() -> None:
    assert "items.5.attention_check" in errors_of(with_item(5, attention_check={"expected": "yes"}))
    scored = with_item(0, attention_check={"expected": 5})
    assert "is an attention check" in errors_of(scored)["scales.0.items.0"][0]
    assert "items.0.attention_check" in errors_of(with_item(0, attention_check={"value": 5}))


def test_metadata_fields_are_checked() -> None:
    assert "licence" in errors_of({**valid(), "licence": {"text": "PD"}})
    assert "schema" in errors_of({**valid(), "schema": "questionnaire-definition/2"})
    assert "version" in errors_of({**valid(), "version": ""})


def test_all_problems_are_reported_at_once() -> None:
    data = with_item(0, points=1)
    data["items"][2]["options"] = []
    data["scales"][0]["method"] = "median"
    assert {"items.0.points", "items.2.options", "scales.0.method"} <= set(errors_of(data))


def test_the_error_message_names_the_paths() -> None:
    with pytest.raises(DefinitionError, match=r"items\.0\.points"):
        validate_definition(with_item(0, points=1))


def test_the_pure_modules_import_no_django() -> None:
    """The Django app imports these; they must never import Django back (tests run them bare)."""
    code = (
        "import sys, questionnaires.definition, questionnaires.scoring, questionnaires.library\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr

"""Questionnaire definitions: the format, its validation, and the validation of one answer.

Pure Python on purpose (no Django): the models, the views, the scoring and the shipped scales all
share this one reading of a definition, and it can be tested without a database. The format is
described in docs/questionnaires.md.

``validate_definition`` returns a *normalised* definition: every default filled in, anchors as a
``{point: label}`` mapping, ``min_answered`` resolved to a count. Validating a normalised
definition again returns it unchanged (also after a JSON round trip, which turns the anchor
points into strings), so a stored definition can always be re-checked.
"""

from __future__ import annotations

import math
import re
from typing import Any

from questionnaires.answers import (
    AnswerError,
    is_int,
    is_missing,
    is_number,
    likert_bounds,
    reverse_value,
    validate_answer,
)

__all__ = [
    "DEFINITION_SCHEMA_VERSION",
    "AnswerError",
    "DefinitionError",
    "is_missing",
    "likert_bounds",
    "reverse_value",
    "validate_answer",
    "validate_definition",
]

DEFINITION_SCHEMA_VERSION = "questionnaire-definition/1"

ITEM_TYPES = ("likert", "single", "multiple", "number", "text")
SCALE_METHODS = ("mean", "sum")
LIKERT_MIN_POINTS = 2
LIKERT_MAX_POINTS = 11
TEXT_MAX_LENGTH_DEFAULT = 200
SCORABLE_TYPES = ("likert", "number")

_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

# Unknown fields are errors, not ignored: a misspelt "requried" or "reversed" silently ignored
# would change what is asked or how it is scored.
_TOP_FIELDS = {
    "schema",
    "key",
    "title",
    "instructions",
    "export_free_text",
    "items",
    "scales",
    "source",
    "licence",
    "version",
}
_COMMON_ITEM_FIELDS = {"key", "type", "text", "required", "attention_check", "scale", "reverse"}
_TYPE_FIELDS = {
    "likert": {"points", "anchors", "min"},
    "single": {"options"},
    "multiple": {"options"},
    "number": {"min", "max", "integer"},
    "text": {"max_length", "contains_free_text"},
}
_SCALE_FIELDS = {"key", "label", "items", "subscales", "method", "min_answered"}
_SUBSCALE_FIELDS = {"key", "label", "items", "method", "min_answered"}


class DefinitionError(ValueError):
    """A definition is invalid. ``errors`` maps a field path (``items.3.options``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        summary = "; ".join(f"{path}: {' '.join(messages)}" for path, messages in errors.items())
        super().__init__(f"invalid questionnaire definition: {summary}")


class _Errors:
    """Collects every problem rather than stopping at the first, so an author fixes them in one go."""

    def __init__(self) -> None:
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.by_path.setdefault(path, []).append(message)


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


# --- definitions -------------------------------------------------------------------------


def validate_definition(data: dict[str, Any]) -> dict[str, Any]:
    """Check a questionnaire definition and return it normalised, or raise ``DefinitionError``."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise DefinitionError({"": ["A definition must be an object."]})
    for field in sorted(set(data) - _TOP_FIELDS):
        errors.add(field, f"Unknown field '{field}'.")
    schema = data.get("schema", DEFINITION_SCHEMA_VERSION)
    if schema != DEFINITION_SCHEMA_VERSION:
        errors.add("schema", f"Unsupported schema '{schema}'; expected '{DEFINITION_SCHEMA_VERSION}'.")

    out: dict[str, Any] = {"schema": DEFINITION_SCHEMA_VERSION}
    if "key" in data:
        if isinstance(data["key"], str) and _SLUG.match(data["key"]):
            out["key"] = data["key"]
        else:
            errors.add("key", "The key must be a slug (lower-case letters, digits, '-' or '_').")
    for field in ("title", "instructions", "source", "version"):
        if field in data:
            if _text(data[field]):
                out[field] = data[field]
            else:
                errors.add(field, f"'{field}' must be a non-empty string.")
    if "licence" in data:
        licence = data["licence"]
        if isinstance(licence, dict) and set(licence) == {"text", "url"} and all(map(_text, licence.values())):
            out["licence"] = dict(licence)
        else:
            errors.add("licence", "The licence must be an object with non-empty 'text' and 'url'.")
    export_free_text = data.get("export_free_text", False)
    if not isinstance(export_free_text, bool):
        errors.add("export_free_text", "Must be true or false.")
    out["export_free_text"] = export_free_text is True

    raw_items = data.get("items")
    items: list[dict[str, Any]] = []
    if not isinstance(raw_items, list) or not raw_items:
        errors.add("items", "A questionnaire needs at least one item.")
    else:
        seen: set[str] = set()
        for index, raw in enumerate(raw_items):
            item = _validate_item(raw, f"items.{index}", errors)
            if item is None:
                continue
            if item["key"] in seen:
                errors.add(f"items.{index}.key", f"Duplicate item key '{item['key']}'.")
                continue
            seen.add(item["key"])
            items.append(item)
    out["items"] = items

    by_key = {item["key"]: item for item in items}
    raw_scales = data.get("scales", [])
    if not isinstance(raw_scales, list):
        errors.add("scales", "Scales must be a list.")
        raw_scales = []
    out["scales"] = _validate_scales(raw_scales, by_key, errors)
    _check_item_scale_claims(raw_items if isinstance(raw_items, list) else [], items, out["scales"], errors)

    if errors.by_path:
        raise DefinitionError(errors.by_path)
    return out


def _validate_item(raw: Any, path: str, errors: _Errors) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        errors.add(path, "An item must be an object.")
        return None
    ok = True
    key = raw.get("key")
    if not (isinstance(key, str) and _SLUG.match(key)):
        errors.add(f"{path}.key", "The key must be a slug (lower-case letters, digits, '-' or '_').")
        ok = False
    kind = raw.get("type")
    if kind not in ITEM_TYPES:
        errors.add(f"{path}.type", f"Unknown item type '{kind}'; known types: {', '.join(ITEM_TYPES)}.")
        return None
    for field in sorted(set(raw) - _COMMON_ITEM_FIELDS - _TYPE_FIELDS[kind]):
        errors.add(f"{path}.{field}", f"Unknown field '{field}' for a {kind} item.")
        ok = False
    if not _text(raw.get("text")):
        errors.add(f"{path}.text", "Every item needs a prompt text.")
        ok = False
    required = raw.get("required", True)
    if not isinstance(required, bool):
        errors.add(f"{path}.required", "Must be true or false.")
        ok = False
    reverse = raw.get("reverse", False)
    if not isinstance(reverse, bool):
        errors.add(f"{path}.reverse", "Must be true or false.")
        ok = False
    elif reverse and kind != "likert":
        errors.add(f"{path}.reverse", "Reverse keying applies to likert items only.")
        ok = False
    scale = raw.get("scale")
    if scale is not None and not (isinstance(scale, str) and _SLUG.match(scale)):
        errors.add(f"{path}.scale", "The scale must be a scale or subscale key.")
        ok = False

    item: dict[str, Any] = {"key": key, "type": kind, "text": raw.get("text"), "required": required}
    specific = {
        "likert": _likert_fields,
        "single": _option_fields,
        "multiple": _option_fields,
        "number": _number_fields,
        "text": _text_fields,
    }[kind](raw, path, errors)
    if specific is None:
        return None
    item.update(specific)
    item["scale"] = scale
    item["reverse"] = reverse
    item["attention_check"] = None
    if raw.get("attention_check") is not None:
        check = _attention_check(raw["attention_check"], item, path, errors)
        if check is None:
            ok = False
        item["attention_check"] = check
    return item if ok else None


def _likert_fields(raw: dict[str, Any], path: str, errors: _Errors) -> dict[str, Any] | None:
    points = raw.get("points")
    if not is_int(points) or not LIKERT_MIN_POINTS <= points <= LIKERT_MAX_POINTS:
        errors.add(f"{path}.points", f"A likert item has {LIKERT_MIN_POINTS} to {LIKERT_MAX_POINTS} points.")
        return None
    low = raw.get("min", 1)
    if not is_int(low):
        errors.add(f"{path}.min", "The lowest likert value must be an integer.")
        return None
    high = low + points - 1
    anchors = raw.get("anchors")
    result: dict[int, Any] | None = None
    if isinstance(anchors, list):
        if len(anchors) == points:
            result = dict(zip(range(low, high + 1), anchors, strict=True))
        elif len(anchors) == 2:  # first and last only
            result = {low: anchors[0], high: anchors[1]}
    elif isinstance(anchors, dict) and anchors:
        # The normalised form, possibly after JSON turned the points into strings.
        try:
            result = {int(point): label for point, label in anchors.items()}
        except (TypeError, ValueError):
            result = None
        if result is not None and not (low in result and high in result and all(low <= p <= high for p in result)):
            result = None
    if result is None or not all(_text(label) for label in result.values()):
        errors.add(
            f"{path}.anchors",
            f"Give one label per point ({points}) or labels for the first and last point, as non-empty text.",
        )
        return None
    return {"points": points, "min": low, "anchors": dict(sorted(result.items()))}


def _option_fields(raw: dict[str, Any], path: str, errors: _Errors) -> dict[str, Any] | None:
    options = raw.get("options")
    if not isinstance(options, list) or not options:
        errors.add(f"{path}.options", "Give at least one option.")
        return None
    clean: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, option in enumerate(options):
        if not (isinstance(option, dict) and set(option) == {"value", "label"} and all(map(_text, option.values()))):
            errors.add(f"{path}.options.{index}", "An option is an object with non-empty text 'value' and 'label'.")
            return None
        if option["value"] in seen:
            errors.add(f"{path}.options", f"Option values must be unique; '{option['value']}' repeats.")
            return None
        seen.add(option["value"])
        clean.append({"value": option["value"], "label": option["label"]})
    return {"options": clean}


def _number_fields(raw: dict[str, Any], path: str, errors: _Errors) -> dict[str, Any] | None:
    low, high, integer = raw.get("min"), raw.get("max"), raw.get("integer", False)
    ok = True
    for name, bound in (("min", low), ("max", high)):
        if bound is not None and not is_number(bound):
            errors.add(f"{path}.{name}", f"'{name}' must be a number.")
            ok = False
    if not isinstance(integer, bool):
        errors.add(f"{path}.integer", "Must be true or false.")
        ok = False
    if ok and low is not None and high is not None and low > high:
        errors.add(f"{path}.max", "'max' must not be below 'min'.")
        ok = False
    return {"min": low, "max": high, "integer": integer} if ok else None


def _text_fields(raw: dict[str, Any], path: str, errors: _Errors) -> dict[str, Any] | None:
    max_length = raw.get("max_length", TEXT_MAX_LENGTH_DEFAULT)
    if not is_int(max_length) or max_length < 1:
        errors.add(f"{path}.max_length", "'max_length' must be a positive integer.")
        return None
    if raw.get("contains_free_text", True) is not True:
        # The flag is how exports find free text to leave out; it cannot be switched off per item.
        errors.add(f"{path}.contains_free_text", "Text items always contain free text.")
        return None
    return {"max_length": max_length, "contains_free_text": True}


def _attention_check(raw: Any, item: dict[str, Any], path: str, errors: _Errors) -> dict[str, Any] | None:
    where = f"{path}.attention_check"
    if not (isinstance(raw, dict) and set(raw) == {"expected"}):
        errors.add(where, "An attention check is an object with one field, 'expected'.")
        return None
    if item["type"] == "text":
        errors.add(where, "Free-text items cannot be attention checks.")
        return None
    expected = raw["expected"]
    strict = {**item, "required": True}
    try:
        if item["type"] == "multiple":
            # For a multiple-choice item the expected answer is the exact set of choices.
            normalised: Any = validate_answer(strict, expected)
        else:
            # Otherwise one acceptable answer, or a list of acceptable answers.
            candidates = expected if isinstance(expected, list) else [expected]
            if not candidates:
                raise AnswerError("required", "Give at least one expected answer.")
            normalised = [validate_answer(strict, value) for value in candidates]
            normalised = normalised if isinstance(expected, list) else normalised[0]
    except AnswerError as error:
        errors.add(f"{where}.expected", f"The expected answer is not a valid answer: {error.message}")
        return None
    return {"expected": normalised}


def _validate_scales(raw_scales: list[Any], by_key: dict[str, dict[str, Any]], errors: _Errors) -> list[dict[str, Any]]:
    scales: list[dict[str, Any]] = []
    seen: set[str] = set()  # one namespace for scales and subscales, so an item's "scale" is unambiguous
    for index, raw in enumerate(raw_scales):
        path = f"scales.{index}"
        scale = _validate_scale(raw, path, by_key, errors, _SCALE_FIELDS, parent=None)
        if scale is None:
            continue
        subscales = []
        raw_subs = raw.get("subscales", [])
        if not isinstance(raw_subs, list):
            errors.add(f"{path}.subscales", "Subscales must be a list.")
            raw_subs = []
        for sub_index, raw_sub in enumerate(raw_subs):
            sub = _validate_scale(raw_sub, f"{path}.subscales.{sub_index}", by_key, errors, _SUBSCALE_FIELDS, scale)
            if sub is not None:
                subscales.append(sub)
        scale["subscales"] = subscales
        for entry, entry_path in [(scale, path)] + [(sub, f"{path}.subscales.{i}") for i, sub in enumerate(subscales)]:
            if entry["key"] in seen:
                errors.add(f"{entry_path}.key", f"Duplicate scale key '{entry['key']}'.")
            seen.add(entry["key"])
        scales.append(scale)
    return scales


def _validate_scale(
    raw: Any,
    path: str,
    by_key: dict[str, dict[str, Any]],
    errors: _Errors,
    fields: set[str],
    parent: dict[str, Any] | None,
) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        errors.add(path, "A scale must be an object.")
        return None
    ok = True
    for field in sorted(set(raw) - fields):
        errors.add(f"{path}.{field}", f"Unknown field '{field}'.")
        ok = False
    if not (isinstance(raw.get("key"), str) and _SLUG.match(raw["key"])):
        errors.add(f"{path}.key", "The key must be a slug (lower-case letters, digits, '-' or '_').")
        ok = False
    if not _text(raw.get("label")):
        errors.add(f"{path}.label", "Every scale needs a label.")
        ok = False
    method = raw.get("method", parent["method"] if parent else "mean")
    if method not in SCALE_METHODS:
        errors.add(f"{path}.method", f"The method must be one of {', '.join(SCALE_METHODS)}.")
        ok = False
    members = raw.get("items")
    if not isinstance(members, list) or not members:
        errors.add(f"{path}.items", "A scale lists at least one item key.")
        return None
    for position, member in enumerate(members):
        item = by_key.get(member) if isinstance(member, str) else None
        if item is None:
            errors.add(f"{path}.items.{position}", f"No item with key '{member}'.")
            ok = False
        elif item["type"] not in SCORABLE_TYPES:
            errors.add(
                f"{path}.items.{position}", f"'{member}' is a {item['type']} item; only likert and number score."
            )
            ok = False
        elif item["attention_check"] is not None:
            errors.add(f"{path}.items.{position}", f"'{member}' is an attention check and cannot also be scored.")
            ok = False
        elif parent is not None and member not in parent["items"]:
            errors.add(f"{path}.items.{position}", f"'{member}' is not an item of the parent scale.")
            ok = False
    if len(set(map(str, members))) != len(members):
        errors.add(f"{path}.items", "An item is listed twice.")
        ok = False
    min_answered = _min_answered(raw.get("min_answered", len(members)), len(members), path, errors)
    if not ok or min_answered is None:
        return None
    return {
        "key": raw["key"],
        "label": raw["label"],
        "items": list(members),
        "method": method,
        "min_answered": min_answered,
    }


def _min_answered(value: Any, count: int, path: str, errors: _Errors) -> int | None:
    """A count (int, 1..items) or a fraction (float, 0 < f <= 1, rounded up to a count)."""
    if is_int(value) and 1 <= value <= count:
        return value
    if isinstance(value, float) and 0 < value <= 1:
        return max(1, math.ceil(value * count - 1e-9))  # the epsilon keeps 0.8 * 10 at 8, not 9
    errors.add(
        f"{path}.min_answered",
        f"Give a count from 1 to {count} (an integer) or a fraction above 0 and at most 1 (e.g. 0.8).",
    )
    return None


def _check_item_scale_claims(
    raw_items: list[Any], items: list[dict[str, Any]], scales: list[dict[str, Any]], errors: _Errors
) -> None:
    """An item's optional "scale" must name a scale or subscale that lists it: two places, one truth."""
    members = {scale["key"]: scale["items"] for scale in scales}
    members.update({sub["key"]: sub["items"] for scale in scales for sub in scale["subscales"]})
    index_of = {raw.get("key"): i for i, raw in enumerate(raw_items) if isinstance(raw, dict)}
    for item in items:
        claim = item["scale"]
        if claim is None:
            continue
        path = f"items.{index_of.get(item['key'], '?')}.scale"
        if claim not in members:
            errors.add(path, f"No scale or subscale with key '{claim}'.")
        elif item["key"] not in members[claim]:
            errors.add(path, f"Scale '{claim}' does not list item '{item['key']}'.")

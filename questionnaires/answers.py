"""Validation of one answer against its item (the item as ``validate_definition`` normalises it).

Kept apart from the definition format so that both the definition checks (an attention check's
expected answer must itself be a valid answer) and the scoring share this one reading of an
answer. ``questionnaires.definition`` re-exports everything public here.
"""

from __future__ import annotations

import math
from typing import Any


class AnswerError(ValueError):
    """An answer is invalid for its item. ``code`` is for machines, ``message`` for people.

    Codes: ``required``, ``wrong_type``, ``out_of_range``, ``not_an_option``, ``too_long``,
    ``not_an_integer``, ``duplicate_choice``.
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return (is_int(value) or isinstance(value, float)) and math.isfinite(value)


def likert_bounds(item: dict[str, Any]) -> tuple[int, int]:
    """The lowest and highest value of a (normalised) likert item: ``min`` .. ``min + points - 1``."""
    low = item.get("min", 1)
    return low, low + item["points"] - 1


def reverse_value(item: dict[str, Any], value: int) -> int:
    """Reverse keying of a likert answer: (min + max) - value, so 1..5 maps 5..1."""
    low, high = likert_bounds(item)
    return low + high - value


def is_missing(value: Any) -> bool:
    """None, blank text and an empty choice list all mean "not answered"."""
    return value is None or (isinstance(value, str) and value.strip() == "") or value == []


def validate_answer(item: dict[str, Any], value: Any) -> Any:
    """Check one answer against its (normalised) item; return it normalised or raise ``AnswerError``.

    A missing answer returns None for an optional item and raises ``required`` otherwise. Numbers
    may arrive as text (form posts); they are parsed, never guessed.
    """
    if is_missing(value):
        if item.get("required", True):
            raise AnswerError("required", "This question needs an answer.")
        return None
    kind = item["type"]
    if kind == "likert":
        number = _parse_integer(value)
        low, high = likert_bounds(item)
        if not low <= number <= high:
            raise AnswerError("out_of_range", f"Choose a value from {low} to {high}.")
        return number
    if kind == "single":
        if not isinstance(value, str):
            raise AnswerError("wrong_type", "Choose one of the options.")
        if value not in {option["value"] for option in item["options"]}:
            raise AnswerError("not_an_option", f"'{value}' is not one of the options.")
        return value
    if kind == "multiple":
        if not isinstance(value, list | tuple) or not all(isinstance(choice, str) for choice in value):
            raise AnswerError("wrong_type", "Give a list of chosen options.")
        values = [option["value"] for option in item["options"]]
        for choice in value:
            if choice not in values:
                raise AnswerError("not_an_option", f"'{choice}' is not one of the options.")
        if len(set(value)) != len(value):
            raise AnswerError("duplicate_choice", "An option is chosen twice.")
        return sorted(value, key=values.index)  # option order, so equal answers compare equal
    if kind == "number":
        return _number_answer(item, value)
    if kind == "text":
        if not isinstance(value, str):
            raise AnswerError("wrong_type", "Give a text answer.")
        text = value.strip()
        if len(text) > item["max_length"]:
            raise AnswerError("too_long", f"Use at most {item['max_length']} characters.")
        return text
    raise AnswerError("wrong_type", f"Unknown item type '{kind}'.")


def _parse_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise AnswerError("wrong_type", "Give a number.")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise AnswerError("wrong_type", "Give a number.") from None
    if not is_number(value):
        raise AnswerError("wrong_type", "Give a number.")
    return value


def _parse_integer(value: Any) -> int:
    number = _parse_number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise AnswerError("not_an_integer", "Give a whole number.")
        return int(number)
    return number


def _number_answer(item: dict[str, Any], value: Any) -> int | float:
    number: int | float = _parse_integer(value) if item.get("integer") else _parse_number(value)
    low, high = item.get("min"), item.get("max")
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = f"from {low} to {high}" if low is not None and high is not None else None
        bounds = bounds or (f"of at least {low}" if low is not None else f"of at most {high}")
        raise AnswerError("out_of_range", f"Give a number {bounds}.")
    return number

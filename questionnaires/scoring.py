"""Versioned scoring of a questionnaire's answers: scale and subscale scores, attention checks.

Pure and deterministic: the same definition and answers give the same ``ScoreResult`` on every
machine, and the result carries ``SCORING_VERSION`` so a stored score says which rules made it.
Bump the version whenever a formula below changes, so old and new scores are never mixed up.

Formulas (docs/questionnaires.md, "Scoring"):

* An item's value is its validated answer; a reverse-keyed likert item counts
  ``(min + max) - answer`` (on 1..5: 1<->5, 2<->4, 3 stays 3).
* ``answered`` is the number of the scale's items with an answer; ``items`` the number it lists.
* If ``answered < min_answered`` the score is None and ``reason`` says why; nothing is imputed.
* ``mean``: the mean of the answered items' values.
* ``sum``: the mean of the answered items' values times ``items`` (prorated). With every item
  answered this is the plain sum; with some missing it is the sum the respondent would have had
  if each missing item had been answered at their own mean, so the range of the score stays
  ``items * min .. items * max`` whatever is missing.
* An attention check passes when the answer equals the expected answer (for a list of expected
  answers, equals one of them; for a multiple-choice item, is exactly the expected set). An
  unanswered check fails, with reason ``unanswered``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from questionnaires.definition import AnswerError, is_missing, reverse_value, validate_answer

SCORING_VERSION = "1.0.0"


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of scoring one response.

    ``scales`` and ``subscales`` map a key to ``{"score": float | None, "answered": int,
    "items": int, "reason": str | None}``; ``attention_checks`` is ``{"passed": int, "failed":
    int, "items": [{"key": str, "passed": bool, "reason": str | None}]}``.
    """

    scales: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscales: dict[str, dict[str, Any]] = field(default_factory=dict)
    attention_checks: dict[str, Any] = field(default_factory=lambda: {"passed": 0, "failed": 0, "items": []})
    version: str = SCORING_VERSION

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, for storing beside the response."""
        return {
            "version": self.version,
            "scales": {key: dict(value) for key, value in self.scales.items()},
            "subscales": {key: dict(value) for key, value in self.subscales.items()},
            "attention_checks": {
                "passed": self.attention_checks["passed"],
                "failed": self.attention_checks["failed"],
                "items": [dict(entry) for entry in self.attention_checks["items"]],
            },
        }


class ScoringError(ValueError):
    """A stored answer is not valid for its item, so the response cannot be scored honestly."""

    def __init__(self, item_key: str, error: AnswerError) -> None:
        self.item_key = item_key
        self.code = error.code
        super().__init__(f"answer to '{item_key}' is invalid ({error.code}): {error.message}")


def score(definition: dict[str, Any], answers: dict[str, Any]) -> ScoreResult:
    """Score ``answers`` (item key -> raw answer) against a *normalised* definition.

    Answers are validated again here: an invalid one raises ``ScoringError`` rather than being
    dropped, because silently scoring around bad data would hide a bug upstream.
    """
    items = {item["key"]: item for item in definition["items"]}
    values = {key: _value(items[key], answers.get(key)) for key in _scored_keys(definition)}
    scales: dict[str, dict[str, Any]] = {}
    subscales: dict[str, dict[str, Any]] = {}
    for scale in definition.get("scales", []):
        scales[scale["key"]] = _score_scale(scale, items, values)
        for sub in scale.get("subscales", []):
            subscales[sub["key"]] = _score_scale(sub, items, values)
    return ScoreResult(
        scales=scales,
        subscales=subscales,
        attention_checks=_attention(definition["items"], answers),
    )


def _scored_keys(definition: dict[str, Any]) -> set[str]:
    return {key for scale in definition.get("scales", []) for key in scale["items"]}


def _value(item: dict[str, Any], raw: Any) -> float | None:
    """The item's contribution: the answer, reverse-keyed where the item says so; None if missing."""
    if is_missing(raw):
        return None
    try:
        answer = validate_answer({**item, "required": False}, raw)
    except AnswerError as error:
        raise ScoringError(item["key"], error) from error
    if item["type"] == "likert" and item.get("reverse"):
        answer = reverse_value(item, answer)
    return float(answer)


def _score_scale(scale: dict[str, Any], items: dict[str, Any], values: dict[str, float | None]) -> dict[str, Any]:
    present = [values[key] for key in scale["items"] if values[key] is not None]
    count, answered, needed = len(scale["items"]), len(present), scale["min_answered"]
    if answered < needed:
        return {
            "score": None,
            "answered": answered,
            "items": count,
            "reason": f"{answered} of {count} items answered; at least {needed} needed",
        }
    mean = math.fsum(present) / answered  # fsum: exact summation, the same result in any order
    result = mean if scale["method"] == "mean" else mean * count
    return {"score": result, "answered": answered, "items": count, "reason": None}


def _attention(items: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    for item in items:
        check = item.get("attention_check")
        if check is None:
            continue
        raw = answers.get(item["key"])
        if is_missing(raw):
            entries.append({"key": item["key"], "passed": False, "reason": "unanswered"})
            continue
        try:
            answer = validate_answer({**item, "required": False}, raw)
        except AnswerError as error:
            raise ScoringError(item["key"], error) from error
        expected = check["expected"]
        if item["type"] == "multiple" or not isinstance(expected, list):
            passed = answer == expected
        else:
            passed = answer in expected
        entries.append({"key": item["key"], "passed": passed, "reason": None if passed else "wrong_answer"})
    passed_count = sum(1 for entry in entries if entry["passed"])
    return {"passed": passed_count, "failed": len(entries) - passed_count, "items": entries}

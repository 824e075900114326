"""A flow's definition: its steps, conditions and sessions, checked and normalised (pure, no Django).

Shape (docs/flows.md)::

    {"steps": [{"key": "intro", "kind": "page", "title": "Welcome", "sessions": [], "settings": {...}}],
     "conditions": [{"key": "low", "label": "Low reward", "overrides": {"game": {"reward_per_pump": 0.01}}}],
     "sessions": {"count": 2, "min_gap_hours": 24},
     "assignment": {"repeats": 1}}

A step's ``sessions`` lists the session numbers it belongs to; empty means every session. A
condition overrides only settings its step's kind declares overridable, and its overrides are
cleaned by that kind like the step's own settings, so a condition cannot smuggle in a value the
step itself would be refused.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from flows.registry import StepSettingsError, UnknownStepKind, kind_get

FLOW_DEFINITION_VERSION = "flow-definition/1"
KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
MAX_STEPS = 40
MAX_CONDITIONS = 12
MAX_SESSIONS = 10
MAX_GAP_HOURS = 24 * 365


class FlowDefinitionError(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Step:
    key: str
    kind: str
    title: str
    sessions: tuple[int, ...]
    settings: dict[str, Any]

    def in_session(self, number: int) -> bool:
        return not self.sessions or number in self.sessions


def default_definition() -> dict[str, Any]:
    """The flow of a study that never designed one: consent, then the Balloon game."""
    game = kind_get("game")
    return {
        "steps": [{"key": "game", "kind": "game", "title": game.label, "sessions": [], "settings": {}}],
        "conditions": [],
        "sessions": {"count": 1, "min_gap_hours": 0},
        "assignment": {"repeats": 1},
    }


def _int(value: Any, lo: int, hi: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        return None
    return int(value) if lo <= value <= hi else None


def _check_key(key: Any, what: str, path: str, seen: set[str], fail: Any) -> Any:
    """A step's or condition's key: well formed and unused so far (``seen`` grows); problems go to ``fail``."""
    if not isinstance(key, str) or not KEY_RE.match(key):
        fail(path, f"A {what} key is 1 to 40 lowercase letters, digits, '-' or '_', starting with a letter.")
    elif key in seen:
        fail(path, f"The key {key!r} is used by another {what}.")
    else:
        seen.add(key)
    return key


def clean_definition(data: Any) -> dict[str, Any]:
    """The definition complete and normalised, or FlowDefinitionError naming each problem by path."""
    errors: dict[str, list[str]] = {}

    def fail(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    if not isinstance(data, dict):
        raise FlowDefinitionError({"": ["A flow definition is an object."]})
    sessions_in = data.get("sessions") or {}
    count = _int(sessions_in.get("count", 1), 1, MAX_SESSIONS) if isinstance(sessions_in, dict) else None
    gap = _int(sessions_in.get("min_gap_hours", 0), 0, MAX_GAP_HOURS) if isinstance(sessions_in, dict) else None
    if count is None:
        fail("sessions.count", f"The number of sessions is a whole number from 1 to {MAX_SESSIONS}.")
    if gap is None:
        fail("sessions.min_gap_hours", f"The gap is a whole number of hours from 0 to {MAX_GAP_HOURS}.")
    repeats = _int((data.get("assignment") or {}).get("repeats", 1), 1, 10)
    if repeats is None:
        fail("assignment.repeats", "Each condition appears 1 to 10 times per block.")

    steps_in = data.get("steps")
    steps: list[dict[str, Any]] = []
    if not isinstance(steps_in, list) or not steps_in:
        fail("steps", "A flow has at least one step.")
        steps_in = []
    if len(steps_in) > MAX_STEPS:
        fail("steps", f"A flow has at most {MAX_STEPS} steps.")
    seen: set[str] = set()
    for i, raw in enumerate(steps_in):
        path = f"steps.{i}"
        if not isinstance(raw, dict):
            fail(path, "A step is an object.")
            continue
        key = _check_key(raw.get("key"), "step", f"{path}.key", seen, fail)
        try:
            kind = kind_get(str(raw.get("kind")))
        except UnknownStepKind as exc:
            fail(f"{path}.kind", str(exc))
            continue
        title = raw.get("title") or kind.label
        if not isinstance(title, str) or len(title) > 120:
            fail(f"{path}.title", "A title is text of at most 120 characters.")
            title = kind.label
        in_sessions = raw.get("sessions") or []
        if not isinstance(in_sessions, list) or any(_int(s, 1, count or MAX_SESSIONS) is None for s in in_sessions):
            fail(f"{path}.sessions", "Sessions are listed by number, each within the study's sessions.")
            in_sessions = []
        try:
            settings = kind.clean_settings({**kind.default_settings(), **(raw.get("settings") or {})})
        except StepSettingsError as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    fail(f"{path}.settings.{name}", message)
            settings = {}
        steps.append(
            {
                "key": key,
                "kind": kind.key,
                "title": title,
                "sessions": sorted({int(s) for s in in_sessions}),
                "settings": settings,
            }
        )
    for number in range(1, (count or 1) + 1):
        for kind_key in {s["kind"] for s in steps}:
            limit = kind_get(kind_key).per_session_limit
            in_it = [s for s in steps if s["kind"] == kind_key and (not s["sessions"] or number in s["sessions"])]
            if limit is not None and len(in_it) > limit:
                fail("steps", f"Session {number} holds {len(in_it)} steps of kind {kind_key!r}; at most {limit}.")
        if steps and not any(not s["sessions"] or number in s["sessions"] for s in steps):
            fail("steps", f"Session {number} has no step.")

    conditions = _clean_conditions(data.get("conditions") or [], steps, fail)
    if errors:
        raise FlowDefinitionError(errors)
    return {
        "steps": steps,
        "conditions": conditions,
        "sessions": {"count": count, "min_gap_hours": gap},
        "assignment": {"repeats": repeats},
    }


def _clean_conditions(conditions_in: Any, steps: list[dict[str, Any]], fail: Any) -> list[dict[str, Any]]:
    by_key = {s["key"]: s for s in steps}
    out: list[dict[str, Any]] = []
    if not isinstance(conditions_in, list):
        fail("conditions", "Conditions are a list.")
        return out
    if len(conditions_in) == 1:
        fail("conditions", "A between-subject design needs at least two conditions (or none).")
    if len(conditions_in) > MAX_CONDITIONS:
        fail("conditions", f"A flow has at most {MAX_CONDITIONS} conditions.")
    seen: set[str] = set()
    for i, raw in enumerate(conditions_in):
        path = f"conditions.{i}"
        if not isinstance(raw, dict):
            fail(path, "A condition is an object.")
            continue
        key = _check_key(raw.get("key"), "condition", f"{path}.key", seen, fail)
        label = raw.get("label") or key
        overrides_in = raw.get("overrides") or {}
        overrides: dict[str, dict[str, Any]] = {}
        if not isinstance(overrides_in, dict):
            fail(f"{path}.overrides", "Overrides map a step key to its settings.")
            overrides_in = {}
        for step_key, values in overrides_in.items():
            step = by_key.get(step_key)
            if step is None:
                fail(f"{path}.overrides.{step_key}", "No step has this key.")
                continue
            kind = kind_get(step["kind"])
            values = values if isinstance(values, dict) else {}
            refused = sorted(set(values) - set(kind.overridable))
            if refused:
                fail(f"{path}.overrides.{step_key}", f"A condition cannot set: {', '.join(refused)}.")
                continue
            try:
                merged = kind.clean_settings({**step["settings"], **values})
            except StepSettingsError as exc:
                for name, messages in exc.errors.items():
                    for message in messages:
                        fail(f"{path}.overrides.{step_key}.{name}", message)
                continue
            if values:
                overrides[step_key] = {name: merged[name] for name in values}
        out.append({"key": key, "label": str(label)[:80], "overrides": overrides})
    return out


def steps_of(definition: dict[str, Any]) -> list[Step]:
    return [
        Step(key=s["key"], kind=s["kind"], title=s["title"], sessions=tuple(s["sessions"]), settings=s["settings"])
        for s in definition["steps"]
    ]


def step_settings(definition: dict[str, Any], step_key: str, condition: str) -> dict[str, Any]:
    """The step's settings with the participant's condition's overrides laid over them."""
    step = next(s for s in definition["steps"] if s["key"] == step_key)
    settings = copy.deepcopy(step["settings"])
    for c in definition["conditions"]:
        if c["key"] == condition:
            settings.update(copy.deepcopy(c["overrides"].get(step_key, {})))
    return settings

"""A flow version in words for the builder's pages: each step's kind and settings on one line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.registry import SettingField, UnknownStepKind, kind_get

BODY_CHARS = 70


@dataclass(frozen=True)
class StepLine:
    index: int  # 1-based
    key: str
    title: str
    kind: str
    kind_label: str
    summary: str
    sessions: str
    first: bool
    last: bool
    conditions: tuple[tuple[str, str], ...] = ()  # (key, label) of each condition that changes this step
    varied: str = ""  # the settings those conditions change, in words


@dataclass(frozen=True)
class ConditionLine:
    key: str
    label: str
    overrides: list[str]


def _choice_label(setting: SettingField, value: str) -> str:
    choices = dict(setting.choices()) if setting.choices else {}
    if value in choices:
        return str(choices[value])
    key, _, version = value.partition("@")
    label = str(choices.get(key, key)).split(" (")[0]
    return f"{label}, version {version}" if version else label


def setting_text(setting: SettingField, value: Any) -> str:
    if setting.type == "colors" and isinstance(value, list):
        return ", ".join(f"{c.get('color')} {c.get('max_pumps')}" for c in value if isinstance(c, dict))
    if setting.type == "choice" and isinstance(value, str):
        return _choice_label(setting, value)
    if setting.type == "bool":
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = " ".join(str(value).split())
    return text if len(text) <= BODY_CHARS else text[: BODY_CHARS - 1] + "…"


def settings_summary(kind_key: str, settings: dict[str, Any]) -> str:
    try:
        kind = kind_get(kind_key)
    except UnknownStepKind:
        return "Unknown kind"
    parts = []
    for setting in kind.fields:
        value = settings.get(setting.name)
        if value is None or value == "" or value == []:
            continue
        text = setting_text(setting, value)
        parts.append(f"“{text}”" if setting.type == "textarea" else f"{setting.label}: {text}")
    if not parts:
        return "The study's game settings" if kind_key == "game" else "Default settings"
    return " · ".join(parts)


def sessions_text(sessions: list[int], count: int) -> str:
    if count <= 1:
        return ""
    if not sessions:
        return "Every session"
    return ("Session " if len(sessions) == 1 else "Sessions ") + ", ".join(str(n) for n in sessions)


def gap_text(hours: int) -> str:
    days, rest = divmod(int(hours), 24)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if rest:
        parts.append(f"{rest} hour{'s' if rest != 1 else ''}")
    return " ".join(parts) or "no wait"


def step_lines(definition: dict[str, Any]) -> list[StepLine]:
    steps = definition["steps"]
    count = int(definition["sessions"]["count"])
    lines = []
    for i, step in enumerate(steps):
        try:
            kind = kind_get(step["kind"])
            kind_label = kind.label
            labels = {f.name: f.label for f in kind.fields}
        except UnknownStepKind:
            kind_label, labels = step["kind"], {}
        changing = [c for c in definition["conditions"] if c["overrides"].get(step["key"])]
        names: list[str] = []
        for c in changing:
            names += [labels.get(n, n) for n in c["overrides"][step["key"]] if labels.get(n, n) not in names]
        lines.append(
            StepLine(
                index=i + 1,
                key=step["key"],
                title=step["title"],
                kind=step["kind"],
                kind_label=kind_label,
                summary=settings_summary(step["kind"], step["settings"]),
                sessions=sessions_text(step["sessions"], count),
                first=i == 0,
                last=i == len(steps) - 1,
                conditions=tuple((c["key"], c["label"]) for c in changing),
                varied=", ".join(names),
            )
        )
    return lines


def condition_lines(definition: dict[str, Any]) -> list[ConditionLine]:
    titles = {s["key"]: s for s in definition["steps"]}
    lines = []
    for condition in definition["conditions"]:
        overrides = []
        for step_key, values in condition["overrides"].items():
            step = titles.get(step_key)
            if step is None:
                continue
            overrides.append(f"{step['title']}: {settings_summary(step['kind'], values)}")
        lines.append(ConditionLine(key=condition["key"], label=condition["label"], overrides=overrides))
    return lines


def version_view(version: Any) -> dict[str, Any]:
    """What the overview shows of one version."""
    definition = version.definition
    count = int(definition["sessions"]["count"])
    return {
        "version": version,
        "steps": step_lines(definition),
        "conditions": condition_lines(definition),
        "sessions_count": count,
        "gap": gap_text(definition["sessions"]["min_gap_hours"]),
        "repeats": int(definition["assignment"]["repeats"]),
    }


def describe_path(definition: dict[str, Any], path: str) -> str:
    """Where an error of the definition is, in words ("Step 3, “Game”")."""
    parts = path.split(".")
    if parts[0] == "steps" and len(parts) > 1 and parts[1].isdigit():
        i = int(parts[1])
        steps = definition.get("steps") or []
        title = steps[i].get("title") if i < len(steps) and isinstance(steps[i], dict) else ""
        return f"Step {i + 1}" + (f", “{title}”" if title else "")
    if parts[0] == "conditions" and len(parts) > 1 and parts[1].isdigit():
        i = int(parts[1])
        conditions = definition.get("conditions") or []
        label = conditions[i].get("label") if i < len(conditions) and isinstance(conditions[i], dict) else ""
        return f"Condition {i + 1}" + (f", “{label}”" if label else "")
    return {"steps": "Steps", "conditions": "Conditions", "sessions": "Sessions", "assignment": "Assignment"}.get(
        parts[0], ""
    )

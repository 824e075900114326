"""The work-in-progress questionnaire of the authoring pages, kept in the Django session.

Questionnaire rows are immutable versions, so what a manager is writing lives in their session
until "Save as a new version" hands the definition to ``questionnaires.services.questionnaire_save``.
A draft is plain JSON (the session serialiser's format):

    {"base_key": key or None, "base_version": n or None, "title", "key", "instructions",
     "export_free_text", "extra": {source, licence, version of a loaded definition},
     "items": [raw definition items, "scale" = the one scale or subscale the item counts in],
     "scales": [{"key", "label", "method", "min_answered", "parent": scale key or None}],
     "pending_item": form values typed but not added yet, "editing": index or None,
     "pending_scale": form values typed but not added yet}

Scale membership has one place in a draft, the item's ``scale``; the definition's scale ``items``
lists are built from it (an item in a subscale also counts in its parent scale).
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.text import slugify

SESSION_PREFIX = "questionnaire-draft:"
KEY_MAX = 40
ITEM_KEY_MAX = 30
_EXTRA_FIELDS = ("source", "licence", "version")


def session_key(study_slug: str) -> str:
    return SESSION_PREFIX + study_slug


def empty_draft() -> dict[str, Any]:
    return {
        "base_key": None,
        "base_version": None,
        "title": "",
        "key": "",
        "instructions": "",
        "export_free_text": False,
        "extra": {},
        "items": [],
        "scales": [],
        "pending_item": None,
        "editing": None,
        "pending_scale": None,
    }


def load(session: Any, study_slug: str) -> dict[str, Any] | None:
    draft = session.get(session_key(study_slug))
    return copy.deepcopy(draft) if isinstance(draft, dict) else None


def store(session: Any, study_slug: str, draft: dict[str, Any]) -> None:
    session[session_key(study_slug)] = draft
    session.modified = True


def clear(session: Any, study_slug: str) -> None:
    session.pop(session_key(study_slug), None)


def key_from_title(title: str) -> str:
    return slugify(title)[:KEY_MAX].strip("-_")


def unique_item_key(text: str, taken: set[str]) -> str:
    """A slug of the prompt (``item-N`` if it has no letters), made unique among ``taken``."""
    base = slugify(text)[:ITEM_KEY_MAX].strip("-_") or f"item-{len(taken) + 1}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


# --- from a stored version --------------------------------------------------------------------


def _anchors_for_draft(item: dict[str, Any]) -> list[str] | dict[str, str]:
    low = int(item.get("min", 1))
    high = low + int(item["points"]) - 1
    anchors = {int(point): label for point, label in (item.get("anchors") or {}).items()}
    if set(anchors) == set(range(low, high + 1)):
        return [anchors[p] for p in range(low, high + 1)]
    if set(anchors) == {low, high}:
        return [anchors[low], anchors[high]]
    return {str(p): label for p, label in sorted(anchors.items())}


def _membership(definition: dict[str, Any]) -> dict[str, str]:
    """Each scored item's one scale in the draft: its own claim, else its subscale, else its scale."""
    found: dict[str, str] = {}
    for scale in definition.get("scales", []):
        for sub in scale.get("subscales", []):
            for key in sub["items"]:
                found.setdefault(key, sub["key"])
        for key in scale["items"]:
            found.setdefault(key, scale["key"])
    return found


def from_version(questionnaire: Any) -> dict[str, Any]:
    """A draft holding the stored version ``questionnaire`` (the next save makes version N+1)."""
    definition = questionnaire.definition
    member = _membership(definition)
    items = []
    for stored in definition["items"]:
        raw: dict[str, Any] = {k: stored[k] for k in ("key", "type", "text", "required")}
        kind = stored["type"]
        if kind == "likert":
            raw.update(points=stored["points"], min=stored.get("min", 1), anchors=_anchors_for_draft(stored))
            raw["reverse"] = bool(stored.get("reverse"))
        elif kind in ("single", "multiple"):
            raw["options"] = [dict(o) for o in stored["options"]]
        elif kind == "number":
            raw.update(min=stored.get("min"), max=stored.get("max"), integer=bool(stored.get("integer")))
        else:
            raw["max_length"] = stored.get("max_length", 200)
        if stored.get("attention_check"):
            raw["attention_check"] = dict(stored["attention_check"])
        raw["scale"] = stored.get("scale") or member.get(stored["key"])
        items.append(raw)
    scales = []
    for scale in definition.get("scales", []):
        scales.append(_scale_for_draft(scale, None))
        scales.extend(_scale_for_draft(sub, scale["key"]) for sub in scale.get("subscales", []))
    draft = empty_draft()
    draft.update(
        base_key=questionnaire.key,
        base_version=questionnaire.version,
        title=questionnaire.title,
        key=questionnaire.key,
        instructions=definition.get("instructions", ""),
        export_free_text=bool(definition.get("export_free_text")),
        extra={k: definition[k] for k in _EXTRA_FIELDS if k in definition},
        items=items,
        scales=scales,
    )
    return draft


def _scale_for_draft(scale: dict[str, Any], parent: str | None) -> dict[str, Any]:
    count = len(scale["items"])
    min_answered = scale.get("min_answered")
    return {
        "key": scale["key"],
        "label": scale["label"],
        "method": scale.get("method", "mean"),
        "min_answered": None if min_answered in (None, count) else min_answered,
        "parent": parent,
    }


# --- to a definition --------------------------------------------------------------------------


def _scale_out(scale: dict[str, Any], members: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"key": scale["key"], "label": scale["label"], "items": members, "method": scale["method"]}
    if scale.get("min_answered") is not None:
        out["min_answered"] = scale["min_answered"]
    return out


def to_definition(draft: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """The definition to save, and which draft scale each ``scales.N[.subscales.M]`` path names."""
    definition: dict[str, Any] = {"title": draft["title"].strip() or draft["key"] or "Untitled"}
    if draft["key"]:
        definition["key"] = draft["key"]
    if draft["instructions"].strip():
        definition["instructions"] = draft["instructions"].strip()
    definition["export_free_text"] = bool(draft["export_free_text"])
    definition.update(draft.get("extra") or {})
    definition["items"] = [{k: v for k, v in item.items() if v is not None} for item in draft["items"]]
    scale_paths: dict[str, int] = {}
    scales_out = []
    tops = [(i, s) for i, s in enumerate(draft["scales"]) if not s.get("parent")]
    for n, (index, scale) in enumerate(tops):
        subs = [(i, s) for i, s in enumerate(draft["scales"]) if s.get("parent") == scale["key"]]
        own = {scale["key"], *(s["key"] for _, s in subs)}
        entry = _scale_out(scale, [it["key"] for it in draft["items"] if it.get("scale") in own])
        scale_paths[f"scales.{n}"] = index
        entry["subscales"] = []
        for m, (sub_index, sub) in enumerate(subs):
            entry["subscales"].append(
                _scale_out(sub, [it["key"] for it in draft["items"] if it.get("scale") == sub["key"]])
            )
            scale_paths[f"scales.{n}.subscales.{m}"] = sub_index
        scales_out.append(entry)
    definition["scales"] = scales_out
    return definition, scale_paths


FIELD_NAMES = {
    "key": "Key",
    "text": "Question text",
    "points": "Points",
    "min": "Lowest value",
    "max": "Highest value",
    "anchors": "Point labels",
    "options": "Options",
    "max_length": "Longest answer",
    "attention_check": "Attention check",
    "reverse": "Reverse keyed",
    "scale": "Scale",
    "items": "Items",
    "label": "Label",
    "method": "Method",
    "min_answered": "Minimum answered",
}


def _labelled(rest: str, messages: list[str]) -> list[str]:
    field = rest.split(".")[0] if rest else ""
    name = FIELD_NAMES.get(field)
    return [f"{name}: {m}" if name else m for m in messages]


def split_errors(errors: dict[str, list[str]], scale_paths: dict[str, int]) -> dict[str, Any]:
    """The service's path -> messages, sorted to where the page shows them."""
    out: dict[str, Any] = {"details": {}, "items": {}, "scales": {}, "general": []}
    for path, messages in errors.items():
        parts = path.split(".")
        if parts[0] == "items" and len(parts) > 1 and parts[1].isdigit():
            out["items"].setdefault(int(parts[1]), []).extend(_labelled(".".join(parts[2:]), messages))
        elif parts[0] == "scales" and len(parts) > 1 and parts[1].isdigit():
            sub = len(parts) > 3 and parts[2] == "subscales" and parts[3].isdigit()
            prefix = ".".join(parts[:4] if sub else parts[:2])
            index = scale_paths.get(prefix)
            rest = ".".join(parts[4:] if sub else parts[2:])
            if index is None:
                out["general"].extend(messages)
            else:
                out["scales"].setdefault(index, []).extend(_labelled(rest, messages))
        elif parts[0] in ("title", "key", "instructions", "export_free_text"):
            out["details"].setdefault(parts[0], []).extend(messages)
        else:
            out["general"].extend(messages)
    return out


def remove_scale(draft: dict[str, Any], index: int) -> None:
    """Remove a scale (with its subscales); items that counted in them are no longer scored."""
    gone = draft["scales"][index]
    keys = {gone["key"], *(s["key"] for s in draft["scales"] if s.get("parent") == gone["key"])}
    draft["scales"] = [s for s in draft["scales"] if s["key"] not in keys]
    for item in draft["items"]:
        if item.get("scale") in keys:
            item["scale"] = None


def scale_choices(draft: dict[str, Any]) -> list[tuple[str, str]]:
    labels = {s["key"]: s["label"] for s in draft["scales"]}
    choices = [("", "Not scored")]
    for scale in draft["scales"]:
        parent = scale.get("parent")
        label = f"{scale['label']} (subscale of {labels.get(parent, parent)})" if parent else scale["label"]
        choices.append((scale["key"], label))
    return choices

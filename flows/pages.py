"""flows' own step kind: an information page (instructions, a debrief) with a Continue button."""

from __future__ import annotations

from typing import Any

from flows import registry
from flows.registry import SettingField, StepKind, StepSettingsError

MAX_BODY = 8000


def _defaults() -> dict[str, Any]:
    return {"body": "", "button_label": "Continue"}


def _clean(settings: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    body = settings.get("body", "")
    label = settings.get("button_label") or "Continue"
    if not isinstance(body, str) or not body.strip():
        errors["body"] = ["A page needs some text."]
    elif len(body) > MAX_BODY:
        errors["body"] = [f"A page holds at most {MAX_BODY} characters."]
    if not isinstance(label, str) or len(label) > 40:
        errors["button_label"] = ["The button label is text of at most 40 characters."]
    unknown = sorted(set(settings) - {"body", "button_label"})
    if unknown:
        errors["settings"] = [f"Unknown settings: {', '.join(unknown)}."]
    if errors:
        raise StepSettingsError(errors)
    return {"body": body.strip(), "button_label": label.strip()}


PAGE = StepKind(
    key="page",
    label="Information page",
    description="Text the participant reads, such as instructions or a debrief, with a button to go on.",
    url="/flow/page/",
    fields=(
        SettingField("body", "Text", "textarea", "Plain text; a blank line starts a new paragraph.", overridable=True),
        SettingField("button_label", "Button label", "text", "What the button says, e.g. Continue."),
    ),
    default_settings=_defaults,
    clean_settings=_clean,
    preview=lambda request, title, settings: _preview(request, title, settings),
)


def register() -> None:
    registry.register(PAGE)


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _preview(request: Any, title: str, settings: dict[str, Any]) -> Any:
    from django.shortcuts import render

    context = {"title": title, "paragraphs": paragraphs(settings["body"]), "button_label": settings["button_label"]}
    return render(request, "flows/page.html", {**context, "preview": {"back_url": "/manage/flow/"}})

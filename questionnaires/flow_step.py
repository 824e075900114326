"""The questionnaire as a step kind of a study's flow (flows.registry).

A step names one questionnaire version as ``"key@version"``; a bare key pins the latest version
when the flow is saved, so a published flow always shows the exact items it was published with.
A shipped scale's key imports that scale into the study on first use. A condition may show a
different questionnaire (its ``questionnaire`` setting is overridable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows import registry
from flows.registry import SettingField, StepKind, StepSettingsError

QUESTIONNAIRE_KIND = "questionnaire"


def parse_ref(ref: str) -> tuple[str, int | None]:
    key, _, version = ref.partition("@")
    if version and not version.isdigit():
        raise ValueError(ref)
    return key, int(version) if version else None


def _clean(settings: dict[str, Any]) -> dict[str, Any]:
    from questionnaires.library import UnknownScale
    from questionnaires.selectors import questionnaire_get, questionnaire_latest
    from questionnaires.services import questionnaire_import_shipped

    unknown = sorted(set(settings) - {"questionnaire"})
    if unknown:
        raise StepSettingsError({"settings": [f"A questionnaire step cannot set: {', '.join(unknown)}."]})
    ref = settings.get("questionnaire")
    if not isinstance(ref, str) or not ref:
        raise StepSettingsError({"questionnaire": ["Choose a questionnaire."]})
    try:
        key, version = parse_ref(ref)
    except ValueError:
        raise StepSettingsError({"questionnaire": [f"Cannot read {ref!r}: write a key or key@version."]}) from None
    if version is None:
        row = questionnaire_latest(key=key)
        if row is None:
            try:
                row = questionnaire_import_shipped(acting_user=None, key=key)
            except UnknownScale:
                raise StepSettingsError({"questionnaire": [f"This study has no questionnaire {key!r}."]}) from None
    else:
        row = questionnaire_get(key=key, version=version)
        if row is None:
            raise StepSettingsError({"questionnaire": [f"This study has no version {version} of {key!r}."]})
    return {"questionnaire": f"{row.key}@{row.version}"}


def _choices() -> list[tuple[str, str]]:
    from questionnaires.library import shipped_scales
    from questionnaires.selectors import questionnaires_latest

    own = [(q.key, f"{q.title} (this study's, version {q.version})") for q in questionnaires_latest()]
    have = {key for key, _label in own}
    shipped = [(s["key"], f"{s['title']} (published scale)") for s in shipped_scales() if s["key"] not in have]
    return own + shipped


def _preview(request: Any, title: str, settings: dict[str, Any]) -> Any:
    from questionnaires.views import questionnaire_preview_response

    return questionnaire_preview_response(request, title, settings)


QUESTIONNAIRE = StepKind(
    key=QUESTIONNAIRE_KIND,
    label="Questionnaire",
    description="Questions with rating scales, choices, numbers or short text; scored by its scales.",
    url="/questionnaire/",
    fields=(
        SettingField(
            "questionnaire",
            "Questionnaire",
            "choice",
            "A published scale or one written for this study (Questionnaires page).",
            choices=_choices,
            overridable=True,
        ),
    ),
    default_settings=dict,
    clean_settings=_clean,
    preview=_preview,
)


@dataclass(frozen=True)
class DueStep:
    version: int
    session_number: int
    step_key: str
    condition: str
    ref: str
    title: str
    step_index: int
    steps_in_session: int
    sessions_count: int


def due_questionnaire_step(participant: Any) -> DueStep | None:
    """The participant's position if it is a questionnaire step (joining the flow on first need)."""
    from flows.selectors import position_of
    from flows.services import flow_join

    position = position_of(flow_join(participant=participant))
    if position.state != "step" or position.step is None or position.step.kind != QUESTIONNAIRE_KIND:
        return None
    return DueStep(
        version=position.version.number,
        session_number=position.session_number,
        step_key=position.step.key,
        condition=position.condition,
        ref=str((position.settings or {})["questionnaire"]),
        title=position.step.title,
        step_index=position.step_index,
        steps_in_session=position.steps_in_session,
        sessions_count=position.sessions_count,
    )


def register() -> None:
    registry.register(QUESTIONNAIRE)

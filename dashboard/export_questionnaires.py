"""Export rows of the study's flow and questionnaires: participants (their condition and how it was drawn),
questionnaire scores (one row per submitted response and scale or subscale) and item responses (one row
per submitted response and item).

Free text (items of type ``text``) leaves the platform only when both the questionnaire's definition
allows it (``export_free_text``) and the export asks for it (``ExportScope.include_free_text``);
otherwise its value is empty and ``withheld`` says ``free_text`` (docs/privacy.md). Responses are read
through a server-side cursor in chunks, and each chunk's answer events are read once, so memory holds
one chunk of responses whatever the study's size. Pilots are left out unless the scope keeps them.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.db.models import Count

from dashboard.export_formats import Column, ExportScope
from flows.models import FlowVersion
from pseudonymization.models import Participant
from pseudonymization.services import is_sealed_text, participant_open_text
from questionnaires.models import Questionnaire, QuestionnaireEvent, QuestionnaireResponse
from questionnaires.scoring import SCORING_VERSION

CHUNK_RESPONSES = 200
FREE_TEXT_TYPES = frozenset({"text"})
WITHHELD_FREE_TEXT = "free_text"

PARTICIPANT_COLUMNS: tuple[Column, ...] = (
    Column("participant", "Pseudonymous participant code"),
    Column("pilot", "1 if the participant joined while the study was piloting, else 0"),
    Column("condition", "The condition the participant was assigned to (key; empty when the flow has none)"),
    Column("condition_label", "The condition's label in the flow version the participant joined"),
    Column("flow_version", "Number of the flow version the participant joined (kept to the end)"),
    Column("assignment_number", "The participant's place in the version's assignment sequence (0-based)"),
    Column("assignment_block", "Randomisation block of the participant's assignment (0-based)"),
    Column("assignment_position", "Position inside that block (0-based)"),
    Column("assignment_algorithm", "Algorithm of the blocked randomisation (docs/flows.md)"),
)

_RESPONSE_COLUMNS: tuple[Column, ...] = (
    Column("participant", "Pseudonymous participant code"),
    Column("questionnaire", "Questionnaire key"),
    Column("questionnaire_version", "Version of the questionnaire answered (a new version on every edit)"),
    Column("questionnaire_sha256", "SHA-256 of the questionnaire definition shown (items, options, scoring key)"),
    Column("flow_version", "Number of the flow version the participant joined"),
    Column("flow_session", "Study session (visit) of the flow in which the questionnaire was answered (1 = first)"),
    Column("flow_step", "Key of the flow step that showed the questionnaire"),
    Column("condition", "The participant's condition in the study flow (key; empty when the flow has none)"),
)

SCORE_COLUMNS: tuple[Column, ...] = (
    *_RESPONSE_COLUMNS,
    Column("scale", "Key of the scale or subscale scored"),
    Column("subscale", "1 if the row is a subscale, 0 if a scale"),
    Column("parent_scale", "For a subscale: the key of its scale (empty for a scale)"),
    Column("score", "Scale or subscale score (empty when too few items were answered; see reason)", "scale units"),
    Column("answered", "Items of the scale that were answered", "items"),
    Column("items", "Items the scale lists", "items"),
    Column("reason", "Why the score is empty (too few items answered), else empty"),
    Column("scoring_version", "Version of the scoring rules that computed the score (docs/questionnaires.md)"),
    Column("attention_passed", "Attention checks of the response answered as expected", "items"),
    Column("attention_failed", "Attention checks of the response answered otherwise or not at all", "items"),
    Column("submitted_at", "When the response was submitted (ISO 8601, UTC)"),
)

ITEM_COLUMNS: tuple[Column, ...] = (
    *_RESPONSE_COLUMNS,
    Column("item", "Item key"),
    Column("item_type", "Item type: likert, single, multiple, number or text"),
    Column(
        "value",
        "The submitted answer (the item's last answer event); choices of a multiple-choice item ';'-separated; "
        "empty when unanswered or withheld",
    ),
    Column(
        "withheld",
        "free_text when the value is free text left out of this export (the questionnaire does not allow its "
        "export, or the export did not ask for free text), else empty",
    ),
    Column("rt_ms", "Response time of the item's last answer event (since shown or previously answered)", "ms"),
    Column("answer_changes", "Answer events of the item after its first (changes and clearings)", "events"),
)


def _participants(scope: ExportScope) -> Any:
    rows = Participant.objects.exclude(status=Participant.Status.ERASED)
    return rows if scope.include_pilots else rows.exclude(pilot=True)


def condition_labels() -> dict[int, dict[str, str]]:
    """flow version number -> {condition key: label} (a study has few versions)."""
    return {
        number: {c["key"]: c.get("label") or c["key"] for c in (definition or {}).get("conditions", [])}
        for number, definition in FlowVersion.objects.values_list("number", "definition")
    }


def participant_rows(scope: ExportScope) -> Iterator[dict[str, Any]]:
    """One row per participant in the scope (withdrawn ones keep what they gave), by code."""
    labels = condition_labels()
    rows = (
        _participants(scope)
        .order_by("participant_code")
        .values_list("participant_code", "pilot", "flow__condition", "flow__version__number", "flow__assignment")
    )
    for code, pilot, condition, version, assignment in rows.iterator(chunk_size=2000):
        drawn = assignment or {}
        yield {
            "participant": code,
            "pilot": 1 if pilot else 0,
            "condition": condition or "",
            "condition_label": labels.get(version, {}).get(condition, "") if condition else "",
            "flow_version": version,
            "assignment_number": drawn.get("number"),
            "assignment_block": drawn.get("block"),
            "assignment_position": drawn.get("position"),
            "assignment_algorithm": drawn.get("algorithm", ""),
        }


def submitted_responses(scope: ExportScope) -> Any:
    rows = QuestionnaireResponse.objects.filter(status=QuestionnaireResponse.Status.SUBMITTED).exclude(
        participant__status=Participant.Status.ERASED
    )
    if not scope.include_pilots:
        rows = rows.exclude(participant__pilot=True)
    return rows


_RESPONSE_FIELDS = (
    "id",
    "participant_id",
    "participant__participant_code",
    "questionnaire_id",
    "flow_version",
    "flow_session",
    "flow_step",
    "condition",
    "answers",
    "scores",
    "scoring_version",
    "submitted_at",
)


def _questionnaires() -> dict[int, Questionnaire]:
    return {q.pk: q for q in Questionnaire.objects.all()}


def _response_rows(scope: ExportScope) -> Iterator[dict[str, Any]]:
    rows = (
        submitted_responses(scope)
        .order_by("participant__participant_code", "submitted_at", "id")
        .values(*_RESPONSE_FIELDS)
        .iterator(chunk_size=CHUNK_RESPONSES)
    )
    yield from rows


def _base(row: dict[str, Any], questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        "participant": row["participant__participant_code"],
        "questionnaire": questionnaire.key,
        "questionnaire_version": questionnaire.version,
        "questionnaire_sha256": questionnaire.sha256,
        "flow_version": row["flow_version"],
        "flow_session": row["flow_session"],
        "flow_step": row["flow_step"],
        "condition": row["condition"],
    }


def _parents(definition: dict[str, Any]) -> dict[str, str]:
    return {sub["key"]: scale["key"] for scale in definition.get("scales", []) for sub in scale.get("subscales", [])}


def score_rows(scope: ExportScope) -> Iterator[dict[str, Any]]:
    """One row per submitted response and scale, then its subscales, in the definition's order."""
    questionnaires = _questionnaires()
    for row in _response_rows(scope):
        questionnaire = questionnaires[row["questionnaire_id"]]
        parents = _parents(questionnaire.definition)
        scores = row["scores"] or {}
        checks = scores.get("attention_checks") or {}
        base = _base(row, questionnaire)
        common = {
            "scoring_version": row["scoring_version"] or scores.get("version", ""),
            "attention_passed": checks.get("passed", 0),
            "attention_failed": checks.get("failed", 0),
            "submitted_at": row["submitted_at"].isoformat() if row["submitted_at"] else "",
        }
        for is_sub, group in ((0, "scales"), (1, "subscales")):
            for key, result in (scores.get(group) or {}).items():
                yield {
                    **base,
                    "scale": key,
                    "subscale": is_sub,
                    "parent_scale": parents.get(key, "") if is_sub else "",
                    "score": result.get("score"),
                    "answered": result.get("answered"),
                    "items": result.get("items"),
                    "reason": result.get("reason") or "",
                    **common,
                }


def _answer_stats(response_ids: list[Any]) -> dict[tuple[Any, str], tuple[float | None, int]]:
    """(response id, item) -> (rt_ms of the last answer event, answer events after the first)."""
    stats: dict[tuple[Any, str], tuple[float | None, int]] = {}
    events = (
        QuestionnaireEvent.objects.filter(response_id__in=response_ids, type="item_answer")
        .order_by("response_id", "item", "seq", "id")
        .values_list("response_id", "item", "rt_ms")
    )
    for response_id, item, rt_ms in events.iterator(chunk_size=5000):
        _, count = stats.get((response_id, item), (None, 0))
        stats[(response_id, item)] = (rt_ms, count + 1)
    return {key: (rt, count - 1) for key, (rt, count) in stats.items()}


def _opened(participant_id: int, value: Any) -> Any:
    """Free text is stored sealed per participant (questionnaires); an export allowed to hold it opens it."""
    if not is_sealed_text(value):
        return value
    participant = Participant.objects.filter(pk=participant_id).first()
    return participant_open_text(participant=participant, sealed=value) if participant else None


def is_free_text(item: dict[str, Any]) -> bool:
    """A text item, or any item the definition marks as holding free text (docs/questionnaires.md)."""
    return item.get("type") in FREE_TEXT_TYPES or item.get("contains_free_text") is True


def export_value(value: Any) -> Any:
    """An answer as one CSV cell: lists ';'-joined, nothing for no answer."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def free_text_allowed(definition: dict[str, Any], scope: ExportScope) -> bool:
    """Both switches: the questionnaire allows exporting its free text and this export asks for it."""
    return bool(definition.get("export_free_text")) and scope.include_free_text


def item_rows(scope: ExportScope) -> Iterator[dict[str, Any]]:
    """One row per submitted response and item of its questionnaire (unanswered items too), in item order."""
    questionnaires = _questionnaires()
    responses = _response_rows(scope)
    while chunk := list(islice(responses, CHUNK_RESPONSES)):
        stats = _answer_stats([row["id"] for row in chunk])
        for row in chunk:
            questionnaire = questionnaires[row["questionnaire_id"]]
            definition = questionnaire.definition
            allowed = free_text_allowed(definition, scope)
            answers = row["answers"] or {}
            base = _base(row, questionnaire)
            for item in definition.get("items", []):
                key, kind = item["key"], item["type"]
                withheld = is_free_text(item) and not allowed
                rt_ms, changes = stats.get((row["id"], key), (None, 0))
                yield {
                    **base,
                    "item": key,
                    "item_type": kind,
                    "value": "" if withheld else export_value(_opened(row["participant_id"], answers.get(key))),
                    "withheld": WITHHELD_FREE_TEXT if withheld else "",
                    "rt_ms": rt_ms,
                    "answer_changes": changes,
                }


def _scale_sentence(questionnaire: Questionnaire) -> str:
    parts = []
    for scale in questionnaire.definition.get("scales", []):
        for entry, kind in [(scale, "scale"), *((sub, f"subscale of {scale['key']}") for sub in scale["subscales"])]:
            parts.append(
                f"{entry['key']} = {entry['label']} ({kind}, {entry['method']} of {len(entry['items'])} items, "
                f"at least {entry['min_answered']} answered)"
            )
    scales = "; ".join(parts) or "no scales"
    return f"{questionnaire.key} v{questionnaire.version} (source {questionnaire.source}): {scales}"


def score_columns() -> tuple[Column, ...]:
    """SCORE_COLUMNS with ``scale`` and ``score`` describing the scales this study scores (for the dictionary)."""
    questionnaires = [q for q in Questionnaire.objects.order_by("key", "version") if q.definition.get("scales")]
    scales = " | ".join(_scale_sentence(q) for q in questionnaires) or "none yet"
    described = {
        "scale": f"Key of the scale or subscale scored. Scales (scoring version {SCORING_VERSION}): {scales}",
        "score": "Scale or subscale score: mean of the answered items, or for sum scales the mean times the "
        f"number of items (prorated); reverse-keyed items reversed first; scoring version {SCORING_VERSION} "
        "(docs/questionnaires.md, Scoring). Empty when too few items were answered (see reason)",
    }
    return tuple(Column(c.name, described[c.name], c.unit) if c.name in described else c for c in SCORE_COLUMNS)


def count_questionnaire_rows(export_format: str, scope: ExportScope) -> int:
    """Rows a questionnaire table will write (for an export job's progress bar)."""
    if export_format == "participants":
        return _participants(scope).count()
    per_questionnaire = submitted_responses(scope).values("questionnaire_id").annotate(n=Count("id"))
    questionnaires = _questionnaires()
    total = 0
    for entry in per_questionnaire.order_by():
        definition = questionnaires[entry["questionnaire_id"]].definition
        if export_format == "scores":
            rows = sum(1 + len(scale.get("subscales", [])) for scale in definition.get("scales", []))
        else:
            rows = len(definition.get("items", []))
        total += rows * entry["n"]
    return total


def questionnaire_versions() -> dict[str, str]:
    """The questionnaire versions an export's tables may hold, and the scoring version."""
    keys = Questionnaire.objects.order_by("key", "version").values_list("key", "version")
    return {"questionnaires": ",".join(f"{k}@{v}" for k, v in keys) or "none", "scoring": SCORING_VERSION}

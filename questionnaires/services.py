"""Writes of the questionnaires app: questionnaires (versions), a response started, its events, its submission."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_event
from core.errors import ApplicationError
from flows.services import step_complete
from pseudonymization.models import Participant
from pseudonymization.services import participant_seal_text
from questionnaires.definition import (
    DEFINITION_SCHEMA_VERSION,
    AnswerError,
    DefinitionError,
    validate_answer,
    validate_definition,
)
from questionnaires.event_schema import EVENT_SCHEMA_NAME, event_problem
from questionnaires.library import shipped_scale
from questionnaires.models import Questionnaire, QuestionnaireEvent, QuestionnaireResponse
from questionnaires.scoring import SCORING_VERSION, score
from questionnaires.selectors import (
    answers_opened,
    is_free_text,
    questionnaire_latest,
    response_answers_so_far,
    response_for_step,
)

MAX_EVENTS = 500


def definition_sha256(definition: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@transaction.atomic
def questionnaire_save(
    *, acting_user: Any, key: str, title: str, definition: Any, source: str = "custom"
) -> Questionnaire:
    """A new version of the questionnaire ``key`` (the first one if new); earlier versions stay as they were.

    Saving what the latest version already holds makes no new version.
    """
    try:
        cleaned = validate_definition(definition)
    except DefinitionError as exc:
        raise ApplicationError("invalid", "The questionnaire is not valid.", details=exc.errors) from None
    sha = definition_sha256(cleaned)
    latest = Questionnaire.objects.select_for_update().filter(key=key).order_by("-version").first()
    if latest is not None and latest.sha256 == sha and latest.title == title:
        return latest
    row = Questionnaire.objects.create(
        key=key,
        version=(latest.version + 1) if latest else 1,
        title=title[:200],
        definition=cleaned,
        definition_schema=DEFINITION_SCHEMA_VERSION,
        sha256=sha,
        source=source,
        created_by_id=getattr(acting_user, "pk", None),
    )
    audit_event(
        action="questionnaire.version.create",
        obj=row,
        actor=acting_user,
        details={"key": key, "version": row.version, "sha256": sha, "source": source},
    )
    return row


def questionnaire_import_shipped(*, acting_user: Any, key: str) -> Questionnaire:
    """The shipped scale ``key`` as a questionnaire of this study (imported once; UnknownScale if none)."""
    existing = questionnaire_latest(key=key)
    if existing is not None:
        return existing
    scale = shipped_scale(key)
    return questionnaire_save(
        acting_user=acting_user,
        key=key,
        title=str(scale.get("title") or key),
        definition=scale,
        source=f"library:{key}",
    )


@dataclass(frozen=True)
class DueQuestionnaire:
    questionnaire: Questionnaire
    version: int  # flow version
    session_number: int
    step_key: str
    condition: str


def response_start(*, participant: Participant, due: DueQuestionnaire) -> tuple[QuestionnaireResponse, bool]:
    """The participant's response for this step: the one they started (resumed), else a new one."""
    existing = response_for_step(participant=participant, flow_session=due.session_number, flow_step=due.step_key)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            response = QuestionnaireResponse.objects.create(
                participant=participant,
                questionnaire=due.questionnaire,
                flow_version=due.version,
                flow_session=due.session_number,
                flow_step=due.step_key,
                condition=due.condition,
                event_schema=EVENT_SCHEMA_NAME,
            )
    except IntegrityError:  # a second tab started it a moment ago
        again = response_for_step(participant=participant, flow_session=due.session_number, flow_step=due.step_key)
        assert again is not None
        return again, False
    return response, True


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def _reject(event: Any, code: str, message: str) -> dict[str, Any]:
    ident = event if isinstance(event, dict) else {}
    return {"event_id": ident.get("event_id"), "seq": ident.get("seq"), "code": code, "message": message}


@transaction.atomic
def response_ingest(*, response: QuestionnaireResponse, events: Any) -> BatchResult:
    """Store a batch exactly once: every valid new event kept, repeats counted, invalid ones named.

    The response row is locked so two batches of one response run one after the other; the
    unique event_id is the second guard (a batch retried after a lost answer is all duplicates).
    """
    if not isinstance(events, list) or not events:
        raise ApplicationError("invalid", "The request is not valid.", details={"events": ["A non-empty list."]})
    if len(events) > MAX_EVENTS:
        raise ApplicationError("batch_too_large", f"A batch holds at most {MAX_EVENTS} events.", status_code=413)
    response = (
        QuestionnaireResponse.objects.select_for_update()
        .select_related("questionnaire", "participant")
        .get(pk=response.pk)
    )
    items = {i["key"]: i for i in response.questionnaire.definition["items"]}
    result = BatchResult()
    valid: list[dict[str, Any]] = []
    for event in events:
        problem = event_problem(event)
        if problem is not None:
            result.rejected.append(_reject(event, "schema_violation", problem))
            continue
        if event["type"] == "item_answer":
            item = items.get(event["item"])
            if item is None:
                result.rejected.append(
                    _reject(event, "unknown_item", f"No item {event['item']!r} in this questionnaire.")
                )
                continue
            if event["value"] is not None:
                try:
                    event = {**event, "value": validate_answer(item, event["value"])}
                except AnswerError as exc:
                    result.rejected.append(_reject(event, exc.code, exc.message))
                    continue
                if is_free_text(item):
                    # Sealed before it is stored, in the typed column and in the event kept as received.
                    sealed = participant_seal_text(participant=response.participant, text=str(event["value"]))
                    event = {**event, "value": sealed}
        valid.append(event)
    ids = {uuid.UUID(e["event_id"]) for e in valid}
    stored = set(QuestionnaireEvent.objects.filter(event_id__in=ids).values_list("event_id", flat=True))
    fresh: dict[uuid.UUID, dict[str, Any]] = {}
    for event in valid:
        event_id = uuid.UUID(event["event_id"])
        if event_id in stored or event_id in fresh:
            result.duplicates += 1
        else:
            fresh[event_id] = event
    if fresh and response.status == QuestionnaireResponse.Status.SUBMITTED:
        raise ApplicationError(
            "response_submitted", "This questionnaire was submitted; it takes no new answers.", status_code=409
        )
    now = timezone.now()
    QuestionnaireEvent.objects.bulk_create(
        [
            QuestionnaireEvent(
                response=response,
                event_id=event_id,
                seq=e["seq"],
                type=e["type"],
                t=e["t"],
                client_ts=e["client_ts"],
                received_at=now,
                item=e.get("item", ""),
                value=e.get("value"),
                rt_ms=e.get("rt_ms"),
                raw=e,
            )
            for event_id, e in fresh.items()
        ]
    )
    result.accepted = len(fresh)
    if fresh:
        top = max(e["seq"] for e in fresh.values())
        response.event_count += len(fresh)
        response.max_seq = top if response.max_seq is None else max(response.max_seq, top)
        response.save(update_fields=["event_count", "max_seq"])
    return result


@transaction.atomic
def response_submit(*, response: QuestionnaireResponse) -> QuestionnaireResponse:
    """Score the answers the events hold and complete the flow step (a retried submit changes nothing)."""
    response = QuestionnaireResponse.objects.select_for_update().select_related("questionnaire").get(pk=response.pk)
    if response.status == QuestionnaireResponse.Status.SUBMITTED:
        return response
    definition = response.questionnaire.definition
    answers = response_answers_so_far(response=response)  # free text still sealed: stored as it is
    missing = [i["key"] for i in definition["items"] if i.get("required", True) and i["key"] not in answers]
    if missing:
        raise ApplicationError(
            "answers_missing",
            "Some required questions have no answer yet.",
            status_code=400,
            details={key: ["This question needs an answer."] for key in missing},
        )
    result = score(definition, answers_opened(response=response, answers=answers))
    response.answers = answers
    response.scores = result.as_dict()
    response.scoring_version = SCORING_VERSION
    response.status = QuestionnaireResponse.Status.SUBMITTED
    response.submitted_at = timezone.now()
    response.save(update_fields=["answers", "scores", "scoring_version", "status", "submitted_at"])
    step_complete(
        participant=response.participant,
        session_number=response.flow_session,
        step_key=response.flow_step,
        kind="questionnaire",
        ref=str(response.pk),
    )
    return response

"""Reads on participant rights: settings, the retention policy, deletion requests, and everything
stored about one participant."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from flows.models import ParticipantFlow, StepCompletion
from games.models import Balloon, Event, GameSession
from pseudonymization.models import Participant
from pseudonymization.services import is_sealed_text, participant_open_text
from questionnaires.models import QuestionnaireEvent, QuestionnaireResponse
from rights.models import DeletionRequest, RetentionPolicy, RightsSettings
from traits.models import ModelFit, SessionMetrics, TraitProfile

# Never part of anyone's data export: key material, token hashes, blind indexes, verifiers.
SECRET_FIELDS = {"external_id_index", "external_id_ciphertext", "wrapped_key", "token_hash", "verifier"}


def rights_settings_get() -> RightsSettings:
    """The study's settings row, or an unsaved row holding the defaults."""
    return RightsSettings.get()


def retention_policy_get() -> RetentionPolicy:
    """The study's retention policy, or an unsaved row with the defaults (keep everything)."""
    return RetentionPolicy.get()


def deletion_requests_list(*, status: str | None = None, overdue: bool | None = None) -> QuerySet[DeletionRequest]:
    queryset = DeletionRequest.objects.select_related("participant").order_by("due_at", "received_at")
    if status:
        queryset = queryset.filter(status=status)
    if overdue is True:
        queryset = queryset.filter(status__in=DeletionRequest.OPEN_STATUSES, due_at__lt=timezone.now())
    return queryset


def deletion_request_get(*, request_id: Any) -> DeletionRequest | None:
    return DeletionRequest.objects.select_related("participant").filter(pk=request_id).first()


def deletion_request_executed_get(*, request_id: Any) -> DeletionRequest | None:
    """An executed request by its id (the capability its certificate is fetched with), or None."""
    return DeletionRequest.objects.filter(pk=request_id, status=DeletionRequest.Status.EXECUTED).first()


def deletion_request_open(*, participant: Participant) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(participant=participant, status__in=DeletionRequest.OPEN_STATUSES).first()


def deletion_requests_of(*, participant: Participant) -> list[DeletionRequest]:
    return list(DeletionRequest.objects.filter(participant=participant).order_by("-received_at"))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _row(instance: models.Model, *, skip: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS or field.name in skip:
            continue
        data[field.attname] = _plain(getattr(instance, field.attname))
    return data


def _rows(model: type[models.Model], order: tuple[str, ...], **lookup: Any) -> list[dict[str, Any]]:
    return [_row(obj, skip={"participant"}) for obj in model.objects.filter(**lookup).order_by(*order)]


def _by_session(model: type[models.Model], order: tuple[str, ...], session_ids: list[Any]) -> dict[Any, list]:
    """Rows of every listed session in one query, grouped by session (not one query per session)."""
    grouped: dict[Any, list[dict[str, Any]]] = {pk: [] for pk in session_ids}
    for row in _rows(model, ("session_id", *order), session_id__in=session_ids):
        grouped[row["session_id"]].append(row)
    return grouped


def _opened(participant: Participant, value: Any) -> Any:
    return participant_open_text(participant=participant, sealed=value) if is_sealed_text(value) else value


def _by_response(model: type[models.Model], response_ids: list[Any]) -> dict[Any, list]:
    """Events of every listed questionnaire response in one query, grouped by response."""
    grouped: dict[Any, list[dict[str, Any]]] = {pk: [] for pk in response_ids}
    for row in _rows(model, ("response_id", "seq", "id"), response_id__in=response_ids):
        grouped[row["response_id"]].append(row)
    return grouped


def participant_data(*, participant: Participant, external_id: str | None) -> dict[str, Any]:
    """Everything the study stores about ``participant``, as plain JSON values.

    ``external_id`` is passed in already decrypted (by the caller, who audits that read), so this
    selector never touches keys. Sessions carry their balloons and events; results follow.
    """
    from consent.models import ConsentRecord

    consent = [
        {
            "document_version": record.document.version,
            "document_title": record.document.title,
            "document_sha256": record.sha256,
            "method": record.method,
            "agreed_at": _plain(record.agreed_at),
            "withdrawn_at": _plain(record.withdrawn_at),
            "withdrawal_reason": record.withdrawal_reason,
        }
        for record in ConsentRecord.objects.select_related("document").filter(participant=participant)
    ]
    sessions = _rows(GameSession, ("started_at",), participant=participant)
    ids = [session["id"] for session in sessions]
    balloons, events = _by_session(Balloon, ("index",), ids), _by_session(Event, ("seq", "id"), ids)
    for session in sessions:
        session["balloons"] = balloons[session["id"]]
        session["events"] = events[session["id"]]
        if session.get("status") == "in_progress":
            # A game still being played keeps its schedule to itself: the seed, the schedule and the
            # explosion points would let a script play it perfectly (#18 finding 5). They are in the
            # download once the session ends.
            session.pop("seed", None)
            session.pop("schedule", None)
            for balloon in session["balloons"]:
                balloon.pop("explosion_point", None)
                balloon.pop("violations", None)  # counts against the schedule bound its points
            if isinstance(session.get("quality_flags"), dict):
                session["quality_flags"].pop("schedule_violations", None)
            for event in session["events"]:
                event.pop("flags", None)
    flow = ParticipantFlow.objects.select_related("version").filter(participant=participant).first()
    responses = _rows(QuestionnaireResponse, ("started_at", "id"), participant=participant)
    response_events = _by_response(QuestionnaireEvent, [r["id"] for r in responses])
    titles = {
        str(pk): title
        for pk, title in QuestionnaireResponse.objects.filter(participant=participant).values_list(
            "id", "questionnaire__title"
        )
    }
    for response in responses:
        response["questionnaire_title"] = titles.get(response["id"], "")
        response["events"] = response_events[response["id"]]
        # Their own free text, sealed under their key in the database, opened for them here.
        response["answers"] = {k: _opened(participant, v) for k, v in (response["answers"] or {}).items()}
        for event in response["events"]:
            event["value"] = _opened(participant, event.get("value"))
            if isinstance(event.get("raw"), dict) and "value" in event["raw"]:
                event["raw"] = {**event["raw"], "value": _opened(participant, event["raw"]["value"])}
    return {
        "format": "participant-data/1",
        "generated_at": timezone.now().isoformat(),
        "participant": {
            "participant_code": participant.participant_code,
            "status": participant.status,
            "created_at": _plain(participant.created_at),
            "withdrawn_at": _plain(participant.withdrawn_at),
            # Stored about them, so theirs to see: joined while the study was piloting (left out of analysis).
            "pilot": participant.pilot,
            "external_id": external_id,
        },
        "consent": consent,
        "sessions": sessions,
        "metrics": _rows(SessionMetrics, ("id",), participant=participant),
        "model_fits": _rows(ModelFit, ("id",), participant=participant),
        "trait_profiles": _rows(TraitProfile, ("id",), participant=participant),
        # The study's design as it applies to them: flow version, condition and how it was drawn.
        "flow": (
            {
                "version": flow.version.number,
                "condition": flow.condition,
                "assignment": flow.assignment,
                "joined_at": _plain(flow.joined_at),
            }
            if flow
            else None
        ),
        "steps_completed": _rows(StepCompletion, ("completed_at", "id"), participant=participant),
        "questionnaire_responses": responses,
        "deletion_requests": [
            {
                "request_id": str(r.pk),
                "status": r.status,
                "received_at": _plain(r.received_at),
                "due_at": _plain(r.due_at),
                "executed_at": _plain(r.executed_at),
                "rejection_reason": r.rejection_reason,
            }
            for r in deletion_requests_of(participant=participant)
        ],
    }

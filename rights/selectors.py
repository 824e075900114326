"""Reads on participant rights: settings, deletion requests, and everything stored about one participant."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from pseudonymization.models import Participant
from rights.models import DeletionRequest, RightsSettings

# Never part of anyone's data export: key material, token hashes, blind indexes, verifiers.
SECRET_FIELDS = {"external_id_index", "external_id_ciphertext", "wrapped_key", "token_hash", "verifier"}


def rights_settings_get() -> RightsSettings:
    """The study's settings row, or an unsaved row holding the defaults."""
    return RightsSettings.objects.filter(singleton=True).first() or RightsSettings()


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


def _rows(label: str, order: tuple[str, ...], **lookup: Any) -> list[dict[str, Any]]:
    try:
        model = apps.get_model(label)
    except LookupError:
        return []
    return [_row(obj, skip={"participant"}) for obj in model.objects.filter(**lookup).order_by(*order)]


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
    sessions = _rows("games.GameSession", ("started_at",), participant=participant)
    for session in sessions:
        session["balloons"] = _rows("games.Balloon", ("index",), session_id=session["id"])
        session["events"] = _rows("games.Event", ("seq", "id"), session_id=session["id"])
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
        "metrics": _rows("traits.SessionMetrics", ("id",), participant=participant),
        "model_fits": _rows("traits.ModelFit", ("id",), participant=participant),
        "trait_profiles": _rows("traits.TraitProfile", ("id",), participant=participant),
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

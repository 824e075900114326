"""The erasure steps, in order. Each step is idempotent: run twice, the second run erases nothing.

A step erases one kind of data of one participant and returns how many rows (or files) it
erased. The executor (rights.services.deletion_request_execute) runs each step in its own
transaction together with the record that the step is done, so a crash between steps loses
nothing and a re-run continues where the crash happened.

Every model is named by its label and resolved strictly: a label that names no model raises
LookupError, so a renamed model can never turn a step into "0 rows erased".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from pseudonymization import crypto
from pseudonymization.models import Participant, ParticipantKey, ParticipantToken
from pseudonymization.services import participant_shred_key

logger = logging.getLogger(__name__)

Step = Callable[[Participant, datetime], int]


def _model(label: str) -> type[models.Model]:
    # By label rather than import: rights sits above every app and reads each one's tables here only.
    return apps.get_model(label)


def _delete(label: str, **lookup: object) -> int:
    model = _model(label)
    _, per_model = model._base_manager.filter(**lookup).delete()
    return int(per_model.get(model._meta.label, 0))


def _tokens(participant: Participant, started: datetime) -> int:
    # First: the participant's tokens and access secret stop working, and ingestion refuses them.
    if participant.status == Participant.Status.ACTIVE:
        Participant.objects.filter(pk=participant.pk).update(status=Participant.Status.WITHDRAWN, withdrawn_at=started)
    count, _ = ParticipantToken.objects.filter(participant=participant).delete()
    return count + _delete("rights.AccessSecret", participant=participant)


def _owned_pks(label: str, **lookup: object) -> list[str]:
    model = _model(label)
    return [str(pk) for pk in model._base_manager.filter(**lookup).values_list("pk", flat=True)]


# Audit entries about these rows refer to the participant only by row id; they are the tombstone.
AUDIT_KEPT_TYPES = ("rights.deletionrequest",)


def _audit(participant: Participant, started: datetime) -> int:
    """Blank every audit entry that names the participant, before their rows (and ids) are deleted.

    Runs after ``tokens`` (nothing new can be written by or for the participant: tokens gone, status
    withdrawn, processing refuses) and before the data steps, so every session, event and row id is
    still known. Study chain and the platform chain's entries about this study (audit.services).
    """
    from audit.services import audit_redact_participant

    sessions = _owned_pks("games.GameSession", participant=participant)
    objects = [("games.gamesession", pk) for pk in sessions]
    for label in (
        "traits.SessionMetrics",
        "traits.ModelFit",
        "traits.TraitProfile",
        "consent.ConsentRecord",
        "flows.ParticipantFlow",
        "questionnaires.QuestionnaireResponse",
        "pseudonymization.ParticipantKey",
        "pseudonymization.ParticipantToken",
    ):
        objects += [(label.lower(), pk) for pk in _owned_pks(label, participant=participant)]
    event_model = _model("games.Event")
    events = [
        str(e) for e in event_model._base_manager.filter(session_id__in=sessions).values_list("event_id", flat=True)
    ]
    record = audit_redact_participant(
        participant=participant, objects=objects, needles=[*sessions, *events], exclude_types=AUDIT_KEPT_TYPES
    )
    return int(record.additional_data["entries"])


def _events(participant: Participant, started: datetime) -> int:
    return _delete("games.Event", session__participant=participant)


def _balloons(participant: Participant, started: datetime) -> int:
    return _delete("games.Balloon", session__participant=participant)


def _fits(participant: Participant, started: datetime) -> int:
    return _delete("traits.ModelFit", participant=participant)


def _metrics(participant: Participant, started: datetime) -> int:
    return _delete("traits.SessionMetrics", participant=participant)


def _profiles(participant: Participant, started: datetime) -> int:
    return _delete("traits.TraitProfile", participant=participant)


def _sessions(participant: Participant, started: datetime) -> int:
    return _delete("games.GameSession", participant=participant)


def _questionnaire_events(participant: Participant, started: datetime) -> int:
    return _delete("questionnaires.QuestionnaireEvent", response__participant=participant)


def _questionnaire_responses(participant: Participant, started: datetime) -> int:
    return _delete("questionnaires.QuestionnaireResponse", participant=participant)


def _flow(participant: Participant, started: datetime) -> int:
    """The completed steps and the drawn condition (the version's sequence counter stays: it is no one's)."""
    return _delete("flows.StepCompletion", participant=participant) + _delete(
        "flows.ParticipantFlow", participant=participant
    )


def _exports(participant: Participant, started: datetime) -> int:
    """Cached export files made before the erasure may hold the participant's rows: remove them.

    Exports do not record whom they contain, so every file written before the erasure started
    goes (an export made afterwards cannot contain the erased data). The job row stays, marked
    failed with a reason, so the analyst knows to export again.
    """
    model = _model("dashboard.ExportJob")
    removed = 0
    media_root = Path(getattr(settings, "MEDIA_ROOT", "") or ".")
    for job in model._base_manager.filter(created_at__lte=started).exclude(file_name=""):
        path = (media_root / job.file_name).resolve()
        if media_root.resolve() in path.parents:
            path.unlink(missing_ok=True)
        job.file_name = ""
        job.size_bytes = 0
        job.status = "failed"
        job.error = "File removed: a participant's data was erased after this export was made; export again."
        job.save(update_fields=["file_name", "size_bytes", "status", "error"])
        removed += 1
    return removed


def _consent_records(participant: Participant, started: datetime) -> int:
    return _delete("consent.ConsentRecord", participant=participant)


KEPT_RELATIONS = {"rights.DeletionRequest", "pseudonymization.ParticipantKey"}


def _other(participant: Participant, started: datetime) -> int:
    """Whatever else points at the participant (an app added later): erased too, never left behind."""
    count = 0
    for relation in Participant._meta.related_objects:
        model = relation.related_model
        if model._meta.label in KEPT_RELATIONS or not relation.field.concrete:
            continue
        _, per_model = model._base_manager.filter(**{relation.field.name: participant}).delete()
        count += int(per_model.get(model._meta.label, 0))
    return count


def _identifier_key(participant: Participant, started: datetime) -> int:
    had_key = ParticipantKey.objects.filter(participant=participant).exists()
    participant_shred_key(participant=participant)
    return int(had_key)


def _participant(participant: Participant, started: datetime) -> int:
    """The row stays (study counts stay honest) as status `erased` under a fresh, unlinkable code."""
    if participant.status == Participant.Status.ERASED:
        return 0
    for _ in range(8):
        code = "E-" + crypto.new_participant_code()[2:]
        if not Participant.objects.filter(participant_code=code).exists():
            break
    Participant.objects.filter(pk=participant.pk).update(
        status=Participant.Status.ERASED,
        participant_code=code,
        withdrawn_at=participant.withdrawn_at or started,
        external_id_index=None,
        external_id_ciphertext=None,
    )
    return 1


STEPS: list[tuple[str, Step]] = [
    ("tokens", _tokens),
    ("audit", _audit),
    ("events", _events),
    ("balloons", _balloons),
    ("fits", _fits),
    ("metrics", _metrics),
    ("profiles", _profiles),
    ("sessions", _sessions),
    ("questionnaire_events", _questionnaire_events),
    ("questionnaire_responses", _questionnaire_responses),
    ("flow", _flow),
    ("exports", _exports),
    ("consent_records", _consent_records),
    ("other", _other),
    ("identifier_key", _identifier_key),
    ("participant", _participant),
]
STEP_NAMES = [name for name, _ in STEPS]

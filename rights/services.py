"""Writes on participant rights: deletion requests (file, verify, reject, execute), the access secret,
and the study's rights settings. Each state change writes its audit entry in the same transaction.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from auditlog.context import disable_auditlog
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_access, audit_event
from core.errors import ApplicationError
from core.study import current_study_slug
from pseudonymization.models import Participant
from rights import erasure
from rights.certificate import certificate_build, certificate_sha256
from rights.models import AccessSecret, DeletionRequest, RetentionPolicy, RightsSettings
from rights.selectors import rights_settings_get
from rights.signals import execution_requested

logger = logging.getLogger(__name__)


def _platform_user_id(acting_user: Any) -> int | None:
    """The id of the platform user who acted; None for a participant (their principal) or the platform."""
    if acting_user is None or getattr(acting_user, "participant", None) is not None:
        return None
    return int(acting_user.pk)


def _request_execution(request: DeletionRequest) -> None:
    request_id = str(request.pk)
    # After commit: the worker must see the verified request (and a rollback queues nothing).
    transaction.on_commit(lambda: execution_requested.send(sender=DeletionRequest, request_id=request_id))


@transaction.atomic
def deletion_request_file(
    *, participant: Participant, source: str, acting_user: Any = None
) -> tuple[DeletionRequest, bool]:
    """File a request for ``participant``, or return the open one (idempotent). Returns (request, created).

    ``acting_user``: the manager filing it (recorded as ``requested_by_user_id``), the participant's
    principal, or None (the platform, e.g. an erase-on-withdrawal protocol).

    With the study's ``auto_execute``, a request from the participant themselves (or from an
    erase-on-withdrawal protocol) is verified at once and its execution queued.
    """
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status == Participant.Status.ERASED:
        raise ApplicationError("already_erased", "This participant's data was already erased.", status_code=409)
    existing = DeletionRequest.objects.filter(participant=participant, status__in=DeletionRequest.OPEN_STATUSES).first()
    if existing is not None:
        return existing, False
    settings_row = rights_settings_get()
    now = timezone.now()
    try:
        with transaction.atomic():
            request = DeletionRequest.objects.create(
                participant=participant,
                source=source,
                requested_by_user_id=_platform_user_id(acting_user),
                received_at=now,
                due_at=now + timedelta(days=settings_row.due_days),
            )
    except IntegrityError:
        # A concurrent request won the unique constraint: return that one.
        return DeletionRequest.objects.get(participant=participant, status__in=DeletionRequest.OPEN_STATUSES), False
    audit_event(
        action="rights.deletion.create",
        obj=request,
        actor=acting_user,
        details={"request_id": str(request.pk), "participant_code": participant.participant_code, "source": source},
    )
    automatic = source == DeletionRequest.Source.WITHDRAWAL or (
        source == DeletionRequest.Source.PARTICIPANT and settings_row.auto_execute
    )
    if automatic:
        request = _verify(request=request, user_id=None, acting_user=acting_user, automatic=True)
        _request_execution(request)
    return request, True


def _locked_open(request: DeletionRequest) -> DeletionRequest:
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ApplicationError(
            "not_open",
            f"This request is already {request.status}.",
            details={"status": request.status},
            status_code=409,
        )
    return request


def _verify(*, request: DeletionRequest, user_id: int | None, acting_user: Any, automatic: bool) -> DeletionRequest:
    request.status = DeletionRequest.Status.VERIFIED
    request.verified_at = timezone.now()
    request.verified_by_user_id = user_id
    request.save(update_fields=["status", "verified_at", "verified_by_user_id"])
    audit_event(
        action="rights.deletion.verify",
        obj=request,
        actor=acting_user,
        details={"request_id": str(request.pk), "automatic": automatic},
    )
    return request


@transaction.atomic
def deletion_request_verify(*, request: DeletionRequest, acting_user: Any) -> DeletionRequest:
    """A manager confirms the request is genuine (e.g. the participant code matches who asked)."""
    request = _locked_open(request)
    if request.status == DeletionRequest.Status.VERIFIED:
        return request
    return _verify(request=request, user_id=acting_user.pk, acting_user=acting_user, automatic=False)


@transaction.atomic
def deletion_request_reject(*, request: DeletionRequest, acting_user: Any, reason: str) -> DeletionRequest:
    reason = reason.strip()
    if len(reason) < 5:
        raise ApplicationError("invalid", "The request is not valid.", details={"reason": ["Say why (5+ characters)."]})
    request = _locked_open(request)
    request.status = DeletionRequest.Status.REJECTED
    request.rejected_at = timezone.now()
    request.rejected_by_user_id = acting_user.pk
    request.rejection_reason = reason[:2000]
    request.save(update_fields=["status", "rejected_at", "rejected_by_user_id", "rejection_reason"])
    # The reason stays out of the audit payload: free text may name someone.
    audit_event(
        action="rights.deletion.reject", obj=request, actor=acting_user, details={"request_id": str(request.pk)}
    )
    return request


@transaction.atomic
def deletion_request_schedule_execution(*, request: DeletionRequest, acting_user: Any) -> DeletionRequest:
    """A manager asks for execution: a received request is verified on the way; execution is queued."""
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == DeletionRequest.Status.EXECUTED:
        return request
    request = _locked_open(request)
    if request.status == DeletionRequest.Status.RECEIVED:
        request = _verify(request=request, user_id=acting_user.pk, acting_user=acting_user, automatic=False)
    audit_event(
        action="rights.deletion.schedule", obj=request, actor=acting_user, details={"request_id": str(request.pk)}
    )
    _request_execution(request)
    return request


def _run_step(request_pk: Any, name: str, step: erasure.Step) -> DeletionRequest:
    """One step and the record that it is done, in one transaction (so a crash never half-counts)."""
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request_pk)
        if name in request.steps_done or request.status != DeletionRequest.Status.VERIFIED:
            return request
        participant = Participant.objects.select_for_update().get(pk=request.participant_id)
        # One content-free audit entry per step instead of one per erased row (which would copy
        # session ids and codes into the append-only log).
        with disable_auditlog():
            count = step(participant, request.execution_started_at)
        request.steps_done = [*request.steps_done, name]
        request.counts = {**request.counts, name: count}
        request.save(update_fields=["steps_done", "counts"])
        audit_event(
            action=f"rights.erase.{name}",
            obj=request,
            details={"request_id": str(request.pk), "step": name, "count": count},
        )
        return request


def deletion_request_execute(*, request: DeletionRequest) -> DeletionRequest:
    """Erase everything of the request's participant; resumable and idempotent.

    Steps already recorded as done are skipped, so a re-run after a crash continues; a re-run
    after completion changes nothing.
    """
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == DeletionRequest.Status.EXECUTED:
            return request
        if request.status != DeletionRequest.Status.VERIFIED:
            raise ApplicationError(
                "not_verified",
                "Only a verified request can be executed.",
                details={"status": request.status},
                status_code=409,
            )
        if request.execution_started_at is None:
            request.execution_started_at = timezone.now()
            request.save(update_fields=["execution_started_at"])
            audit_event(action="rights.deletion.start", obj=request, details={"request_id": str(request.pk)})
    for name, step in erasure.STEPS:
        request = _run_step(request.pk, name, step)
    return _finish(request)


@transaction.atomic
def _finish(request: DeletionRequest) -> DeletionRequest:
    from audit.models import AuditEntry

    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == DeletionRequest.Status.EXECUTED:
        return request
    executed_at = timezone.now()
    last = AuditEntry.objects.order_by("-seq").first()
    anchor = {"seq": last.seq, "entry_hash": last.entry_hash} if last is not None else {}
    certificate = certificate_build(
        request_id=str(request.pk),
        study=current_study_slug(),
        source=request.source,
        received_at=request.received_at.isoformat(),
        executed_at=executed_at.isoformat(),
        counts=request.counts,
        key_shredded=bool(request.counts.get("identifier_key")),
        audit_anchor=anchor,
    )
    request.status = DeletionRequest.Status.EXECUTED
    request.executed_at = executed_at
    request.certificate = certificate
    request.certificate_sha256 = certificate_sha256(certificate)
    request.save(update_fields=["status", "executed_at", "certificate", "certificate_sha256"])
    audit_event(
        action="rights.deletion.execute",
        obj=request,
        details={
            "request_id": str(request.pk),
            "counts": request.counts,
            "certificate_sha256": request.certificate_sha256,
        },
    )
    logger.info("deletion request %s executed", request.pk)  # the request id only: no participant code
    return request


# --- Access secret for /my-data/ -------------------------------------------------------------
def _secret_text() -> str:
    # 4 groups of 5 from an unambiguous alphabet: ~100 bits, easy to copy by hand.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


@transaction.atomic
def access_secret_issue(*, participant: Participant) -> str:
    """A new secret for ``participant`` (replacing any earlier one); returned once, stored only hashed."""
    secret = _secret_text()
    AccessSecret.objects.update_or_create(participant=participant, defaults={"verifier": make_password(secret)})
    audit_event(
        action="rights.access_secret.issue", obj=participant, details={"participant_code": participant.participant_code}
    )
    return secret


def access_secret_check(*, participant_code: str, secret: str) -> Participant | None:
    """The participant when code and secret match (constant work either way), else None."""
    row = (
        AccessSecret.objects.select_related("participant")
        .filter(participant__participant_code=participant_code.strip().upper())
        .first()
    )
    cleaned = secret.strip().upper()
    if row is None:
        make_password(cleaned)  # same cost as a real check: timing does not reveal which codes exist
        return None
    if not check_password(cleaned, row.verifier):
        return None
    if row.participant.status == Participant.Status.ERASED:
        return None
    return row.participant


@transaction.atomic
def rights_settings_update(*, acting_user: Any, **changes: Any) -> RightsSettings:
    """Change the study's rights settings (only RightsSettings.EDITABLE), audited with the changed names."""
    RightsSettings.refuse_unknown(changes)
    errors: dict[str, list[str]] = {}
    due = changes.get("due_days")
    if due is not None and (not isinstance(due, int) or isinstance(due, bool) or not 1 <= due <= 90):
        errors["due_days"] = ["Between 1 and 90 days."]
    if "auto_execute" in changes and not isinstance(changes["auto_execute"], bool):
        errors["auto_execute"] = ["true or false."]
    if "withdrawal_data" in changes and changes["withdrawal_data"] not in RightsSettings.WithdrawalData.values:
        errors["withdrawal_data"] = [f"One of {RightsSettings.WithdrawalData.values}."]
    if errors:
        raise ApplicationError("invalid", "The request is not valid.", details=errors)
    row, changed = RightsSettings.apply(changes)
    audit_event(action="rights.settings.update", obj=row, actor=acting_user, details={"changed": changed})
    return row


@transaction.atomic
def retention_policy_update(*, acting_user: Any, **changes: Any) -> RetentionPolicy:
    """Change the study's retention policy (only RetentionPolicy.EDITABLE); rights/retention.py enforces it.

    The audit entry names the changed fields and gives the new day counts; the note is free text and
    stays out of it.
    """
    RetentionPolicy.refuse_unknown(changes)
    errors: dict[str, list[str]] = {}
    for name in ("erase_identifiers_after_days", "erase_raw_events_after_days"):
        days = changes.get(name)
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 36500):
            errors[name] = ["Between 1 and 36500 days, or empty to keep."]
    if "note" in changes and not (isinstance(changes["note"], str) and len(changes["note"]) <= 2000):
        errors["note"] = ["Text of at most 2000 characters."]
    if errors:
        raise ApplicationError("invalid", "The request is not valid.", details=errors)
    row, changed = RetentionPolicy.apply(changes)
    days = {name: changes[name] for name in changed if name != "note"}
    audit_event(action="retention.update", obj=row, actor=acting_user, details={"changed": changed, **days})
    return row


def participant_data_read(*, participant: Participant, acting_user: Any) -> dict[str, Any]:
    """The participant's own data export; decrypting their identifier for them is audited first."""
    from pseudonymization.services import participant_external_id
    from rights.selectors import participant_data

    with transaction.atomic():
        audit_access(
            action="identifier_read" if participant.has_external_id else "data_access",
            obj=participant,
            actor=acting_user,
            reason="participant's own data export",
            details={"participant_code": participant.participant_code, "by": "participant"},
        )
        external_id = participant_external_id(participant=participant) if participant.has_external_id else None
        return participant_data(participant=participant, external_id=external_id)

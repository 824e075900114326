"""Writes of the flows app: the draft and its publication, a participant joining, a step completed."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.context import audit_actor
from audit.services import audit_event
from core.errors import ApplicationError
from flows import assignment
from flows.definition import FLOW_DEFINITION_VERSION, FlowDefinitionError, clean_definition, default_definition
from flows.models import FlowVersion, ParticipantFlow, StepCompletion
from flows.selectors import flow_version_draft, flow_version_live
from pseudonymization.models import Participant


def _refuse(exc: FlowDefinitionError) -> ApplicationError:
    return ApplicationError("invalid", "The flow is not valid.", details=exc.errors)


def _next_number() -> int:
    last = FlowVersion.objects.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def flow_live_ensure() -> FlowVersion:
    """The live version; a study that never published one gets version 1, the standard flow (the game).

    Written on first need rather than in a migration, because which kinds exist is only known
    once the apps are loaded. Two first requests at once: the unique constraint lets one win.
    """
    live = flow_version_live()
    if live is not None:
        return live
    try:
        # The platform writes it, not whoever happened to ask first (a participant's erasure would
        # otherwise blank the study's record of its own standard flow).
        with audit_actor(label="system"), transaction.atomic():
            version = FlowVersion.objects.create(
                number=_next_number(),
                status=FlowVersion.Status.PUBLISHED,
                definition=clean_definition(default_definition()),
                definition_version=FLOW_DEFINITION_VERSION,
                assignment_seed=assignment.new_seed(),
                published_at=timezone.now(),
            )
            audit_event(
                action="flow.version.publish", obj=version, details={"number": version.number, "standard": True}
            )
    except IntegrityError:
        live = flow_version_live()
        assert live is not None
        return live
    return version


@transaction.atomic
def flow_draft_save(*, acting_user: Any, definition: Any) -> FlowVersion:
    """Create or replace the one draft (validated); the live version is never edited."""
    try:
        cleaned = clean_definition(definition)
    except FlowDefinitionError as exc:
        raise _refuse(exc) from None
    draft = FlowVersion.objects.select_for_update().filter(status=FlowVersion.Status.DRAFT).first()
    created = draft is None
    if draft is None:
        draft = FlowVersion(
            number=_next_number(),
            status=FlowVersion.Status.DRAFT,
            assignment_seed=assignment.new_seed(),
            created_by_id=getattr(acting_user, "pk", None),
        )
    draft.definition = cleaned
    draft.definition_version = FLOW_DEFINITION_VERSION
    draft.save()
    audit_event(
        action="flow.draft.create" if created else "flow.draft.update",
        obj=draft,
        actor=acting_user,
        details={"number": draft.number, "steps": [s["key"] for s in cleaned["steps"]]},
    )
    return draft


def flow_draft_start(*, acting_user: Any) -> FlowVersion:
    """The draft to edit: the existing one, or a copy of the live version."""
    draft = flow_version_draft()
    if draft is not None:
        return draft
    return flow_draft_save(acting_user=acting_user, definition=flow_live_ensure().definition)


@transaction.atomic
def flow_draft_discard(*, acting_user: Any) -> None:
    draft = flow_version_draft()
    if draft is None:
        raise ApplicationError("no_draft", "There is no draft to discard.", status_code=409)
    audit_event(action="flow.draft.discard", obj=draft, actor=acting_user, details={"number": draft.number})
    draft.delete()


@transaction.atomic
def flow_draft_publish(*, acting_user: Any) -> FlowVersion:
    """Make the draft the live version. Participants already in a version keep it to the end."""
    draft = FlowVersion.objects.select_for_update().filter(status=FlowVersion.Status.DRAFT).first()
    if draft is None:
        raise ApplicationError("no_draft", "There is no draft to publish.", status_code=409)
    try:
        clean_definition(draft.definition)  # a kind may have been removed since it was saved
    except FlowDefinitionError as exc:
        raise _refuse(exc) from None
    now = timezone.now()
    FlowVersion.objects.filter(status=FlowVersion.Status.PUBLISHED).update(
        status=FlowVersion.Status.RETIRED, retired_at=now
    )
    draft.status = FlowVersion.Status.PUBLISHED
    draft.published_at = now
    draft.published_by_id = getattr(acting_user, "pk", None)
    draft.save(update_fields=["status", "published_at", "published_by_id"])
    audit_event(action="flow.version.publish", obj=draft, actor=acting_user, details={"number": draft.number})
    return draft


@transaction.atomic
def flow_join(*, participant: Participant) -> ParticipantFlow:
    """The participant's place in a flow: the one they have, else the live version with a drawn condition.

    The version row is locked while the next number of its sequence is taken, so two participants
    joining at once get consecutive numbers and the blocks stay balanced. Pilots draw from a
    sequence of their own (a second seed stream), so trying the study never uses up a slot of the
    real participants' blocks.
    """
    existing = ParticipantFlow.objects.select_related("version").filter(participant=participant).first()
    if existing is not None:
        return existing
    live = flow_live_ensure()
    version = FlowVersion.objects.select_for_update().get(pk=live.pk)
    # A second tab's first visit waited on the lock above: the first one's place is there now
    # (READ COMMITTED: this statement sees what committed while we waited).
    existing = ParticipantFlow.objects.select_related("version").filter(participant=participant).first()
    if existing is not None:
        return existing
    conditions = version.condition_keys
    drawn: dict[str, Any] = {}
    condition = ""
    if conditions:
        repeats = int(version.definition.get("assignment", {}).get("repeats", 1))
        if participant.pilot:
            number = version.pilot_assigned_count
            version.pilot_assigned_count += 1
            seed = f"{version.assignment_seed}:pilot"
        else:
            number = version.assigned_count
            version.assigned_count += 1
            seed = version.assignment_seed
        result = assignment.assign(seed, number, conditions, repeats)
        condition = result.condition
        drawn = {**result.as_dict(), "pilot": participant.pilot}
        version.save(update_fields=["assigned_count", "pilot_assigned_count"])
    flow = ParticipantFlow.objects.create(
        participant=participant, version=version, condition=condition, assignment=drawn
    )
    audit_event(
        action="flow.participant.join",
        obj=flow,
        details={"version": version.number, "condition": condition},
    )
    return flow


def step_complete(
    *, participant: Participant, session_number: int, step_key: str, kind: str, ref: str = ""
) -> StepCompletion:
    """Record a finished step once; a retry (or a second tab) gets the stored row back."""
    flow = ParticipantFlow.objects.select_related("version").get(participant=participant)
    step_keys = {s["key"]: s["kind"] for s in flow.version.definition["steps"]}
    if step_keys.get(step_key) != kind:
        raise ApplicationError("unknown_step", f"This flow has no {kind} step {step_key!r}.", status_code=409)
    completion, _created = StepCompletion.objects.get_or_create(
        participant=participant,
        session_number=session_number,
        step_key=step_key,
        defaults={"version": flow.version, "kind": kind, "ref": ref},
    )
    return completion

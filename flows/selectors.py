"""Reads of the flows app: the live and draft versions, and where a participant stands in theirs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from flows.definition import Step, step_settings, steps_of
from flows.models import FlowVersion, ParticipantFlow, StepCompletion
from pseudonymization.models import Participant


def flow_version_live() -> FlowVersion | None:
    return FlowVersion.objects.filter(status=FlowVersion.Status.PUBLISHED).first()


def flow_version_draft() -> FlowVersion | None:
    return FlowVersion.objects.filter(status=FlowVersion.Status.DRAFT).first()


def flow_versions() -> list[FlowVersion]:
    return list(FlowVersion.objects.exclude(status=FlowVersion.Status.DRAFT).order_by("-number"))


def participant_flow_get(*, participant: Participant) -> ParticipantFlow | None:
    return ParticipantFlow.objects.select_related("version").filter(participant=participant).first()


@dataclass(frozen=True)
class Position:
    """Where a participant stands: on a step, waiting for the next session, or done."""

    state: str  # "step" | "wait" | "done"
    version: FlowVersion
    condition: str
    session_number: int  # the session now due or running (the last one when done)
    sessions_count: int
    step: Step | None = None
    settings: dict[str, Any] | None = None  # the step's settings with the condition's overrides
    step_index: int = 0  # 1-based place of the step within its session
    steps_in_session: int = 0
    due_at: dt.datetime | None = None  # "wait": when the next session opens

    @property
    def condition_label(self) -> str:
        for c in self.version.definition.get("conditions", []):
            if c["key"] == self.condition:
                return str(c["label"])
        return ""


def position_of(flow: ParticipantFlow, *, now: dt.datetime | None = None) -> Position:
    """The first unfinished step of the first unfinished session, honouring the gap between sessions."""
    now = now or timezone.now()
    version = flow.version
    definition = version.definition
    count = int(definition["sessions"]["count"])
    gap = dt.timedelta(hours=int(definition["sessions"]["min_gap_hours"]))
    done: dict[int, dict[str, dt.datetime]] = {}
    for number, key, at in StepCompletion.objects.filter(participant_id=flow.participant_id).values_list(
        "session_number", "step_key", "completed_at"
    ):
        done.setdefault(number, {})[key] = at
    steps = steps_of(definition)
    previous_end: dt.datetime | None = None
    for number in range(1, count + 1):
        session_steps = [s for s in steps if s.in_session(number)]
        finished = done.get(number, {})
        pending = [s for s in session_steps if s.key not in finished]
        if pending:
            started = bool(finished)
            if previous_end is not None and not started and now < previous_end + gap:
                return Position("wait", version, flow.condition, number, count, due_at=previous_end + gap)
            step = pending[0]
            return Position(
                "step",
                version,
                flow.condition,
                number,
                count,
                step=step,
                settings=step_settings(definition, step.key, flow.condition),
                step_index=session_steps.index(step) + 1,
                steps_in_session=len(session_steps),
            )
        previous_end = max(finished.values()) if finished else previous_end
    return Position("done", version, flow.condition, count, count)


def completions_of(*, participant: Participant) -> list[StepCompletion]:
    return list(StepCompletion.objects.filter(participant=participant).select_related("version"))


def condition_counts(*, include_pilots: bool = False) -> list[dict[str, Any]]:
    """Participants per flow version and condition (the dashboard's design panel)."""
    rows = ParticipantFlow.objects.all()
    if not include_pilots:
        rows = rows.filter(participant__pilot=False)
    return list(rows.values("version__number", "condition").annotate(n=Count("id")).order_by("version__number"))

"""Rows for the design, reliability and validity panels, written directly (in the current study schema).

A two-session flow with two conditions; per participant a ParticipantFlow, a processed GameSession
of each study session with its SessionMetrics and TraitProfile, and a submitted response of a
shipped questionnaire scored by questionnaires.scoring. The numbers are a fixed function of the
participant's index, so a test can recompute the statistics on the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

QUESTIONNAIRE = "ipip-neo-cautiousness"
CONDITIONS = [
    {"key": "low", "label": "Low reward", "overrides": {}},
    {"key": "high", "label": "High reward", "overrides": {}},
]


@dataclass
class Built:
    participants: list[Any] = field(default_factory=list)
    # {participant code: {flow_session: {"adjusted_pumps", "explosions", dimension keys...}}}
    values: dict[str, dict[int, dict[str, float]]] = field(default_factory=dict)
    scales: dict[str, float] = field(default_factory=dict)  # {participant code: cautiousness score}


def design_flow() -> Any:
    from flows.models import FlowVersion
    from flows.services import flow_draft_publish, flow_draft_save

    live = FlowVersion.objects.filter(status=FlowVersion.Status.PUBLISHED).first()
    if live is not None and live.definition["sessions"]["count"] == 2 and live.definition["conditions"]:
        return live
    flow_draft_save(
        acting_user=None,
        definition={
            "steps": [{"key": "game", "kind": "game", "settings": {}}],
            "conditions": CONDITIONS,
            "sessions": {"count": 2, "min_gap_hours": 0},
        },
    )
    return flow_draft_publish(acting_user=None)


def numbers(i: int, session: int) -> dict[str, float]:
    """Deterministic, not perfectly agreeing values for participant ``i`` in ``session``."""
    wobble = ((i * 7 + session * 3) % 5 - 2) * 0.6
    return {
        "adjusted_pumps": 20.0 + 3.0 * i + wobble,
        "explosions": float(4 + i % 5 + (session + i) % 3),
        "risk_tolerance": 25.0 + 2.5 * i + wobble * 1.5,
        "reaction_to_loss": -1.0 + 0.3 * ((i * 5) % 7) + 0.2 * session + 0.1 * wobble * (i % 2),
        "decision_pace": -2.6 + 0.05 * i - 0.03 * session + 0.02 * wobble * ((i + 1) % 3),
        "consistency": -0.6 + 0.04 * ((i * 3) % 8) + 0.01 * wobble,
        "learning": 0.5 * ((i + session) % 4) - 0.7,
    }


def _answers(definition: dict[str, Any], i: int) -> dict[str, Any]:
    return {item["key"]: 1 + (i + n * (i % 3 + 1)) % 5 for n, item in enumerate(definition["items"])}


def add_participant(
    participant: Any, version: Any, i: int, *, sessions: tuple[int, ...] = (1, 2), questionnaire: Any = None
) -> dict[int, dict[str, float]]:
    """Everything one participant contributes; returns their numbers by study session."""
    from django.utils import timezone

    from flows.models import ParticipantFlow, StepCompletion
    from games.models import GameSession
    from questionnaires.models import QuestionnaireResponse
    from questionnaires.scoring import SCORING_VERSION, score
    from traits.mapping import DIMENSIONS, TRAITS_VERSION
    from traits.metrics import METRICS_VERSION
    from traits.models import SessionMetrics, TraitProfile

    condition = CONDITIONS[i % 2]["key"]
    ParticipantFlow.objects.create(
        participant=participant,
        version=version,
        condition=condition,
        assignment={"condition": condition, "number": i, "block": i // 2, "position": i % 2, "algorithm": "test"},
    )
    out: dict[int, dict[str, float]] = {}
    for s in sessions:
        values = numbers(i, s)
        out[s] = values
        game = GameSession.objects.create(
            participant=participant,
            status=GameSession.Status.PROCESSED,
            seed=f"design-{i}-{s}",
            config={},
            schedule=[],
            completed_at=timezone.now(),
            processed_at=timezone.now(),
            flow_version=version.number,
            flow_session=s,
            flow_step="game",
            condition=condition,
        )
        overall = {"adjusted_pumps": values["adjusted_pumps"], "explosions": values["explosions"]}
        SessionMetrics.objects.create(
            session_id=game.pk,
            participant=participant,
            metrics_version=METRICS_VERSION,
            event_schema="bart-events/1",
            input_hash="0" * 64,
            values={"overall": overall},
        )
        dims = [
            {
                **{"key": d.key, "label": d.label, "low_pole": d.low_pole, "high_pole": d.high_pole},
                **{"indicator": d.indicator, "zero": d.zero, "status": "ok", "value": values[d.key], "z": None},
                "norm": {"basis": "placeholder"},
            }
            for d in DIMENSIONS
        ]
        TraitProfile.objects.create(
            session_id=game.pk,
            participant=participant,
            traits_version=TRAITS_VERSION,
            metrics_version=METRICS_VERSION,
            model_versions={},
            event_schema="bart-events/1",
            input_hash="0" * 64,
            status="ok",
            dimensions=dims,
        )
        StepCompletion.objects.create(
            participant=participant, version=version, session_number=s, step_key="game", kind="game", ref=str(game.pk)
        )
    if questionnaire is not None:
        result = score(questionnaire.definition, _answers(questionnaire.definition, i))
        QuestionnaireResponse.objects.create(
            participant=participant,
            questionnaire=questionnaire,
            status=QuestionnaireResponse.Status.SUBMITTED,
            flow_version=version.number,
            flow_session=1,
            flow_step="questionnaire",
            condition=condition,
            event_schema="questionnaire-events/1",
            answers=_answers(questionnaire.definition, i),
            scores=result.as_dict(),
            scoring_version=SCORING_VERSION,
            submitted_at=timezone.now(),
        )
    return out


def build(participants: list[Any], *, start: int = 0, one_session: int = 0) -> Built:
    """The flow, and ``participants`` (the last ``one_session`` of them played study session 1 only)."""
    from questionnaires.services import questionnaire_import_shipped

    version = design_flow()
    questionnaire = questionnaire_import_shipped(acting_user=None, key=QUESTIONNAIRE)
    built = Built()
    for offset, participant in enumerate(participants):
        i = start + offset
        sessions = (1,) if offset >= len(participants) - one_session else (1, 2)
        code = participant.participant_code
        built.values[code] = add_participant(participant, version, i, sessions=sessions, questionnaire=questionnaire)
        response = participant.questionnaire_responses.get()
        built.scales[code] = response.scores["scales"]["cautiousness"]["score"]
        built.participants.append(participant)
    return built

"""Demo data for the dashboard's design panels (`make run`): a two-session flow with two conditions,
a return session for every simulated player, more players, and their questionnaire responses.

Runs after games.seed (dashboard comes after games and traits in INSTALLED_APPS), and only where it
left simulated players: the players are put into the flow (their first game becomes study session
1), each plays session 2 through the real game services (processed by the pipeline as any session),
and answers the two shipped IPIP-NEO scales, scored by questionnaires.scoring. Running it again adds
nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

QUESTIONNAIRES = ("ipip-neo-cautiousness", "ipip-neo-excitement-seeking")
DEMO_FLOW: dict[str, Any] = {
    "steps": [
        {"key": "game", "kind": "game", "title": "Balloon game", "settings": {}},
        *(
            {
                "key": key.removeprefix("ipip-neo-"),
                "kind": "questionnaire",
                "sessions": [1],
                "settings": {"questionnaire": key},
            }
            for key in QUESTIONNAIRES
        ),
    ],
    "conditions": [
        {"key": "standard", "label": "Standard reward", "overrides": {}},
        {"key": "low", "label": "Low reward", "overrides": {"game": {"reward_per_pump": 0.02}}},
    ],
    "sessions": {"count": 2, "min_gap_hours": 0},
}
EXTRA_PLAYERS = (  # (phi, eta, gamma, tau), beside games.seed.DEMO_PLAYERS
    (0.91, 0.08, 0.6, 1.2),
    (0.93, 0.04, 1.1, 1.0),
    (0.96, 0.06, 1.7, 1.6),
    (0.98, 0.03, 2.4, 1.8),
)


def _play(participant: Any, policy: Any, seed: str, step: Any = None) -> Any:
    from games.services import session_complete, session_ingest_events, session_start
    from games.simulate import batches, simulate_session

    session, _ = session_start(participant=participant, step=step)
    sim = simulate_session(
        session.schedule, policy, seed=seed, reward_per_pump=float(session.config["reward_per_pump"])
    )
    for batch in batches(sim.events, 50):
        session_ingest_events(session=session, events=batch, sent_at=None)
    return session_complete(session=session)


def _answers(definition: dict[str, Any], level: float, number: int) -> dict[str, int]:
    """Likert answers around ``level`` (1-5 before keying), reverse-keyed items mirrored."""
    answers = {}
    for index, item in enumerate(definition["items"]):
        if item.get("type") != "likert":
            continue
        value = round(level + ((index * 7 + number) % 3 - 1) * 0.6)
        value = min(5, max(1, value))
        answers[item["key"]] = 6 - value if item.get("reverse") else value
    return answers


def _respond(participant: Any, flow: Any, questionnaire: Any, step_key: str, level: float, number: int) -> None:
    from flows.services import step_complete
    from questionnaires.models import QuestionnaireResponse
    from questionnaires.scoring import SCORING_VERSION, score

    answers = _answers(questionnaire.definition, level, number)
    response = QuestionnaireResponse.objects.create(
        participant=participant,
        questionnaire=questionnaire,
        status=QuestionnaireResponse.Status.SUBMITTED,
        flow_version=flow.version.number,
        flow_session=1,
        flow_step=step_key,
        condition=flow.condition,
        event_schema="questionnaire-events/1",
        answers=answers,
        scores=score(questionnaire.definition, answers).as_dict(),
        scoring_version=SCORING_VERSION,
        submitted_at=timezone.now(),
    )
    step_complete(
        participant=participant, session_number=1, step_key=step_key, kind="questionnaire", ref=str(response.pk)
    )


def seed_study_demo(*, study: Any, users: dict[str, Any]) -> list[str]:
    from consent.models import ConsentRecord
    from consent.selectors import consent_document_current
    from consent.services import consent_give
    from flows.definition import step_settings
    from flows.models import FlowVersion
    from flows.services import flow_draft_publish, flow_draft_save, flow_join, step_complete
    from games.flow_step import FlowGameStep
    from games.models import GameSession
    from games.seed import DEMO_PLAYERS
    from games.simulate import Par4Policy
    from questionnaires.services import questionnaire_import_shipped

    with tenant_context(study):
        players = list(
            GameSession.objects.filter(flow_session__isnull=True).order_by("started_at").select_related("participant")
        )
        document = consent_document_current()
        if not players or document is None or FlowVersion.objects.filter(definition__sessions__count=2).exists():
            return []
        questionnaires = {key: questionnaire_import_shipped(acting_user=None, key=key) for key in QUESTIONNAIRES}
        flow_draft_save(acting_user=users.get("researcher"), definition=DEMO_FLOW)
        version = flow_draft_publish(acting_user=users.get("researcher"))
        people = [(s.participant, s) for s in players]
        for _ in EXTRA_PLAYERS:
            given = consent_give(version=document.version, sha256=document.sha256, method=ConsentRecord.Method.API)
            people.append((given.participant, None))
        params = list(DEMO_PLAYERS) + list(EXTRA_PLAYERS)
        for number, ((participant, first), (phi, eta, gamma, tau)) in enumerate(zip(people, params, strict=False)):
            flow = flow_join(participant=participant)
            policy = Par4Policy(phi=phi, eta=eta, gamma=gamma, tau=tau)

            def step(session_number: int, flow: Any = flow) -> FlowGameStep:
                settings = step_settings(version.definition, "game", flow.condition)
                return FlowGameStep(
                    version.number, session_number, "game", flow.condition, settings, session_number == 2
                )

            if first is None:
                first = _play(participant, policy, f"demo-design-{number}-1", step(1))
            else:  # games.seed's session, played before the flow existed: it is study session 1's game
                GameSession.objects.filter(pk=first.pk).update(
                    flow_version=version.number, flow_session=1, flow_step="game", condition=flow.condition
                )
                step_complete(
                    participant=participant, session_number=1, step_key="game", kind="game", ref=str(first.pk)
                )
            # Risk-seeking agents (higher gamma) report less cautiousness and more excitement seeking.
            level = 1.5 + gamma
            _respond(participant, flow, questionnaires[QUESTIONNAIRES[0]], "cautiousness", 6.0 - level, number)
            _respond(participant, flow, questionnaires[QUESTIONNAIRES[1]], "excitement-seeking", level, number)
            _play(participant, policy, f"demo-design-{number}-2", step(2))
    return [
        f"Published a two-session flow with two conditions; {len(people)} simulated participants played both "
        "sessions and answered two questionnaires (the dashboard's design, reliability and validity panels)."
    ]

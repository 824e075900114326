"""The flow a participant walks: joining, the runner's redirects, information pages, versions kept mid-flow."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tenants.utils import tenant_context

from core.errors import ApplicationError
from flows.models import FlowVersion, ParticipantFlow, StepCompletion
from flows.selectors import position_of
from flows.services import flow_draft_publish, flow_draft_save, flow_draft_start, flow_join, flow_live_ensure
from pseudonymization.authentication import COOKIE_NAME
from tests.flows.support import page, publish_flow
from tests.games.support import enrol_gamer as _enrol_gamer


def enrol_gamer(study):
    """A participant whose client holds the participant cookie, as the browser after consent does."""
    gamer = _enrol_gamer(study)
    gamer.client.cookies[COOKIE_NAME] = gamer.token
    return gamer


def test_a_study_that_never_designed_a_flow_runs_the_game_after_consent(alpha):
    gamer = enrol_gamer(alpha)
    response = gamer.get("/flow/")
    assert response.status_code == 302 and response["Location"] == "/play/"
    with tenant_context(alpha):
        live = FlowVersion.objects.get(status="published")
        assert live.number == 1 and [s["kind"] for s in live.definition["steps"]] == ["game"]


def test_pages_lead_through_the_flow_in_order_and_each_completion_is_stored_once(alpha):
    publish_flow(alpha, {"steps": [page("intro", "Welcome.\n\nRead this."), {"key": "game", "kind": "game"}]})
    gamer = enrol_gamer(alpha)
    assert gamer.get("/flow/")["Location"] == "/flow/page/"
    shown = gamer.get("/flow/page/")
    assert shown.status_code == 200 and b"Welcome." in shown.content and b"Step 1 of 2" in shown.content
    assert gamer.get("/play/")["Location"] == "/flow/"  # not the game's turn yet
    assert gamer.client.post("/flow/page/").status_code == 303
    assert gamer.get("/flow/")["Location"] == "/play/"
    assert gamer.get("/flow/page/")["Location"] == "/flow/"  # the page is done: a second POST records nothing
    with tenant_context(alpha):
        assert StepCompletion.objects.filter(step_key="intro").count() == 1


def test_a_participant_mid_flow_keeps_their_version_when_a_new_one_is_published(alpha):
    publish_flow(alpha, {"steps": [page("intro"), page("outro")]})
    gamer = enrol_gamer(alpha)
    gamer.get("/flow/")
    gamer.client.post("/flow/page/")
    v3 = publish_flow(alpha, {"steps": [page("other", "The new design.")]})
    late = enrol_gamer(alpha)
    late.get("/flow/")
    assert b"The new design." in late.get("/flow/page/").content
    mid = gamer.get("/flow/page/")
    assert b"Outro" in mid.content and b"The new design." not in mid.content
    with tenant_context(alpha):
        kept = ParticipantFlow.objects.get(participant__participant_code=gamer.code)
        assert kept.version.number == 1 and kept.version.status == "retired"
        assert ParticipantFlow.objects.get(participant__participant_code=late.code).version == v3
        assert set(StepCompletion.objects.values_list("version__number", flat=True)) == {1}


def test_editing_the_live_flow_makes_a_draft_and_publishing_it_a_new_version(alpha):
    with tenant_context(alpha):
        live = flow_live_ensure()
        draft = flow_draft_start(acting_user=None)
        assert draft.status == "draft" and draft.number == live.number + 1
        assert draft.definition == live.definition
        flow_draft_save(acting_user=None, definition={"steps": [page("intro")]})
        live.refresh_from_db()
        assert [s["kind"] for s in live.definition["steps"]] == ["game"]  # the live version is untouched
        published = flow_draft_publish(acting_user=None)
        live.refresh_from_db()
        assert published.status == "published" and live.status == "retired"
        with pytest.raises(ApplicationError) as refused:
            flow_draft_publish(acting_user=None)
        assert refused.value.code == "no_draft"


def test_invalid_flows_are_refused_with_each_problem_named(alpha):
    with tenant_context(alpha):
        with pytest.raises(ApplicationError) as refused:
            flow_draft_save(
                acting_user=None,
                definition={
                    "steps": [
                        {"key": "Bad Key", "kind": "page", "settings": {"body": ""}},
                        {"key": "x", "kind": "no-such-kind"},
                        {"key": "g1", "kind": "game"},
                        {"key": "g2", "kind": "game"},
                    ],
                    "conditions": [{"key": "only", "overrides": {"g1": {"currency": "EUR"}}}],
                    "sessions": {"count": 0},
                },
            )
    details = refused.value.details or {}
    assert "steps.0.key" in details and "steps.0.settings.body" in details
    assert "steps.1.kind" in details and "No step kind" in details["steps.1.kind"][0]
    assert "sessions.count" in details
    assert any("at least two conditions" in m for m in details["conditions"])
    assert "conditions.0.overrides.g1" in details  # currency is the study's protocol, not a condition's


def test_conditions_are_drawn_in_balanced_blocks_and_pilots_use_their_own_sequence(alpha):
    publish_flow(
        alpha,
        {
            "steps": [{"key": "game", "kind": "game"}],
            "conditions": [
                {"key": "low", "label": "Low reward", "overrides": {"game": {"reward_per_pump": 0.01}}},
                {"key": "high", "label": "High reward", "overrides": {"game": {"reward_per_pump": 0.10}}},
            ],
        },
    )
    from pseudonymization.services import participant_enrol

    with tenant_context(alpha):
        pilots = [flow_join(participant=participant_enrol(pilot=True)) for _ in range(3)]
        joined = [flow_join(participant=participant_enrol()) for _ in range(10)]
        for pair in range(5):
            block = joined[2 * pair : 2 * pair + 2]
            assert sorted(f.condition for f in block) == ["high", "low"]
            assert {f.assignment["block"] for f in block} == {pair}
        version = joined[0].version
        version.refresh_from_db()
        assert version.assigned_count == 10 and version.pilot_assigned_count == 3
        assert all(p.assignment["pilot"] for p in pilots)
        position = position_of(joined[0])
        assert position.settings["reward_per_pump"] == {"low": 0.01, "high": 0.10}[joined[0].condition]


def test_a_second_session_opens_after_the_gap(alpha):
    publish_flow(alpha, {"steps": [page("visit")], "sessions": {"count": 2, "min_gap_hours": 24}})
    gamer = enrol_gamer(alpha)
    gamer.get("/flow/")
    gamer.client.post("/flow/page/")
    waiting = gamer.get("/flow/")
    assert waiting.status_code == 200 and b"Session 2 opens on" in waiting.content
    with tenant_context(alpha):
        flow = ParticipantFlow.objects.get(participant__participant_code=gamer.code)
        later = position_of(flow, now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=25))
        assert later.state == "step" and later.session_number == 2 and later.step.key == "visit"
        StepCompletion.objects.filter(participant=flow.participant).update(
            completed_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
        )
    assert gamer.get("/flow/")["Location"] == "/flow/page/"
    assert b"Session 2 of 2" in gamer.get("/flow/page/").content
    gamer.client.post("/flow/page/")
    done = gamer.get("/flow/")
    assert b"You have finished the study" in done.content and b"All 2 sessions are done" in done.content

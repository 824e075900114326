"""The flow builder (/manage/flow/) through the Django test client: who may use it, the draft built
step by step through its forms (add, edit, move, remove), conditions with overrides, sessions, the
service's validation errors shown next to the field with what was typed kept, publishing, previews."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from flows.models import FlowVersion
from flows.selectors import flow_version_draft, flow_version_live
from tenants.models import Study

SCALE = "ipip-neo-cautiousness"


def login(user: Any) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    if user is not None:
        client.force_login(user)
    return client


def draft_definition(study: Study) -> dict[str, Any]:
    with tenant_context(study):
        draft = flow_version_draft()
        assert draft is not None
        return draft.definition


@pytest.fixture
def manager(cast: dict) -> Client:
    client = login(cast["manager"])
    assert client.post("/manage/flow/edit/").status_code == 302
    return client


def add_step(client: Client, kind: str, **fields: str) -> Any:
    return client.post("/manage/flow/steps/new/", {"kind": kind, **fields})


@pytest.mark.parametrize(
    "page",
    ["/manage/flow/", "/manage/flow/steps/new/", "/manage/flow/conditions/", "/manage/flow/preview/game/"],
)
@pytest.mark.parametrize(
    ("actor", "status"), [("analyst", 403), ("viewer", 403), ("compliance", 403), ("outsider", 404)]
)
def test_only_a_role_with_change_settings_reaches_the_builder(cast, page, actor, status):
    assert login(cast[actor]).get(page).status_code == status
    assert login(cast[actor]).post("/manage/flow/edit/").status_code == status


def test_the_builder_shows_the_live_flow_and_the_nav_link(cast, alpha):
    response = login(cast["manager"]).get("/manage/flow/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Live: version 1" in text and "Balloon game" in text and ">Flow</a>" in text
    assert "Edit the flow" in text and "Draft:" not in text


def test_edit_makes_a_draft_that_copies_the_live_version(manager, alpha):
    with tenant_context(alpha):
        live = flow_version_live()
        assert live is not None
        assert draft_definition(alpha) == live.definition
    text = manager.get("/manage/flow/").content.decode()
    assert "Draft: version 2" in text and "Write or import questionnaires" in text


def test_a_manager_adds_edits_moves_and_removes_steps(manager, alpha):
    response = add_step(manager, "page", title="Welcome", s_body="Hello.\n\nThanks for coming.", s_button_label="")
    assert response.status_code == 302, response.content.decode()
    assert add_step(manager, "questionnaire", title="About you", s_questionnaire=SCALE).status_code == 302
    steps = draft_definition(alpha)["steps"]
    assert [s["key"] for s in steps] == ["game", "welcome", "about_you"]
    assert steps[1]["settings"] == {"body": "Hello.\n\nThanks for coming.", "button_label": "Continue"}
    assert steps[2]["settings"]["questionnaire"] == f"{SCALE}@1"  # the shipped scale imported and pinned

    # The edit form comes filled; the game's colours are lines, stored as a list.
    form = manager.get("/manage/flow/steps/game/")
    assert form.status_code == 200 and "Reward per pump" in form.content.decode()
    response = manager.post(
        "/manage/flow/steps/game/",
        {"title": "Balloons", "s_reward_per_pump": "0.02", "s_colors": "blue 64\norange 16", "s_variant": ""},
    )
    assert response.status_code == 302
    game = draft_definition(alpha)["steps"][0]
    assert game["title"] == "Balloons"
    assert game["settings"] == {
        "reward_per_pump": 0.02,
        "colors": [{"color": "blue", "max_pumps": 64}, {"color": "orange", "max_pumps": 16}],
    }
    assert "blue 64\norange 16" in manager.get("/manage/flow/steps/game/").content.decode()

    assert manager.post("/manage/flow/steps/game/move/", {"action": "down"}).status_code == 302
    assert manager.post("/manage/flow/steps/about_you/move/", {"action": "up"}).status_code == 302
    assert [s["key"] for s in draft_definition(alpha)["steps"]] == ["welcome", "about_you", "game"]
    assert manager.post("/manage/flow/steps/welcome/move/", {"action": "up"}).status_code == 400
    assert manager.post("/manage/flow/steps/welcome/move/", {"action": "sideways"}).status_code == 400
    assert manager.post("/manage/flow/steps/welcome/move/", {"action": "remove"}).status_code == 302
    assert [s["key"] for s in draft_definition(alpha)["steps"]] == ["about_you", "game"]


def test_unknown_steps_and_kinds_are_refused(manager):
    assert manager.get("/manage/flow/steps/nope/").status_code == 404
    assert manager.post("/manage/flow/steps/nope/move/", {"action": "up"}).status_code == 404
    assert manager.get("/manage/flow/steps/new/?kind=telepathy").status_code == 400
    assert manager.post("/manage/flow/steps/new/", {"kind": "telepathy"}).status_code == 400
    chooser = manager.get("/manage/flow/steps/new/").content.decode()
    assert "Information page" in chooser and "Questionnaire" in chooser and "Balloon game" in chooser


def test_the_service_errors_land_next_to_the_field_and_nothing_typed_is_lost(manager, alpha):
    response = add_step(manager, "page", title="Debrief", s_body="   ", s_button_label="Finish now")
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="id_s_body_error">A page needs some text.' in text
    assert 'value="Finish now"' in text and 'value="Debrief"' in text
    assert [s["key"] for s in draft_definition(alpha)["steps"]] == ["game"]  # nothing saved

    # The game kind refuses a zero colour list entry; the form's own check speaks first.
    response = manager.post("/manage/flow/steps/game/", {"title": "", "s_colors": "blue lots"})
    assert response.status_code == 400
    assert "Cannot read &#x27;blue lots&#x27;" in response.content.decode()
    response = manager.post("/manage/flow/steps/game/", {"title": "", "s_balloons_per_color": "0"})
    assert response.status_code == 400
    assert 'id="id_s_balloons_per_color_error"' in response.content.decode()

    # A second game in the one session: the flow-level error is shown above the form.
    response = add_step(manager, "game", title="Again")
    assert response.status_code == 400
    assert "at most 1" in response.content.decode()

    # Removing the only step: the overview says why, with status 400.
    response = manager.post("/manage/flow/steps/game/move/", {"action": "remove"})
    assert response.status_code == 400 and "A flow has at least one step." in response.content.decode()


def test_conditions_with_overrides(manager, alpha):
    assert add_step(manager, "page", title="Debrief", s_body="Thank you.").status_code == 302
    page = manager.get("/manage/flow/conditions/").content.decode()
    assert page.count("New condition") == 2  # the first two are added together

    # One condition alone is refused by the service, and the label typed stays.
    response = manager.post(
        "/manage/flow/conditions/", {"c0-label": "Low reward", "c0-o_game__reward_per_pump": "0.01"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "at least two conditions" in text and 'value="Low reward"' in text

    data = {
        "c0-label": "Low reward",
        "c0-o_game__reward_per_pump": "0.01",
        "c1-label": "High reward",
        "c1-o_game__reward_per_pump": "0.10",
        "c1-o_debrief__body": "Thank you, high.",
    }
    assert manager.post("/manage/flow/conditions/", data).status_code == 302
    conditions = draft_definition(alpha)["conditions"]
    assert conditions == [
        {"key": "low_reward", "label": "Low reward", "overrides": {"game": {"reward_per_pump": 0.01}}},
        {
            "key": "high_reward",
            "label": "High reward",
            "overrides": {"game": {"reward_per_pump": 0.1}, "debrief": {"body": "Thank you, high."}},
        },
    ]
    overview = manager.get("/manage/flow/").content.decode()
    assert "Low reward" in overview and "Reward per pump: 0.01" in overview
    assert "condition=high_reward" in overview

    # An override the kind refuses lands next to its field, in its condition.
    bad = {
        "c0-label": "Low reward",
        "c0-key": "low_reward",
        "c0-o_game__reward_per_pump": "-1",
        "c1-label": "High reward",
        "c1-key": "high_reward",
    }
    response = manager.post("/manage/flow/conditions/", bad)
    assert response.status_code == 400
    assert 'id="id_c0-o_game__reward_per_pump_error"' in response.content.decode()

    # Edit: the existing ones come filled; removing one leaves one: refused; removing both: none.
    assert 'value="0.01"' in manager.get("/manage/flow/conditions/").content.decode()
    both = {"c0-key": "low_reward", "c0-label": "Low", "c0-remove": "on", "c1-key": "high_reward", "c1-label": "H"}
    assert manager.post("/manage/flow/conditions/", both).status_code == 400
    both["c1-remove"] = "on"
    assert manager.post("/manage/flow/conditions/", both).status_code == 302
    assert draft_definition(alpha)["conditions"] == []


def test_sessions_and_assignment(manager, alpha):
    data = {"count": "2", "gap_days": "1", "gap_hours": "12", "repeats": "2"}
    assert manager.post("/manage/flow/sessions/", data).status_code == 302
    definition = draft_definition(alpha)
    assert definition["sessions"] == {"count": 2, "min_gap_hours": 36}
    assert definition["assignment"] == {"repeats": 2}
    assert "2 sessions, at least 1 day 12 hours apart" in manager.get("/manage/flow/").content.decode()
    # The step form now asks which sessions a step appears in.
    assert manager.post("/manage/flow/steps/game/", {"title": "Game", "sessions": ["2"]}).status_code == 400
    assert (
        "Session 1 has no step."
        in manager.post("/manage/flow/steps/game/", {"title": "Game", "sessions": ["2"]}).content.decode()
    )
    response = manager.post(
        "/manage/flow/sessions/", {"count": "11", "gap_days": "0", "gap_hours": "0", "repeats": "1"}
    )
    assert response.status_code == 400


def test_publish_asks_first_then_makes_a_new_version(manager, alpha):
    assert add_step(manager, "page", title="Debrief", s_body="Thank you.").status_code == 302
    confirm = manager.get("/manage/flow/publish/").content.decode()
    assert "Publish version 2" in confirm and "keep it to the end" in confirm
    response = manager.post("/manage/flow/publish/")
    assert response.status_code == 302
    with tenant_context(alpha):
        live = flow_version_live()
        assert live is not None and live.number == 2
        assert [s["key"] for s in live.definition["steps"]] == ["game", "debrief"]
        assert flow_version_draft() is None
        assert FlowVersion.objects.get(number=1).status == FlowVersion.Status.RETIRED
    text = manager.get("/manage/flow/").content.decode()
    assert "Live: version 2" in text and "Retired" in text
    assert manager.post("/manage/flow/publish/").status_code == 302  # nothing to publish: a message
    assert manager.get("/manage/flow/steps/new/").status_code == 302  # no draft: back to the overview


def test_discard_drops_the_draft(manager, alpha):
    assert manager.post("/manage/flow/discard/").status_code == 302
    with tenant_context(alpha):
        assert flow_version_draft() is None
        assert flow_version_live() is not None


def test_a_preview_of_each_kind_renders(manager, alpha):
    assert add_step(manager, "page", title="Consent info", s_body="Read this first.").status_code == 302
    assert add_step(manager, "questionnaire", title="About you", s_questionnaire=SCALE).status_code == 302
    data = {
        "c0-label": "Low",
        "c0-o_game__reward_per_pump": "0.01",
        "c1-label": "High",
        "c1-o_game__reward_per_pump": "0.5",
    }
    assert manager.post("/manage/flow/conditions/", data).status_code == 302

    page = manager.get("/manage/flow/preview/consent_info/?version=draft")
    assert (
        page.status_code == 200 and "Read this first." in page.content.decode() and "Preview" in page.content.decode()
    )
    questionnaire = manager.get("/manage/flow/preview/about_you/?version=draft")
    assert questionnaire.status_code == 200 and "About you" in questionnaire.content.decode()
    low = manager.get("/manage/flow/preview/game/?version=draft&condition=low")
    high = manager.get("/manage/flow/preview/game/?version=draft&condition=high")
    assert low.status_code == high.status_code == 200
    assert '"reward_per_pump": 0.01' in low.content.decode() and '"reward_per_pump": 0.5' in high.content.decode()
    assert manager.get("/manage/flow/preview/game/?version=live").status_code == 200

    assert manager.get("/manage/flow/preview/nope/?version=draft").status_code == 404
    assert manager.get("/manage/flow/preview/game/?version=old").status_code == 400
    assert manager.get("/manage/flow/preview/game/?version=draft&condition=nope").status_code == 400
    with tenant_context(alpha):
        assert not FlowVersion.objects.get(number=2).participants.exists()  # previews store nothing

"""The demo seed (`make run`) in a real study schema: its simulated sessions get their metrics and trait
profiles, although the whole seed is one transaction opened in public.

Django runs on_commit callbacks when that outer transaction commits, when the connection is back in
public; the completion callback must still queue the pipeline in the study's schema.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django_tenants.utils import tenant_context

from tenants import seed as seed_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded_alpha(alpha, monkeypatch, tmp_path, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """The seed run against alpha (a cloned study schema) instead of creating `demo`, committed as
    `make run` commits it: the captured callbacks run after the seed's outer transaction ends."""
    monkeypatch.setattr(seed_module, "DEMO_SLUG", alpha.slug)
    with override_settings(BASE_DIR=tmp_path), django_capture_on_commit_callbacks(execute=True) as callbacks:
        lines = seed_module.seed_demo()
        assert connection.schema_name == "public"  # where the seed's transaction was opened
    assert callbacks, "the seed queued no processing at all"
    return alpha, lines


def test_the_seeded_sessions_are_processed_in_the_studys_schema(seeded_alpha):
    from dashboard.seed import EXTRA_PLAYERS
    from games.models import GameSession
    from games.seed import DEMO_PLAYERS
    from traits.models import SessionMetrics, TraitProfile

    alpha, lines = seeded_alpha
    assert any("simulated completed game sessions" in line for line in lines)
    with tenant_context(alpha):
        sessions = list(GameSession.objects.all())
        ids = {s.pk for s in sessions}
        # games.seed's players, and dashboard.seed's: every one plays the two sessions of its flow.
        assert len(sessions) == 2 * (len(DEMO_PLAYERS) + len(EXTRA_PLAYERS))
        assert {s.status for s in sessions} <= {GameSession.Status.PROCESSED, GameSession.Status.FLAGGED}
        assert set(SessionMetrics.objects.values_list("session_id", flat=True)) == ids
        assert set(TraitProfile.objects.values_list("session_id", flat=True)) == ids


def test_the_seed_leaves_the_connection_in_public(seeded_alpha):
    assert connection.schema_name == "public"


def test_every_app_seed_module_offers_its_hook_and_one_without_is_refused(monkeypatch):
    import types

    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from tenants import seed

    assert [hook.__module__ for hook in seed._app_seed_hooks()] == ["consent.seed", "games.seed", "dashboard.seed"]
    real_import = seed.importlib.import_module
    monkeypatch.setattr(
        seed.importlib,
        "import_module",
        lambda name: types.ModuleType(name) if name == "games.seed" else real_import(name),
    )
    with pytest.raises(ImproperlyConfigured, match=r"games\.seed defines no seed_study_demo"):
        seed._app_seed_hooks()


def test_the_seeded_design_panels_show_numbers(seeded_alpha):
    """dashboard.seed: two conditions, both sessions of every player, scores: an r and an ICC in each panel."""
    from dashboard import design_selectors

    alpha, lines = seeded_alpha
    assert any("two-session flow" in line for line in lines)
    with tenant_context(alpha):
        design = design_selectors.design_summary()
        reliability = design_selectors.reliability_summary()
        validity = design_selectors.validity_summary()
    assert design["sessions_required"] == 2 and len(design["versions"][0]["conditions"]) == 2
    assert design["participants"] == 8
    assert any(row["icc"] is not None and row["n"] == 8 for row in reliability["rows"])
    assert any(row["r"] is not None and row["n"] == 8 for row in validity["rows"])

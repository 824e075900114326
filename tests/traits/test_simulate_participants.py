"""simulate_participants drives the real HTTP API of a running server; the profiles and fits follow."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.live import ensure_live_study, live_app_server  # noqa: F401  (session fixture: a real server)

# django_db: pytest-django only creates the test database for sessions with a test that asks for it.
pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(scope="module")
def sim_study(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        return ensure_live_study("traitssim")


def test_simulated_agents_are_played_over_http_and_their_parameters_reported(live_app_server, sim_study):  # noqa: F811
    out = io.StringIO()
    call_command(
        "simulate_participants",
        "--study", sim_study.slug, "--n", "4", "--model", "par4",
        "--base-url", live_app_server.url(), "--wait", "--timeout", "120",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    text = out.getvalue()
    assert "4 simulated sessions completed in traitssim." in text
    for name in ("phi", "eta", "gamma", "tau"):
        assert f"bart_par4 {name}: n=4 r=" in text

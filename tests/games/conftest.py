from __future__ import annotations

import pytest

from tests.games.support import Gamer, enrol_gamer
from tests.live import live_app_server, live_study  # noqa: F401  (session fixtures for the browser tests)


@pytest.fixture
def gamer(alpha) -> Gamer:
    return enrol_gamer(alpha)


@pytest.fixture
def started(gamer) -> tuple[Gamer, dict]:
    return gamer, gamer.start()

"""Session fixtures for the flow browser tests."""

from tests.live import live_app_server  # noqa: F401  (session fixture for the browser tests)

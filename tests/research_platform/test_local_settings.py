"""research_platform/settings/local.py (what `make run` serves) says in its docstring what it does."""

from __future__ import annotations


def test_the_local_settings_docstring_says_what_debug_really_is(monkeypatch):
    """Its docstring once said "debug on"; DEBUG is in fact off unless the environment turns it on."""
    import importlib

    import research_platform.settings.local as local

    monkeypatch.delenv("DEBUG", raising=False)
    assert importlib.reload(local).DEBUG is False
    assert "DEBUG stays off unless DEBUG=true" in (local.__doc__ or "")
    assert "debug on" not in (local.__doc__ or "").lower()
    importlib.reload(local)

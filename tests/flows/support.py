"""Helpers for tests that need a designed flow: publish one in a study as a manager would."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from flows.models import FlowVersion
from flows.services import flow_draft_publish, flow_draft_save


def publish_flow(study: Any, definition: dict[str, Any]) -> FlowVersion:
    with tenant_context(study):
        flow_draft_save(acting_user=None, definition=definition)
        return flow_draft_publish(acting_user=None)


def game_sessions_flow(study: Any, count: int = 5) -> FlowVersion:
    """A flow of ``count`` sessions with one game each and no gap: one participant may play ``count`` games."""
    return publish_flow(
        study,
        {
            "steps": [{"key": "game", "kind": "game", "settings": {}}],
            "sessions": {"count": count, "min_gap_hours": 0},
        },
    )


def page(key: str, body: str = "Please read this.", **extra: Any) -> dict[str, Any]:
    return {"key": key, "kind": "page", "title": key.title(), "settings": {"body": body}, **extra}

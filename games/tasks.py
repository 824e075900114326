"""Periodic work of the games app: sessions left without events become `abandoned`."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from research_platform.celery import app


@app.task(name="games.abandon_stale_sessions", acks_late=True)
def abandon_stale_sessions() -> int:
    """Run in every study schema (beat sees only public, so the task walks the studies itself)."""
    from games.services import sessions_abandon_stale
    from tenants.models import Study

    total = 0
    for study in Study.objects.exclude(schema_name="public"):
        with tenant_context(study):
            total += sessions_abandon_stale()
    return total

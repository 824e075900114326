"""Periodic work of the games app: sessions left without events become `abandoned`."""

from __future__ import annotations

from celery import shared_task

from core.study import for_each_study


@shared_task(name="games.abandon_stale_sessions", acks_late=True)
def abandon_stale_sessions() -> int:
    """Run in every study schema (beat sees only public, so the task walks the studies itself)."""
    from games.services import sessions_abandon_stale

    total = 0
    for _study in for_each_study():
        total += sessions_abandon_stale()
    return total

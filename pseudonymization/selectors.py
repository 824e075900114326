"""Reads on participants that need nothing above this app (the researchers' list is games.selectors')."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from pseudonymization.models import Participant


def participant_counts() -> dict[str, int]:
    """Everyone who joined, and how many of them joined while the study was piloting: one query."""
    return Participant.objects.aggregate(joined=Count("id"), pilots=Count("id", filter=Q(pilot=True)))


def participant_not_erased_get(*, pk: Any) -> Participant | None:
    """The participant with that id unless their data was erased (an erased person has no page)."""
    return Participant.objects.exclude(status=Participant.Status.ERASED).filter(pk=pk).first()

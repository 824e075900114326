"""Reads of the dashboard: export jobs, and the study-wide aggregates of /dashboard/.

Pilot participants (who joined while the study was piloting) are left out of every count, chart and
summary here; the participant list keeps them, marked.
"""

from __future__ import annotations

import uuid

from dashboard.models import ExportJob


def export_jobs_list(*, limit: int = 50) -> list[ExportJob]:
    return list(ExportJob.objects.order_by("-created_at")[:limit])


def export_job_get(*, job_id: object) -> ExportJob | None:
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        return None
    return ExportJob.objects.filter(pk=pk).first()


# --- Study-wide aggregates for /dashboard/ (each a fixed number of queries, whatever the size) ------


def pilot_participants_count() -> int:
    """How many participants the aggregates below leave out as pilots (one query)."""
    from pseudonymization.models import Participant

    return Participant.objects.exclude(status=Participant.Status.ERASED).filter(pilot=True).count()


def funnel_counts() -> list[tuple[str, int]]:
    """Participants at each stage: consented -> started -> completed -> processed -> flagged (one query)."""
    from django.db.models import Count, Q

    from games.models import GameSession
    from pseudonymization.models import Participant

    done = GameSession.FINISHED_STATUSES
    counts = (
        Participant.objects.exclude(status=Participant.Status.ERASED)
        .exclude(pilot=True)
        .aggregate(
            consented=Count("id", distinct=True),
            started=Count("id", distinct=True, filter=Q(sessions__isnull=False)),
            completed=Count("id", distinct=True, filter=Q(sessions__status__in=done)),
            processed=Count("id", distinct=True, filter=Q(sessions__status__in=("processed", "flagged"))),
            flagged=Count("id", distinct=True, filter=Q(sessions__status="flagged")),
        )
    )
    return [(label, counts[label]) for label in ("consented", "started", "completed", "processed", "flagged")]


def sessions_in_progress(*, limit: int = 20) -> list[dict[str, object]]:
    """Open sessions, most recently active first, with how many balloons are done (one query)."""
    from django.db.models import Count, Q

    from games.models import GameSession

    rows = (
        GameSession.objects.filter(status=GameSession.Status.IN_PROGRESS)
        .exclude(participant__pilot=True)
        .annotate(done=Count("balloons", filter=~Q(balloons__outcome="pending")), total=Count("balloons"))
        .order_by("-last_event_at", "-started_at")
        .values("id", "participant__participant_code", "started_at", "last_event_at", "event_count", "done", "total")
    )
    return list(rows[:limit])


def quality_flag_counts() -> dict[str, int]:
    """How many closed sessions carry each data-quality flag (a flag is any truthy entry)."""
    from games.models import GameSession

    counts: dict[str, int] = {}
    flags_of_sessions = (
        GameSession.objects.exclude(status=GameSession.Status.IN_PROGRESS)
        .exclude(participant__pilot=True)
        .values_list("quality_flags", flat=True)
    )
    for flags in flags_of_sessions.iterator(chunk_size=2000):
        for name, value in (flags or {}).items():
            if value:
                counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def flagged_sessions(*, limit: int = 20) -> list[dict[str, object]]:
    from games.models import GameSession

    rows = (
        GameSession.objects.filter(status=GameSession.Status.FLAGGED)
        .exclude(participant__pilot=True)
        .order_by("-completed_at")
        .values("id", "participant__participant_code", "completed_at", "quality_flags")
    )
    return [{**r, "flag_names": sorted(k for k, v in (r["quality_flags"] or {}).items() if v)} for r in rows[:limit]]


def session_distributions() -> dict[str, list[float]]:
    """Per finished session: adjusted average pumps (collected balloons) and number of explosions (one query)."""
    from django.db.models import Avg, Count, Q

    from games.models import Balloon, GameSession

    rows = (
        Balloon.objects.filter(session__status__in=GameSession.FINISHED_STATUSES)
        .exclude(session__participant__pilot=True)
        .values("session_id")
        .annotate(adjusted=Avg("pumps", filter=Q(outcome="cashed")), pops=Count("id", filter=Q(outcome="popped")))
        .values_list("adjusted", "pops")
    )
    adjusted, explosions = [], []
    for adj, pops in rows:
        if adj is not None:
            adjusted.append(float(adj))
        explosions.append(float(pops))
    return {"adjusted_pumps": adjusted, "explosions": explosions}


def trait_distributions() -> list[dict[str, object]]:
    """For each trait dimension of the current mapping: its poles and every scored z (latest profile per
    participant), in one query."""
    from traits.mapping import DIMENSIONS, TRAITS_VERSION
    from traits.models import TraitProfile

    latest = (
        # Default reference only: with study norms a session also has a norms profile (docs/traits.md).
        TraitProfile.objects.filter(traits_version=TRAITS_VERSION, reference="default")
        .exclude(participant__pilot=True)
        .order_by("participant_id", "-created_at", "-id")
        .distinct("participant_id")
        .values_list("dimensions", flat=True)
    )
    values: dict[str, list[float]] = {d.key: [] for d in DIMENSIONS}
    for dims in latest:
        for dim in dims or []:
            if dim.get("z") is not None and dim.get("key") in values:
                values[dim["key"]].append(float(dim["z"]))
    return [
        {"key": d.key, "label": d.label, "low_pole": d.low_pole, "high_pole": d.high_pole, "values": values[d.key]}
        for d in DIMENSIONS
    ]


def participants_list() -> object:
    """Pseudonymous codes with session counts and the latest session's status; never identifiers.
    Pilot participants are listed too (the page marks them), unlike in the aggregates."""
    from django.db.models import Count, Max, OuterRef, Q, Subquery

    from games.models import GameSession
    from pseudonymization.models import Participant

    latest = GameSession.objects.filter(participant=OuterRef("pk")).order_by("-started_at")
    return (
        Participant.objects.exclude(status=Participant.Status.ERASED)
        .annotate(
            n_sessions=Count("sessions", distinct=True),
            n_flagged=Count("sessions", distinct=True, filter=Q(sessions__status="flagged")),
            last_started=Max("sessions__started_at"),
            last_status=Subquery(latest.values("status")[:1]),
        )
        .select_related("duplicate_of")
        .only("participant_code", "status", "created_at", "pilot", "duplicate_of__participant_code")
        .order_by("-created_at", "participant_code")
    )


def participant_by_code(*, code: str) -> object:
    from pseudonymization.models import Participant

    return Participant.objects.exclude(status=Participant.Status.ERASED).filter(participant_code=code).first()


def participant_sessions(*, participant: object) -> list[object]:
    """The participant's sessions with their balloon counts (one query)."""
    from django.db.models import Count, Q, Sum

    from games.models import GameSession

    return list(
        GameSession.objects.filter(participant=participant)
        .annotate(
            n_played=Count("balloons", filter=~Q(balloons__outcome="pending")),
            n_popped=Count("balloons", filter=Q(balloons__outcome="popped")),
            earned=Sum("balloons__earnings"),
        )
        .order_by("started_at")
    )


def participant_profile(*, participant: object) -> object:
    """The participant's latest trait profile (traits.selectors.profile_latest), or None."""
    from traits.selectors import profile_latest

    return profile_latest(participant=participant)

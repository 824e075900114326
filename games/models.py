"""Game sessions, their balloons and every event the browser sent (all in the study's schema).

Events live in one table (`games_event`) with a `type` column and typed columns for what the
readers filter and aggregate on (filter on `type` to read one kind). The raw event is kept as
received beside the parsed columns, and the server's receive time and skew estimate are kept
apart from the client's clocks (never overwriting them).
"""

from __future__ import annotations

import uuid

from django.db import models

from core.settings_model import StudySettings
from games.event_schema import EVENT_SCHEMA_NAME
from games.schedule import SCHEDULE_ALGORITHM
from pseudonymization.models import Participant


class GameSettings(StudySettings):
    """The study's Balloon game protocol (one row; absent means the standard task of games/config.py).

    It was ``Study.game_config`` in public until #19; migration 0003 copied each study's value here.
    """

    EDITABLE = ("config",)

    # Normalised by games.config.normalize_game_config before it is saved (defaults filled in);
    # readers normalise again, so a row written by an older default set still reads complete.
    config = models.JSONField(default=dict)

    def __str__(self) -> str:
        return "game settings"


class GameSession(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        PROCESSED = "processed", "Processed"
        FLAGGED = "flagged", "Flagged"
        ABANDONED = "abandoned", "Abandoned"

    CLOSED_STATUSES = frozenset({"completed", "processed", "flagged", "abandoned"})
    # Played to the end by the participant (the complete endpoint); abandoned sessions are closed, not finished.
    FINISHED_STATUSES = frozenset({"completed", "processed", "flagged"})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="sessions")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    # Everything needed to recompute the schedule: seed + algorithm + configuration snapshot.
    seed = models.CharField(max_length=64)
    schedule_algorithm = models.CharField(max_length=32, default=SCHEDULE_ALGORITHM)
    config = models.JSONField()
    schedule = models.JSONField()  # [{"index", "color", "max_pumps", "explosion_point"}]
    event_schema = models.CharField(max_length=32, default=EVENT_SCHEMA_NAME)
    quality_flags = models.JSONField(default=dict, blank=True)
    client_info = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    # Running counters kept by the ingestion (so a batch never re-scans the whole session).
    event_count = models.PositiveIntegerField(default=0)
    distinct_seqs = models.PositiveIntegerField(default=0)
    max_seq = models.IntegerField(null=True, blank=True)
    rejected_count = models.PositiveIntegerField(default=0)
    # Smallest (received - sent) seen: the best estimate of the client clock's offset, since
    # network delay only ever adds to it. Client times are never corrected with it.
    skew_ms_min = models.BigIntegerField(null=True, blank=True)
    # The flow step this game is (flows): the version number, the session of the study (1 = the
    # first visit, 2 = the first return, ...), the step's key and the participant's condition.
    # Null for sessions started outside a flow (seeding, simulations) and before flows existed.
    flow_version = models.PositiveIntegerField(null=True, blank=True)
    flow_session = models.PositiveSmallIntegerField(null=True, blank=True)
    flow_step = models.CharField(max_length=40, blank=True, default="")
    condition = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["participant", "status"], name="games_sess_part_status"),
            models.Index(fields=["status", "last_event_at"], name="games_sess_status_last"),
        ]

    def __str__(self) -> str:
        return f"session {self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    def explosion_points(self) -> dict[int, int]:
        return {int(b["index"]): int(b["explosion_point"]) for b in self.schedule}


class Balloon(models.Model):
    """One balloon of a session: its schedule, and what the received events say happened."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        CASHED = "cashed", "Cashed"
        POPPED = "popped", "Popped"

    session = models.ForeignKey(GameSession, on_delete=models.CASCADE, related_name="balloons")
    index = models.PositiveIntegerField()
    color = models.CharField(max_length=20)
    max_pumps = models.PositiveIntegerField()
    explosion_point = models.PositiveIntegerField()
    pumps = models.PositiveIntegerField(default=0)  # includes the fatal pump of a popped balloon
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    earnings = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    started_t = models.FloatField(null=True, blank=True)  # ms since session start (client monotonic)
    ended_t = models.FloatField(null=True, blank=True)
    violations = models.JSONField(default=dict, blank=True)  # {code: count}
    # pump_confirmation "server": what the server itself confirmed (games/confirmation.py).
    confirmed_pumps = models.PositiveIntegerField(default=0)
    confirmed_outcome = models.CharField(max_length=8, blank=True, default="")  # "", cashed, popped

    class Meta:
        ordering = ["session", "index"]
        constraints = [models.UniqueConstraint(fields=["session", "index"], name="games_balloon_session_index")]

    def __str__(self) -> str:
        return f"balloon {self.index} of {self.session_id}"


class Event(models.Model):
    """One event of `bart-events/1` as received; see docs/event-schema.md."""

    class Type(models.TextChoices):
        SESSION_START = "session_start"
        BALLOON_START = "balloon_start"
        PUMP = "pump"
        CASH_OUT = "cash_out"
        POP = "pop"
        CONTEXT = "context"
        SESSION_END = "session_end"

    id = models.BigAutoField(primary_key=True)
    session = models.ForeignKey(GameSession, on_delete=models.CASCADE, related_name="events", db_index=False)
    event_id = models.UUIDField(unique=True)  # the client's idempotency key: dedup at write time
    seq = models.IntegerField()
    type = models.CharField(max_length=16, choices=Type.choices)
    t = models.FloatField()  # ms since session start, client monotonic clock
    client_ts = models.BigIntegerField()  # client wall clock, ms since the epoch
    sent_at = models.BigIntegerField(null=True, blank=True)  # the batch's client wall clock at send
    received_at = models.DateTimeField()  # server clock
    skew_ms = models.BigIntegerField(null=True, blank=True)  # received_at - sent_at (offset + delay)
    balloon = models.IntegerField(null=True, blank=True)
    # Typed copies of the payload fields readers use (pump count, latency, device, context kind).
    pumps = models.IntegerField(null=True, blank=True)
    rt_ms = models.FloatField(null=True, blank=True)
    input_device = models.CharField(max_length=8, blank=True, default="")
    context_kind = models.CharField(max_length=12, blank=True, default="")
    data = models.JSONField(default=dict)
    raw = models.JSONField()
    flags = models.JSONField(default=list, blank=True)  # schedule-consistency codes

    class Meta:
        db_table = "games_event"
        ordering = ["session", "seq", "id"]
        indexes = [models.Index(fields=["session", "seq"], name="games_event_session_seq")]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq}"

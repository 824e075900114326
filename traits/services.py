"""Writes of the science pipeline: metrics → model fits → trait profile for one session, idempotently.

`session_pipeline_run` is the whole processing of one completed session, top to bottom (the task in
traits/tasks.py only calls it and retries). Each step looks for its row by (session, version) first. A
row already there with the same input hash is returned untouched, so a retried or duplicated task
changes nothing; with a different hash (events differed from what was processed) the row is recomputed
in place and the change is in the audit log (the models are registered in audit/registry.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction

from core.errors import ApplicationError
from games.models import GameSession
from games.selectors import session_events
from games.services import session_mark_processed
from pseudonymization.models import Participant
from traits import bart_models, mapping, metrics
from traits.models import ModelFit, SessionMetrics, StudyNorms, TraitProfile
from traits.norms import MIN_STUDY_NORMS, Norm, leave_one_out
from traits.selectors import study_norms_active

EVENT_FIELDS = ("event_id", "seq", "type", "t", "client_ts", "balloon", "data")
FINISHED = ("completed", "processed", "flagged")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionInput:
    """Everything the pipeline reads about a session (the games app's rows, as plain data)."""

    session_id: uuid.UUID
    participant: Participant
    schedule: Sequence[dict[str, Any]]
    events: Sequence[dict[str, Any]]
    config: dict[str, Any] = field(default_factory=dict)
    event_schema: str = "bart-events/1"

    @property
    def reward_per_pump(self) -> float:
        return float(self.config.get("reward_per_pump", 0.05))

    @property
    def block_size(self) -> int:
        return int(self.config.get("block_size", 10))


def input_hash(data: SessionInput) -> str:
    """SHA-256 of the canonical JSON of what the results depend on: schema, schedule, events, config."""
    payload = {
        "event_schema": data.event_schema,
        "schedule": [dict(b) for b in data.schedule],
        "events": [{k: e.get(k) for k in EVENT_FIELDS} for e in data.events],
        "reward_per_pump": data.reward_per_pump,
        "block_size": data.block_size,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _store(model: type[models.Model], key: dict[str, Any], digest: str, fields: dict[str, Any]) -> Any:
    """Create the row for `key`, or return it when it already holds results of the same input."""
    existing = model.objects.filter(**key).first()
    if existing is not None and existing.input_hash == digest:
        return existing
    if existing is not None:
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.input_hash = digest
        existing.save()
        return existing
    try:
        with transaction.atomic():
            return model.objects.create(**key, input_hash=digest, **fields)
    except IntegrityError:  # a concurrent run of the same version won the race: its row is ours
        return model.objects.get(**key)


def primary_trials(data: SessionInput) -> tuple[str | None, list[metrics.Trial]]:
    """The balloons of the primary colour (largest capacity) in play order: what the traits use."""
    color = metrics.primary_color(data.schedule)
    trials = metrics.trials_from_events(data.schedule, data.events)
    return color, [t for t in trials if t.color == color]


def trials_by_color(data: SessionInput) -> dict[str, list[metrics.Trial]]:
    """Finished balloons of each colour in play order, the primary colour first."""
    primary = metrics.primary_color(data.schedule)
    out: dict[str, list[metrics.Trial]] = {}
    for trial in metrics.trials_from_events(data.schedule, data.events):
        out.setdefault(trial.color, []).append(trial)
    return dict(sorted(out.items(), key=lambda item: (item[0] != primary, item[0])))


def session_metrics_compute(*, data: SessionInput, digest: str | None = None) -> SessionMetrics:
    digest = digest or input_hash(data)
    key = {"session_id": data.session_id, "metrics_version": metrics.METRICS_VERSION}
    existing = SessionMetrics.objects.filter(**key, input_hash=digest).first()
    if existing is not None:
        return existing
    values = metrics.compute_metrics(
        data.schedule, data.events, reward_per_pump=data.reward_per_pump, block_size=data.block_size
    )
    fields = {"participant": data.participant, "event_schema": data.event_schema, "values": values}
    return _store(SessionMetrics, key, digest, fields)


def model_fits_compute(*, data: SessionInput, digest: str | None = None) -> list[ModelFit]:
    """Both models on each colour's balloons separately; none when no balloon was finished.

    The models assume one balloon type (one burst probability to learn), so a colour is fitted on
    its own balloons in play order, its belief updated from that colour's earlier balloons only.
    """
    digest = digest or input_hash(data)
    out = []
    for color, trials in trials_by_color(data).items():
        for model in bart_models.MODELS.values():
            key = {"session_id": data.session_id, "model_version": model.version, "color": color}
            existing = ModelFit.objects.filter(**key, input_hash=digest).first()
            if existing is not None:
                out.append(existing)
                continue
            fit = bart_models.fit_model(model, [t.pumps for t in trials], [int(t.exploded) for t in trials])
            fields = {
                "participant": data.participant,
                "model": model.name,
                "estimates": fit.estimates,
                "intervals": fit.as_dict()["intervals"],
                "log_likelihood": fit.log_likelihood,
                "aic": fit.aic,
                "bic": fit.bic,
                "n_decisions": fit.n_decisions,
                "converged": fit.converged,
                "details": fit.as_dict(),
            }
            out.append(_store(ModelFit, key, digest, fields))
    return out


def own_norm_values(*, participant: Participant, norms: StudyNorms) -> dict[str, float]:
    """The participant's own contribution to `norms`: the values of their first processed session.

    The norms were built from each active participant's first default-reference profile of the
    norms' version (study_norms_compute); the same row gives back the very numbers put in, so
    leave-one-out removes exactly this person. A participant whose first profile is newer than the
    norms contributed nothing.
    """
    first = (
        TraitProfile.objects.filter(
            participant=participant,
            traits_version=norms.traits_version,
            reference="default",
            created_at__lte=norms.created_at,
        )
        .order_by("created_at", "id")
        .values_list("dimensions", flat=True)
        .first()
    )
    return {d["key"]: float(d["value"]) for d in first or [] if d.get("status") == "ok" and d.get("value") is not None}


def trait_profile_compute(
    *, data: SessionInput, fits: Sequence[ModelFit], digest: str | None = None, norms: StudyNorms | None = None
) -> TraitProfile:
    """The profile without norms (placeholder scale), or against `norms` leaving this person out (a
    second row, same session)."""
    digest = digest or input_hash(data)
    label = norms.label if norms is not None else "default"
    key = {"session_id": data.session_id, "traits_version": mapping.TRAITS_VERSION, "reference": label}
    existing = TraitProfile.objects.filter(**key, input_hash=digest).first()
    if existing is not None:
        return existing
    color, trials = primary_trials(data)
    # Traits and their model evidence come from the primary colour (the standard 128-pump balloon).
    primary_fits = [f for f in fits if f.color == color]
    fit_dicts = {f.model: f.details for f in primary_fits}
    placed: dict[str, Norm] = {}
    if norms is not None:
        own = own_norm_values(participant=data.participant, norms=norms)
        for dim_key, norm in mapping.norms_from_json(norms.reference, label=norms.label).items():
            placed[dim_key] = leave_one_out(norm, own.get(dim_key))
    # The bootstrap seed comes from the input hash: same events, same intervals, on any machine.
    profile = mapping.compute_profile(trials, fit_dicts, seed=int(digest[:16], 16), norms=placed)
    statuses = {d["status"] for d in profile["dimensions"]}
    if statuses == {"ok"}:
        status = TraitProfile.Status.OK
    elif "ok" in statuses:
        status = TraitProfile.Status.PARTIAL
    else:
        status = TraitProfile.Status.INSUFFICIENT
    fields = {
        "participant": data.participant,
        "metrics_version": metrics.METRICS_VERSION,
        "model_versions": {f.model: f.model_version for f in primary_fits},
        "event_schema": data.event_schema,
        "status": status,
        "dimensions": profile["dimensions"],
    }
    return _store(TraitProfile, key, digest, fields)


@dataclass(frozen=True)
class PipelineResult:
    metrics: SessionMetrics
    fits: list[ModelFit]
    profile: TraitProfile  # against the default reference
    flag_reasons: list[str]
    study_profile: TraitProfile | None = None  # against the study's active norms, when it has some


def session_process(*, data: SessionInput, quality_flags: dict[str, Any] | None = None) -> PipelineResult:
    """Metrics → fits → profile, each step idempotent; returns why the session should be flagged, if at all."""
    digest = input_hash(data)
    session_metrics = session_metrics_compute(data=data, digest=digest)
    fits = model_fits_compute(data=data, digest=digest)
    profile = trait_profile_compute(data=data, fits=fits, digest=digest)
    norms = study_norms_active()
    study_profile = trait_profile_compute(data=data, fits=fits, digest=digest, norms=norms) if norms else None
    reasons = flag_reasons(session_metrics.values, quality_flags or {})
    return PipelineResult(session_metrics, fits, profile, reasons, study_profile)


class SessionNotReady(Exception):
    """The session is not (yet) visible or not completed: the task retries, since commit and queue can race."""


def session_input_load(*, session_id: str) -> tuple[GameSession, SessionInput]:
    """The session (in the current study's schema) and what the pipeline reads of it."""
    try:
        session = GameSession.objects.select_related("participant").get(pk=session_id)
    except GameSession.DoesNotExist as exc:
        raise SessionNotReady(f"session {session_id} not found") from exc
    data = SessionInput(
        session_id=session.pk,
        participant=session.participant,
        schedule=list(session.schedule or []),
        events=session_events(session=session),
        config=dict(session.config or {}),
        event_schema=session.event_schema,
    )
    return session, data


@dataclass(frozen=True)
class SessionOutcome:
    """What processing one session came to: skipped (and why), or the pipeline's result."""

    session_id: str
    result: PipelineResult | None = None
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        if self.result is None:
            return {"session": self.session_id, "skipped": self.skipped}
        profile = self.result.profile
        return {
            "session": self.session_id,
            "profile": profile.pk,
            "status": profile.status,
            "flagged": self.result.flag_reasons,
        }


def session_pipeline_run(*, session_id: str) -> SessionOutcome:
    """The whole processing of one completed session: load, the withdrawal rule, metrics → fits →
    profile, and the session marked processed (or flagged) in the games app, in one transaction.

    Raises SessionNotReady while the session is not visible or not completed yet (the task
    retries). Safe to run twice: every step finds its own earlier result.
    """
    session, data = session_input_load(session_id=session_id)
    if session.status == GameSession.Status.ABANDONED:
        return SessionOutcome(session_id, skipped="abandoned")
    if session.status not in FINISHED:
        raise SessionNotReady(f"session {session_id} is {session.status}")
    with transaction.atomic():
        # Withdrawal and erasure stop processing at once (issue 8). The row lock orders this run
        # with the erasure, which locks the same row: either these results exist before the
        # erasure collects what to erase, or this run sees the participant withdrawn/erased.
        status = Participant.objects.select_for_update().values_list("status", flat=True).get(pk=session.participant_id)
        if status != Participant.Status.ACTIVE:
            return SessionOutcome(session_id, skipped=status)
        result = session_process(data=data, quality_flags=dict(session.quality_flags or {}))
        session_mark_processed(session=session, flagged=bool(result.flag_reasons), reasons=result.flag_reasons)
    logger.info("traits: session processed", extra={"session": session_id, "status": result.profile.status})
    return SessionOutcome(session_id, result=result)


def recompute_current(*, on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Every finished session of the current study through the pipeline at the current versions.

    Rows of other versions stay as they are (they are unique per version); a session already
    computed at these versions from the same input is found and left alone, so a second run adds
    nothing. Sessions of withdrawn or erased participants are skipped (issue 8).
    """
    from django.db.models import Count

    ids = list(
        GameSession.objects.filter(status__in=FINISHED, participant__status=Participant.Status.ACTIVE)
        .order_by("started_at")
        .values_list("pk", flat=True)
    )
    before = TraitProfile.objects.filter(traits_version=mapping.TRAITS_VERSION).count()
    for n, session_id in enumerate(ids, 1):
        session, data = session_input_load(session_id=str(session_id))
        session_process(data=data, quality_flags=dict(session.quality_flags or {}))
        if on_progress is not None:
            on_progress(n, len(ids))
    kept = (
        TraitProfile.objects.exclude(traits_version=mapping.TRAITS_VERSION)
        .values_list("traits_version")
        .annotate(n=Count("id"))
    )
    return {
        "sessions": len(ids),
        "new": TraitProfile.objects.filter(traits_version=mapping.TRAITS_VERSION).count() - before,
        "kept": dict(kept),
        "norms": study_norms_active() is not None,
    }


def flag_reasons(values: dict[str, Any], quality_flags: dict[str, Any]) -> list[str]:
    """Why a researcher should look at this session before using it (empty: nothing to flag)."""
    reasons = []
    if values["overall"]["n_balloons"] == 0:
        reasons.append("no_finished_balloon")
    if values.get("n_unfinished"):
        reasons.append("unfinished_balloons")
    for name in (
        "schedule_violations",
        "seq_gaps",
        "seq_repeated",
        "rejected_events",
        "tracks_hidden_schedule",
        "unconfirmed_play",
    ):
        if quality_flags.get(name):
            reasons.append(name)
    return reasons


def study_norms_compute() -> StudyNorms:
    """The study's own norms from its participants' profiles, stored versioned and made active.

    One value per active, non-pilot participant: their first processed session's indicator (first play,
    before any practice effect of replaying), from the profiles of the current TRAITS_VERSION.
    Needs MIN_STUDY_NORMS + 1 participants so that each of them, left out of their own norm, is
    still compared with MIN_STUDY_NORMS others; a dimension with fewer values than that has no norm
    (its scores stay on the placeholder scale, without a percentile). The values themselves are
    stored (not only mean and SD): leave-one-out and empirical percentiles need them. Computing the
    same norms twice finds the same row (the label is their hash).
    """
    from audit.services import audit_event

    rows = (
        # Pilot participants (the team trying the study while it was piloting) are nobody's norm.
        TraitProfile.objects.filter(
            traits_version=mapping.TRAITS_VERSION,
            reference="default",
            participant__status=Participant.Status.ACTIVE,
            participant__pilot=False,
        )
        .order_by("participant_id", "created_at", "id")
        .values_list("participant_id", "dimensions")
    )
    first: dict[int, list[dict[str, Any]]] = {}
    for participant_id, dimensions in rows:
        first.setdefault(participant_id, dimensions)
    required = MIN_STUDY_NORMS + 1
    if len(first) < required:
        raise ApplicationError(
            "not_enough_participants",
            f"Study norms need at least {required} participants with a processed session "
            f"(each is compared with {MIN_STUDY_NORMS} others).",
            details={"participants": len(first), "required": required},
            status_code=409,
        )
    values: dict[str, list[float]] = {d.key: [] for d in mapping.DIMENSIONS}
    for dimensions in first.values():
        for dim in dimensions:
            if dim.get("status") == "ok" and dim.get("value") is not None and dim["key"] in values:
                values[dim["key"]].append(float(dim["value"]))
    source = (
        f"study norms ({mapping.TRAITS_VERSION}): first processed session of each active participant, "
        "the person scored left out"
    )
    norm_set = mapping.norms_from_values(values, source)
    label = mapping.study_norms_label(norm_set)
    with transaction.atomic():
        StudyNorms.objects.filter(active=True).exclude(label=label).update(active=False)
        norms, created = StudyNorms.objects.get_or_create(
            label=label,
            defaults={
                "norms_hash": mapping.norms_hash(norm_set),
                "traits_version": mapping.TRAITS_VERSION,
                "reference": mapping.norms_to_json(norm_set),
                "counts": {key: len(vals) if key in norm_set else 0 for key, vals in values.items()},
                "n_participants": len(first),
            },
        )
        if not norms.active:
            norms.active = True
            norms.save(update_fields=["active"])
        audit_event(
            action="traits.study_norms.create" if created else "traits.study_norms.activate",
            obj=norms,
            details={"label": label, "n_participants": norms.n_participants},
        )
    return norms

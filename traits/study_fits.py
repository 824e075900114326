"""Study-level fits in the study's schema: which sessions form the sample, the fit's write, and its reads.

The sample is each active participant's **first processed session** (first play, as for the study
norms), its primary colour's balloons: one sequence per participant, as hBayesDM takes it. A fit
is stored once per sample (`StudyFit.sample_hash`); the task refits when the sample has grown by
`TRAITS_HIERARCHICAL_EVERY` participants since the newest fit, or when a researcher asks.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from core.errors import ApplicationError
from pseudonymization.models import Participant
from traits import bart_models, hierarchical
from traits.models import SessionMetrics, StudyFit, StudyFitEstimate


@dataclass(frozen=True)
class Member:
    participant_id: int
    session_id: uuid.UUID
    input_hash: str
    pumps: list[int]
    explosion: list[int]
    color: str


def fit_every() -> int:
    """Refit after this many new participants in the sample (setting TRAITS_HIERARCHICAL_EVERY, default 10)."""
    return max(1, int(getattr(settings, "TRAITS_HIERARCHICAL_EVERY", 10)))


def _primary(values: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
    trials = values.get("trials") or []
    if not trials:
        return None, []
    color = str(max(trials, key=lambda t: (int(t["max_pumps"]), str(t["color"])))["color"])
    return color, [t for t in trials if t["color"] == color]


def study_fit_sample() -> list[Member]:
    """Each active, non-pilot participant's first processed session with at least one finished balloon."""
    from traits.metrics import METRICS_VERSION

    rows = (
        # Pilot participants (the team trying the study while it was piloting) are no part of the sample.
        SessionMetrics.objects.filter(
            metrics_version=METRICS_VERSION, participant__status=Participant.Status.ACTIVE, participant__pilot=False
        )
        .order_by("participant_id", "created_at", "id")
        .values_list("participant_id", "session_id", "input_hash", "values")
    )
    members: dict[int, Member] = {}
    for participant_id, session_id, digest, values in rows:
        if participant_id in members:
            continue
        color, trials = _primary(values)
        if color is None:
            continue
        members[participant_id] = Member(
            participant_id,
            session_id,
            digest,
            [int(t["pumps"]) for t in trials],
            [int(t["explosion"]) for t in trials],
            color,
        )
    return list(members.values())


def sample_hash(members: list[Member]) -> str:
    text = "\n".join(f"{m.session_id}:{m.input_hash}:{m.color}" for m in sorted(members, key=lambda m: m.session_id))
    return hashlib.sha256(text.encode()).hexdigest()


def study_fit_latest(*, model: str) -> StudyFit | None:
    """The newest fit of `model` under the current model and hierarchical versions."""
    version = bart_models.MODELS[model].version
    return (
        StudyFit.objects.filter(model_version=version, hierarchical_version=hierarchical.HIERARCHICAL_VERSION)
        .order_by("-created_at", "-id")
        .first()
    )


def study_fits_latest() -> dict[str, StudyFit]:
    return {name: fit for name in bart_models.MODELS if (fit := study_fit_latest(model=name)) is not None}


def study_estimate_of(*, participant: Participant, model: str) -> StudyFitEstimate | None:
    """The participant's estimate in the newest fit of `model` that includes them."""
    version = bart_models.MODELS[model].version
    return (
        StudyFitEstimate.objects.filter(
            participant=participant,
            study_fit__model_version=version,
            study_fit__hierarchical_version=hierarchical.HIERARCHICAL_VERSION,
        )
        .select_related("study_fit")
        .order_by("-study_fit__created_at", "-study_fit_id")
        .first()
    )


def study_fit_sample_size() -> int:
    """Participants the sample would hold, by one count (building it reads every session's balloons).

    A participant whose sessions have no finished balloon, rare, is counted here but not fitted.
    """
    from traits.metrics import METRICS_VERSION

    return (
        # Pilot participants (the team trying the study while it was piloting) are no part of the sample.
        SessionMetrics.objects.filter(
            metrics_version=METRICS_VERSION, participant__status=Participant.Status.ACTIVE, participant__pilot=False
        )
        .values("participant_id")
        .distinct()
        .count()
    )


def study_fit_due() -> bool:
    """Whether the sample has grown enough since the newest fit (or there is none and it is big enough)."""
    n = study_fit_sample_size()
    if n < hierarchical.MIN_PARTICIPANTS:
        return False
    newest = [study_fit_latest(model=name) for name in bart_models.MODELS]
    fitted = min((f.n_participants if f else 0) for f in newest)
    return fitted == 0 or n - fitted >= fit_every()


def study_fit_compute(*, model: str, trigger: str) -> StudyFit:
    """Fit `model` on the current sample and store it; an unchanged sample returns its stored fit."""
    from audit.services import audit_event

    members = study_fit_sample()
    if len(members) < hierarchical.MIN_PARTICIPANTS:
        raise ApplicationError(
            "not_enough_participants",
            f"A study-level fit needs at least {hierarchical.MIN_PARTICIPANTS} participants with a processed session.",
            details={"participants": len(members), "required": hierarchical.MIN_PARTICIPANTS},
            status_code=409,
        )
    digest = sample_hash(members)
    key = {
        "model_version": bart_models.MODELS[model].version,
        "hierarchical_version": hierarchical.HIERARCHICAL_VERSION,
        "sample_hash": digest,
    }
    existing = StudyFit.objects.filter(**key).first()
    if existing is not None:
        return existing
    started = time.perf_counter()
    result = hierarchical.fit_study(model, [(m.pumps, m.explosion) for m in members])
    seconds = time.perf_counter() - started
    colors = sorted({m.color for m in members})
    try:
        with transaction.atomic():
            fit = StudyFit.objects.create(
                **key,
                model=model,
                color=",".join(colors),
                n_participants=len(members),
                population=result.population,
                iterations=result.iterations,
                converged=result.converged,
                trigger=trigger,
                seconds=seconds,
            )
            StudyFitEstimate.objects.bulk_create(
                StudyFitEstimate(
                    study_fit=fit,
                    participant_id=m.participant_id,
                    session_id=m.session_id,
                    input_hash=m.input_hash,
                    estimates=ind.estimates,
                    intervals=ind.as_dict()["intervals"],
                    derived=ind.derived,
                    converged=ind.converged,
                )
                for m, ind in zip(members, result.individuals, strict=True)
            )
            audit_event(
                action="traits.study_fit.create",
                obj=fit,
                details={
                    "model": model,
                    "n_participants": len(members),
                    "trigger": trigger,
                    "version": fit.hierarchical_version,
                },
            )
    except IntegrityError:  # a concurrent fit of the same sample won: its row is ours
        return StudyFit.objects.get(**key)
    return fit


def study_fits_compute(*, trigger: str, models: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    """Each of `models` (default: all) fitted on the current sample; what came of each, by model name.

    Too few participants is no failure: that model is reported skipped (its error code) and the
    others are still fitted.
    """
    out: dict[str, dict[str, Any]] = {}
    for name in models or list(bart_models.MODELS):
        try:
            fit = study_fit_compute(model=name, trigger=trigger)
        except ApplicationError as exc:
            out[name] = {"skipped": exc.code}
            continue
        out[name] = {"study_fit": fit.pk, "n_participants": fit.n_participants, "converged": fit.converged}
    return out

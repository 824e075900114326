"""Trait mapping: a session's balloons → positions on bi-directional dimensions (pure, no Django).

Each dimension has two poles, neither of them "good" (the pymetrics convention). Its score is an
indicator computed from the session's balloons, with a 95 % interval from a circular block
bootstrap over balloons in play order (traits/intervals.py), or "insufficient data". Learning and
reaction to loss are SIGNED (version 2): 0 means "no trend" / "unchanged after a loss", and each
direction has its own pole. A value is placed (z, percentile) only against a study norm that
leaves the scored person out (traits/norms.py); without one, researchers get a z on the authors'
placeholder scale, never a percentile. Formulas and sources: docs/traits.md. Changing any number
here is a new TRAITS_VERSION.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import norm as _normal
from scipy.stats import t as _student_t

from traits.facts import STANDARD_CAPACITY, facts
from traits.indicators import (  # noqa: F401  (Session, _pooled_gap_medians and the slopes are re-exported)
    Session,
    Statistic,
    _consistency,
    _learning,
    _loss,
    _pace,
    _point,
    _pooled_gap_medians,
    _risk,
    learning_slope,
    post_loss_change,
)
from traits.intervals import block_counts, block_length
from traits.metrics import Trial
from traits.norms import MIN_STUDY_NORMS, PERCENTILE_METHOD, Norm, norm_from_json, norm_to_json, percentile
from traits.norms import sample_norm as _sample_norm
from traits.norms import usable as _usable
from traits.replay import REPLAYS, par4_replays

WITHIN_REPLAYS, WITHIN_SAMPLES = 20, 200  # replays whose own block-bootstrap variance is measured

TRAITS_VERSION = "bart-traits/2.0.0"
BOOTSTRAP_SAMPLES = 1000  # the expanded interval reads quantiles near 0.5 %: 1000 keeps them stable
__all__ = ["MIN_STUDY_NORMS", "PERCENTILE_METHOD", "TRAITS_VERSION", "compute_profile"]


def _need_collected(n: int) -> Callable[[Sequence[Trial]], str | None]:
    def check(trials: Sequence[Trial]) -> str | None:
        got = sum(1 for t in trials if not t.exploded)
        return None if got >= n else f"needs at least {n} collected balloons (has {got})"

    return check


def _need_pairs(trials: Sequence[Trial]) -> str | None:
    pairs = [a for a, b in itertools.pairwise(trials) if not b.exploded]
    loss = sum(1 for a in pairs if a.exploded)
    win = len(pairs) - loss
    if loss >= 3 and win >= 3:
        return None
    return f"needs 3 collected balloons right after a pop and 3 right after a collect (has {loss} and {win})"


def _need_intervals(trials: Sequence[Trial]) -> str | None:
    n = sum(max(len(t.pump_ts) - 1, 0) for t in trials)
    return None if n >= 20 else f"needs at least 20 inter-pump intervals (has {n})"


def _need_trend(trials: Sequence[Trial]) -> str | None:
    half = len(trials) // 2
    first = sum(1 for t in trials[:half] if not t.exploded)
    second = sum(1 for t in trials[half:] if not t.exploded)
    if len(trials) >= 20 and first >= 5 and second >= 5:
        return None
    return f"needs 20 balloons with 5 collected in each half (has {len(trials)}; {first} and {second} collected)"


@dataclass(frozen=True, slots=True)
class Dimension:
    key: str
    label: str
    low_pole: str
    high_pole: str
    indicator: str  # what the raw value is, in words
    statistic: Statistic
    units: str  # "balloons" or "pairs": what the block bootstrap resamples
    enough: Callable[[Sequence[Trial]], str | None]  # None when enough data, else the reason
    evidence: tuple[tuple[str, str], ...]  # (model, parameter) shown beside the score
    plain: str  # one sentence for participants
    zero: str | None = None  # for a signed indicator, what 0 means (the point between the poles)

    def value(self, trials: Sequence[Trial]) -> float | None:
        units = len(trials) - (1 if self.units == "pairs" else 0)
        return _point(self.statistic, Session.of(trials), units) if units > 0 else None


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "risk_tolerance",
        "Risk tolerance",
        "cautious",
        "risk-seeking",
        "adjusted average pumps (rescaled to a 128-pump balloon)",
        _risk,
        "balloons",
        _need_collected(5),
        (("bart_par4", "gamma"), ("bart_ewmv", "rho")),
        "How far you tended to pump a balloon before collecting.",
    ),
    Dimension(
        "reaction_to_loss",
        "Reaction to loss",
        "more cautious after a loss",
        "more daring after a loss",
        "pumps on a collected balloon after a pop minus after a collect, the session's trend held fixed "
        "(per 128-pump balloon)",
        _loss,
        "pairs",
        _need_pairs,
        (("bart_par4", "eta"), ("bart_ewmv", "lambda")),
        "What you did on the balloon after one popped.",
        zero="unchanged after a loss",
    ),
    Dimension(
        "decision_pace",
        "Decision pace",
        "deliberate",
        "fast",
        "−log10 median time between pumps (ms)",
        _pace,
        "balloons",
        _need_intervals,
        (),
        "How quickly you pumped, pump after pump.",
    ),
    Dimension(
        "consistency",
        "Consistency",
        "exploratory",
        "consistent",
        "−coefficient of variation of pumps on collected balloons",
        _consistency,
        "balloons",
        _need_collected(5),
        (("bart_par4", "tau"), ("bart_ewmv", "tau")),
        "How similar your choices were from one balloon to the next.",
    ),
    Dimension(
        "learning",
        "Change over the game",
        "more cautious over time",
        "more daring over time",
        "signed slope of pumps on collected balloons over play order, per 10 balloons (per 128-pump balloon)",
        _learning,
        "balloons",
        _need_trend,
        (("bart_par4", "eta"), ("bart_ewmv", "eta")),
        "Whether you pumped more, or less, as the game went on.",
        zero="no trend over the game",
    ),
)
BY_KEY = {d.key: d for d in DIMENSIONS}

PLACEHOLDER_SOURCE = (
    "placeholder scale of the platform's authors (bart-traits/2.0.0): not published norms, not measured on any "
    "sample; gives researchers a z for charts, never a percentile"
)
# Signed indicators are centred on their meaningful zero; the spreads are guesses (docs/traits.md).
PLACEHOLDER: dict[str, Norm] = {
    "risk_tolerance": Norm("placeholder", 32.0, 12.0, PLACEHOLDER_SOURCE),
    "reaction_to_loss": Norm("placeholder", 0.0, 8.0, PLACEHOLDER_SOURCE),
    "decision_pace": Norm("placeholder", -math.log10(300.0), 0.2, PLACEHOLDER_SOURCE),
    "consistency": Norm("placeholder", -0.45, 0.15, PLACEHOLDER_SOURCE),
    "learning": Norm("placeholder", 0.0, 5.0, PLACEHOLDER_SOURCE),
}


def norms_from_values(values: dict[str, Sequence[float]], source: str) -> dict[str, Norm]:
    """Study norms: each dimension's sample of participants' values, kept when it has at least
    MIN_STUDY_NORMS + 1 values (so that each member, left out, is still compared with MIN_STUDY_NORMS
    others) and some spread. Dimensions left out are placed on the placeholder scale only."""
    out = {}
    for key, vals in values.items():
        norm = _sample_norm(vals, method=PERCENTILE_METHOD[key], source=source)
        if norm.n >= MIN_STUDY_NORMS + 1 and norm.sd > 0:
            out[key] = norm
    return out


def norms_to_json(norms: dict[str, Norm]) -> dict[str, dict[str, Any]]:
    return {key: norm_to_json(n) for key, n in sorted(norms.items())}


def norms_from_json(data: dict[str, dict[str, Any]], label: str | None = None) -> dict[str, Norm]:
    out = {}
    for key, d in data.items():
        if key in BY_KEY and d.get("values"):
            n = norm_from_json(key, d)
            out[key] = Norm(n.basis, n.mean, n.sd, n.source, n.method, n.values, label)
    return out


def norms_hash(norms: dict[str, Norm]) -> str:
    """SHA-256 of the canonical JSON of the norms (values included) with TRAITS_VERSION."""
    payload = {"traits_version": TRAITS_VERSION, "norms": norms_to_json(norms)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def study_norms_label(norms: dict[str, Norm]) -> str:
    """What a profile standardized against these norms records in its `reference` field."""
    return "study-norms-" + norms_hash(norms)[:16]


def expanded_alpha(units: int) -> float:
    """The lower tail probability of a 95 % expanded percentile interval over ⌈units/ℓ⌉ blocks.

    Hesterberg's (2015) small-sample fix of the percentile interval: the quantile 2.5 % of a normal
    is replaced by √(k/(k−1))·t(k−1, 0.975), read on the normal scale; here k is the number of
    blocks, the effective number of independent units (about 7 for 30 balloons: quantiles 0.5 %).
    """
    k = max(units / block_length(units), 2.0)
    return float(_normal.cdf(-math.sqrt(k / (k - 1.0)) * _student_t.ppf(0.975, k - 1.0)))


def _replay_session(trials: Sequence[Trial], fits: dict[str, dict[str, Any]], seed: int) -> Session | None:
    """REPLAYS sessions of the fitted par4 agent on fresh schedules, or None without a par4 fit."""
    estimates = (fits.get("bart_par4") or {}).get("estimates") or {}
    if not trials or not all(k in estimates for k in ("phi", "eta", "gamma", "tau")):
        return None
    capacity = max(t.max_pumps for t in trials)
    pumps, collected = par4_replays(estimates, len(trials), capacity, np.random.default_rng([seed, 1]))
    scale = STANDARD_CAPACITY / capacity
    return Session((), pumps * scale, collected, np.arange(len(trials), dtype=np.float64), scale)


def _within_variance(dim: Dimension, replay: Session, units: int, rng: np.random.Generator) -> float | None:
    """The block-bootstrap variance the indicator shows inside one session of the model, averaged
    over WITHIN_REPLAYS of the replays: the part of the replay spread the block bootstrap already sees."""
    count = min(WITHIN_REPLAYS, replay.x.shape[0])
    # All count × WITHIN_SAMPLES resamples in one call: replay j's rows repeated against its own draws.
    rows = Session(
        (),
        np.repeat(replay.x[:count], WITHIN_SAMPLES, axis=0),
        np.repeat(replay.collected[:count], WITHIN_SAMPLES, axis=0),
        replay.position,
        replay.scale,
    )
    values = dim.statistic(rows, block_counts(units, count * WITHIN_SAMPLES, rng)).reshape(count, WITHIN_SAMPLES)
    found = [float(np.var(v[np.isfinite(v)])) for v in values if np.isfinite(v).sum() >= WITHIN_SAMPLES // 2]
    return float(np.mean(found)) if len(found) >= count // 2 else None


def _interval(
    dim: Dimension, s: Session, value: float, rng: np.random.Generator, replay: tuple[Session, Any] | None
) -> tuple[tuple[float, float] | None, float]:
    """The 95 % interval (block bootstrap, expanded percentile) and the factor the model widened it by.

    Where par4 replays exist (not for pace, which the model does not describe), their variance of
    the indicator minus the variance a block bootstrap sees inside one replay is the between-session
    part that resampling one session cannot show (what the first pops taught a learner); each side
    of the interval is lengthened to √(side² + (1.96·σ_between)²). The factor returned is the SD ratio.
    """
    units = len(s.trials) - (1 if dim.units == "pairs" else 0)
    values = dim.statistic(s, block_counts(units, BOOTSTRAP_SAMPLES, rng))
    values = values[np.isfinite(values)]
    if values.size < BOOTSTRAP_SAMPLES // 2:
        return None, 1.0
    a = expanded_alpha(units)
    lo, hi = float(np.quantile(values, a)), float(np.quantile(values, 1.0 - a))
    if replay is None or dim.key == "decision_pace":
        return (lo, hi), 1.0
    # The replays have their own random stream: with or without a fit, the block draws are the same.
    replay, replay_rng = replay
    sims = dim.statistic(replay, np.ones((replay.x.shape[0], units)))
    sims = sims[np.isfinite(sims)]
    within = _within_variance(dim, replay, units, replay_rng)
    observed = float(np.var(values))
    if sims.size < replay.x.shape[0] // 2 or within is None or observed <= 0:
        return (lo, hi), 1.0
    extra = max(float(np.var(sims)) - within, 0.0)
    # Each part with its own quantile: the expansion is for the few blocks of one session; the
    # between-session part comes from REPLAYS replays, so the normal 1.96 suffices for it.
    reach = 1.96**2 * extra
    lo_w, hi_w = math.sqrt((value - lo) ** 2 + reach), math.sqrt((hi - value) ** 2 + reach)
    factor = math.sqrt((observed + extra) / observed)
    return (value - lo_w, value + hi_w), factor


def _direction(dim: Dimension, interval: tuple[float, float] | None) -> str | None:
    """For a signed dimension: "high" or "low" when the whole interval is on that side of 0, else "none"."""
    if dim.zero is None:
        return None
    if interval is not None and interval[0] > 0:
        return "high"
    if interval is not None and interval[1] < 0:
        return "low"
    return "none"


def score_dimension(
    dim: Dimension,
    trials: Sequence[Trial],
    norm: Norm,
    rng: np.random.Generator,
    fits: dict[str, dict[str, Any]],
    replay: tuple[Session, Any] | None = None,
) -> dict[str, Any]:
    s = Session.of(trials)
    basis = norm.as_dict()
    base: dict[str, Any] = {
        "key": dim.key,
        "label": dim.label,
        "low_pole": dim.low_pole,
        "high_pole": dim.high_pole,
        "zero": dim.zero,
        "indicator": dim.indicator,
        "plain": dim.plain,
        "norm": basis,
        "reference": basis,  # the 1.x name of the same record, kept for readers of both versions
        "model_evidence": _evidence(dim, fits),
    }
    reason = dim.enough(trials)
    value = dim.value(trials) if reason is None else None
    if value is None:
        return {
            **base,
            "status": "insufficient_data",
            "reason": reason or "the indicator is undefined",
            "value": None,
            "value_interval": None,
            "direction": None,
            "facts": facts(dim.key, trials, None),
            "z": None,
            "z_interval": None,
            "percentile": None,
            "percentile_interval": None,
        }
    interval, widened = _interval(dim, s, value, rng, replay)
    z_int = None if interval is None else [(v - norm.mean) / norm.sd for v in interval]
    pct = percentile(norm, value)
    return {
        **base,
        "status": "ok",
        "reason": None,
        "value": value,
        "value_interval": list(interval) if interval else None,
        "interval_method": {
            "kind": "circular block bootstrap, expanded percentile, widened by par4 replays' between-session variance",
            "units": dim.units,
            "block_length": block_length(len(trials) - (1 if dim.units == "pairs" else 0)),
            "samples": BOOTSTRAP_SAMPLES,
            "model_replays": REPLAYS if replay is not None and dim.key != "decision_pace" else 0,
            "model_widening": widened,
        },
        "direction": _direction(dim, interval),
        "facts": facts(dim.key, trials, value),
        "z": (value - norm.mean) / norm.sd,
        "z_interval": z_int,
        "percentile": pct,
        "percentile_interval": (
            [percentile(norm, interval[0]), percentile(norm, interval[1])] if interval and pct is not None else None
        ),
    }


def _evidence(dim: Dimension, fits: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for model, param in dim.evidence:
        fit = fits.get(model)
        if fit and param in fit.get("estimates", {}):
            out.append(
                {
                    "model": model,
                    "version": fit.get("version"),
                    "parameter": param,
                    "estimate": fit["estimates"][param],
                    "interval": fit.get("intervals", {}).get(param),
                    "converged": fit.get("converged"),
                }
            )
    return out


def compute_profile(
    trials: Sequence[Trial],
    fits: dict[str, dict[str, Any]] | None = None,
    *,
    seed: int = 0,
    norms: dict[str, Norm] | None = None,
) -> dict[str, Any]:
    """Every dimension of TRAITS_VERSION for the balloons given (the primary colour, in play order).

    `norms` are the (already leave-one-out) norms to place the person against; a dimension without
    a usable one is put on the placeholder scale (z only). `seed` drives the bootstrap; the pipeline
    derives it from the input-events hash so the same input always gives the same intervals.
    """
    rng = np.random.default_rng(seed)
    trials = list(trials)
    norms, fits = norms or {}, fits or {}
    replay_session = _replay_session(trials, fits, seed)
    replay = None if replay_session is None else (replay_session, np.random.default_rng([seed, 2]))
    dims = []
    for d in DIMENSIONS:
        norm = norms.get(d.key)
        dims.append(
            score_dimension(d, trials, norm if norm and _usable(norm) else PLACEHOLDER[d.key], rng, fits, replay)
        )
    return {
        "version": TRAITS_VERSION,
        "n_balloons": len(trials),
        "dimensions": dims,
        "bootstrap_samples": BOOTSTRAP_SAMPLES,
    }

"""What a trait indicator is compared with: a study's own norms (leave-one-out) or a placeholder scale (pure).

A **study norm** is the sample of one indicator value per participant (their first session). A
person is never part of their own norm: their own value is taken out before they are placed
(`leave_one_out`). The percentile is empirical (mid-rank) for indicators that are bounded or
skewed, and normal (Φ of the leave-one-out z) for those that are symmetric and unbounded
(`PERCENTILE_METHOD`, docs/traits.md). The **placeholder scale** is the platform authors' guess
of a centre and a spread: it gives researchers a z for charts, never a percentile.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# A person is placed against at least this many OTHER participants (after leaving them out):
# at 30 the standard error of a percentile near the middle is about 0.5/√30 ≈ 9 points.
MIN_STUDY_NORMS = 30

# Per indicator, how a value becomes a percentile (reasons in docs/traits.md, "Norms").
PERCENTILE_METHOD: dict[str, str] = {
    "risk_tolerance": "empirical",  # adjusted pumps: bounded 0..128, skewed by the pops that cut balloons short
    "reaction_to_loss": "normal",  # a difference of means, signed, symmetric around "unchanged" (0)
    "decision_pace": "normal",  # log of a median latency: the log removes the latencies' right skew
    "consistency": "empirical",  # −CV: bounded above by 0, right-skewed
    "learning": "normal",  # a signed slope, symmetric around "no trend" (0)
}


@dataclass(frozen=True, slots=True)
class Norm:
    """The comparison of one dimension. `values` (sorted) only for a sample norm."""

    basis: str  # "placeholder", "study" or "published"
    mean: float
    sd: float
    source: str
    method: str = "none"  # percentile method: "none" (placeholder), "empirical" or "normal"
    values: tuple[float, ...] = field(default=())
    label: str | None = None  # the StudyNorms label, for a study norm
    leave_one_out: bool = False  # True when the scored person's own value was taken out

    @property
    def n(self) -> int:
        return len(self.values)

    def as_dict(self) -> dict[str, Any]:
        """What a profile records of its comparison (the values themselves stay in the norms row)."""
        return {
            "basis": self.basis,
            "mean": self.mean,
            "sd": self.sd,
            "source": self.source,
            "percentile_method": self.method,
            "n": self.n if self.basis != "placeholder" else None,
            "label": self.label,
            "leave_one_out": self.leave_one_out,
        }


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def sample_norm(
    values: Sequence[float], *, method: str, source: str, basis: str = "study", label: str | None = None
) -> Norm:
    vals = tuple(sorted(float(v) for v in values))
    n = len(vals)
    mean = math.fsum(vals) / n if n else math.nan
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in vals) / (n - 1)) if n > 1 else math.nan
    return Norm(basis, mean, sd, source, method, vals, label)


def leave_one_out(norm: Norm, own: float | None) -> Norm:
    """The norm without one occurrence of the scored person's own value (unchanged if it is not there).

    Values are matched exactly: the norm was built from the very numbers stored in the person's
    profile, so their contribution is found bit for bit; another person's equal value would leave
    the same sample behind anyway.
    """
    if norm.basis == "placeholder" or own is None:
        return norm
    vals = list(norm.values)
    at = bisect.bisect_left(vals, own)
    if at == len(vals) or vals[at] != own:
        return norm
    del vals[at]
    out = sample_norm(vals, method=norm.method, source=norm.source, basis=norm.basis, label=norm.label)
    return Norm(out.basis, out.mean, out.sd, out.source, out.method, out.values, out.label, True)


def usable(norm: Norm) -> bool:
    """A sample norm places a person only with MIN_STUDY_NORMS others and some spread."""
    if norm.basis == "placeholder":
        return False
    return norm.n >= MIN_STUDY_NORMS and norm.sd > 0 and math.isfinite(norm.sd)


def percentile(norm: Norm, value: float) -> float | None:
    """Percentile of `value` in the norm (None for a placeholder or an unusable sample).

    Empirical: mid-rank, 100·(#{x < v} + ½·#{x = v}) / n, so a value equal to everyone is at 50.
    Normal: 100·Φ((v − mean) / sd).
    """
    if not usable(norm):
        return None
    if norm.method == "empirical":
        below = bisect.bisect_left(norm.values, value)
        equal = bisect.bisect_right(norm.values, value) - below
        return 100.0 * (below + 0.5 * equal) / norm.n
    return 100.0 * _phi((value - norm.mean) / norm.sd)


def norm_to_json(norm: Norm) -> dict[str, Any]:
    """A sample norm as stored in StudyNorms.reference (with its values, for leave-one-out)."""
    return {**norm.as_dict(), "values": list(norm.values)}


def norm_from_json(key: str, data: dict[str, Any]) -> Norm:
    return Norm(
        str(data.get("basis", "study")),
        float(data["mean"]),
        float(data["sd"]),
        str(data["source"]),
        str(data.get("percentile_method", PERCENTILE_METHOD[key])),
        tuple(float(v) for v in data.get("values", ())),
        data.get("label"),
        False,
    )

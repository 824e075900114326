"""Intraclass correlations for test–retest reliability (pure, no Django).

A complete n × k matrix: n targets (participants) in rows, k raters (sessions) in columns. The
three single-measure ICCs of Shrout & Fleiss (1979) are computed from the two-way ANOVA mean
squares, each with the exact (ICC(1,1), ICC(3,1)) or approximate (ICC(2,1)) F-based confidence
interval of McGraw & Wong (1996, Table 7). Formulas, sources and the choice of ICC(2,1) as the
retest figure: docs/reliability-validity.md.

| here     | Shrout & Fleiss | McGraw & Wong                                   |
|----------|-----------------|-------------------------------------------------|
| ICC(1,1) | ICC(1,1)        | ICC(1), one-way random                          |
| ICC(2,1) | ICC(2,1)        | ICC(A,1), two-way random, absolute agreement    |
| ICC(3,1) | ICC(3,1)        | ICC(C,1), two-way mixed, consistency            |
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from scipy import stats

# Bumped on any change that can change a stored or reported number (docs/science.md, "Versioning policy").
RELIABILITY_VERSION = "1.0.0"

IccKind = Literal["ICC(1,1)", "ICC(2,1)", "ICC(3,1)"]
ICC_KINDS: tuple[IccKind, ...] = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)")

# Fewer than 3 targets leaves the between-target mean square on 1 degree of freedom: the
# interval then spans almost all of [-1/(k-1), 1] and the point estimate means little.
MIN_TARGETS = 3

# An error mean square this small relative to the total mean square is rounding noise, not
# variance: the residuals of a perfectly agreeing matrix come out as ~1e-16, not as 0.
_RELATIVE_ZERO = 1e-12


@dataclass(frozen=True, slots=True)
class AnovaTable:
    """Mean squares of the two-way ANOVA without replication of an n × k matrix.

    msr: between rows (targets), df n − 1; msc: between columns (raters), df k − 1;
    mse: residual (rows × columns), df (n − 1)(k − 1); msw: within rows (columns + residual
    pooled, the one-way model's error), df n(k − 1); mst: total, df nk − 1.
    """

    n: int
    k: int
    msr: float
    msc: float
    mse: float
    msw: float
    mst: float


@dataclass(frozen=True, slots=True)
class IccResult:
    """One ICC with its interval and F test, or `icc` None and a `reason` saying why not.

    f_value, df1, df2, p_value: the F test of H₀ ρ = 0 (MSR/MSW for ICC(1,1), MSR/MSE otherwise).
    ci_df2: the denominator df used for the interval's lower F quantile; for ICC(2,1) this is
    McGraw & Wong's approximate v, not df2. excluded: participants left out by listwise deletion.
    """

    icc: float | None
    lower: float | None
    upper: float | None
    n: int
    k: int
    kind: IccKind
    f_value: float | None
    df1: int | None
    df2: int | None
    p_value: float | None
    reason: str | None = None
    ci_df2: float | None = None
    excluded: int = 0


def anova_table(matrix: Any) -> AnovaTable:
    """The mean squares of `matrix` (n × k, n ≥ 2, k ≥ 2, all finite)."""
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise ValueError(f"need an n × k matrix with n ≥ 2 and k ≥ 2, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("the matrix must be complete: use retest_icc for rows with missing values")
    n, k = x.shape
    grand = x.mean()
    row_means = x.mean(axis=1)
    col_means = x.mean(axis=0)
    ss_rows = k * float(np.sum((row_means - grand) ** 2))
    ss_cols = n * float(np.sum((col_means - grand) ** 2))
    ss_total = float(np.sum((x - grand) ** 2))
    # The residual computed from the residuals themselves, not as SST − SSR − SSC, so it cannot
    # come out slightly negative through cancellation.
    residuals = x - row_means[:, None] - col_means[None, :] + grand
    ss_error = float(np.sum(residuals**2))
    ss_within = float(np.sum((x - row_means[:, None]) ** 2))
    return AnovaTable(
        n=n,
        k=k,
        msr=ss_rows / (n - 1),
        msc=ss_cols / (k - 1),
        mse=ss_error / ((n - 1) * (k - 1)),
        msw=ss_within / (n * (k - 1)),
        mst=ss_total / (n * k - 1),
    )


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")


def _unavailable(kind: IccKind, n: int, k: int, reason: str, excluded: int = 0) -> IccResult:
    return IccResult(
        icc=None,
        lower=None,
        upper=None,
        n=n,
        k=k,
        kind=kind,
        f_value=None,
        df1=None,
        df2=None,
        p_value=None,
        reason=reason,
        excluded=excluded,
    )


def icc_from_table(table: AnovaTable, kind: IccKind, alpha: float = 0.05) -> IccResult:
    """ICC `kind` with its (1 − alpha) interval from the mean squares (McGraw & Wong 1996, Table 7)."""
    _check_alpha(alpha)
    if kind not in ICC_KINDS:
        raise ValueError(f"unknown ICC kind {kind!r}; one of {ICC_KINDS}")
    n, k = table.n, table.k
    msr, msc, mse, msw = table.msr, table.msc, table.mse, table.msw
    if n < MIN_TARGETS:
        return _unavailable(kind, n, k, f"{n} participants with complete data; at least {MIN_TARGETS} are needed")
    if table.mst <= 0.0:
        return _unavailable(kind, n, k, "no variance: every value is the same, so the ICC is 0/0")
    error_ms = msw if kind == "ICC(1,1)" else mse
    if error_ms <= _RELATIVE_ZERO * table.mst:
        # Every participant's sessions agree exactly (up to a common session shift for ICC(2,1)/(3,1)):
        # the F ratio is infinite and the interval undefined. Real retest data never do this, so it
        # usually means duplicated rows; report it rather than a bare 1.0.
        term = "within-participant" if kind == "ICC(1,1)" else "residual"
        return _unavailable(
            kind, n, k, f"no {term} variance: the F ratio is infinite and the interval undefined (duplicated data?)"
        )

    q = 1.0 - alpha / 2.0
    if kind == "ICC(1,1)":
        df1, df2 = n - 1, n * (k - 1)
        f_obs = msr / msw
        icc = (msr - msw) / (msr + (k - 1) * msw)
        f_l = f_obs / stats.f.ppf(q, df1, df2)
        f_u = f_obs * stats.f.ppf(q, df2, df1)
        lower = (f_l - 1.0) / (f_l + k - 1.0)
        upper = (f_u - 1.0) / (f_u + k - 1.0)
        ci_df2: float = df2
    elif kind == "ICC(3,1)":
        df1, df2 = n - 1, (n - 1) * (k - 1)
        f_obs = msr / mse
        icc = (msr - mse) / (msr + (k - 1) * mse)
        f_l = f_obs / stats.f.ppf(q, df1, df2)
        f_u = f_obs * stats.f.ppf(q, df2, df1)
        lower = (f_l - 1.0) / (f_l + k - 1.0)
        upper = (f_u - 1.0) / (f_u + k - 1.0)
        ci_df2 = df2
    else:  # ICC(2,1), McGraw & Wong's ICC(A,1)
        df1, df2 = n - 1, (n - 1) * (k - 1)
        f_obs = msr / mse
        icc = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
        ci_df2 = _absolute_agreement_df(icc, n, k, msc, mse)
        # With v degrees of freedom for the combined rater + error term (Satterthwaite 1946).
        f_l = stats.f.ppf(q, df1, ci_df2)
        f_u = stats.f.ppf(q, ci_df2, df1)
        c = k * msc + (k * n - k - n) * mse
        lower = n * (msr - f_l * mse) / (f_l * c + n * msr)
        upper = n * (f_u * msr - mse) / (c + n * f_u * msr)
    return IccResult(
        icc=float(icc),
        lower=float(lower),
        upper=float(upper),
        n=n,
        k=k,
        kind=kind,
        f_value=float(f_obs),
        df1=df1,
        df2=df2,
        p_value=float(stats.f.sf(f_obs, df1, df2)),
        ci_df2=float(ci_df2),
    )


def _absolute_agreement_df(icc: float, n: int, k: int, msc: float, mse: float) -> float:
    """McGraw & Wong's (1996, Table 7) v for ICC(A,1): the Satterthwaite df of a·MSC + b·MSE.

    a = kρ̂ / (n(1 − ρ̂)), b = 1 + kρ̂(n − 1) / (n(1 − ρ̂));
    v = (a·MSC + b·MSE)² / ((a·MSC)² / (k − 1) + (b·MSE)² / ((n − 1)(k − 1))).
    """
    a = k * icc / (n * (1.0 - icc))
    b = 1.0 + k * icc * (n - 1) / (n * (1.0 - icc))
    num = (a * msc + b * mse) ** 2
    den = (a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1))
    return num / den


def icc(matrix: Any, kind: IccKind = "ICC(2,1)", alpha: float = 0.05) -> IccResult:
    """ICC `kind` of a complete n × k matrix (rows: participants, columns: sessions)."""
    return icc_from_table(anova_table(matrix), kind, alpha)


def icc_1_1(matrix: Any, alpha: float = 0.05) -> IccResult:
    """One-way random, single measure: sessions are not the same "raters" for everyone."""
    return icc(matrix, "ICC(1,1)", alpha)


def icc_2_1(matrix: Any, alpha: float = 0.05) -> IccResult:
    """Two-way random, absolute agreement, single measure: a shift between sessions counts as error."""
    return icc(matrix, "ICC(2,1)", alpha)


def icc_3_1(matrix: Any, alpha: float = 0.05) -> IccResult:
    """Two-way mixed, consistency, single measure: a shift common to everyone is ignored."""
    return icc(matrix, "ICC(3,1)", alpha)


def _finite(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def complete_rows(
    values: Mapping[str, Sequence[float | None]], sessions: int = 2
) -> tuple[list[str], list[list[float]]]:
    """Listwise deletion: the participants (sorted) whose first `sessions` values are all finite.

    A row shorter than `sessions` is missing its later sessions; values past `sessions` are not
    used (a retest of sessions 1 and 2 stays that, whoever played a third).
    """
    keys: list[str] = []
    rows: list[list[float]] = []
    for key in sorted(values):
        row = list(values[key])[:sessions]
        if len(row) == sessions and all(_finite(v) for v in row):
            keys.append(key)
            rows.append([float(v) for v in row])  # type: ignore[arg-type]
    return keys, rows


def retest_icc(
    values: Mapping[str, Sequence[float | None]],
    sessions: int = 2,
    alpha: float = 0.05,
    kind: IccKind = "ICC(2,1)",
) -> IccResult:
    """Test–retest ICC over participants' sessions 1…`sessions`, by default ICC(2,1).

    `values` maps a participant to their per-session values in session order; None, NaN and ±inf
    are missing. Only participants with every one of the `sessions` values are kept (listwise
    deletion): the ANOVA estimators and their F intervals hold for a complete, balanced matrix
    only, and mixing complete and incomplete rows would let a participant with one session move
    MSR without contributing to MSE. The count left out is `excluded`; `n` is the count kept.
    """
    if sessions < 2:
        raise ValueError(f"a retest needs at least 2 sessions, got {sessions}")
    _check_alpha(alpha)
    _, rows = complete_rows(values, sessions)
    excluded = len(values) - len(rows)
    if len(rows) < MIN_TARGETS:
        reason = f"{len(rows)} participants with all {sessions} sessions; at least {MIN_TARGETS} are needed"
        return _unavailable(kind, len(rows), sessions, reason, excluded)
    return replace(icc_from_table(anova_table(rows), kind, alpha), excluded=excluded)

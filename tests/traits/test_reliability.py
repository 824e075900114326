"""ICCs against Shrout & Fleiss (1979, Table 2), a hand-built ANOVA, psych's published output and simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from traits.reliability import (
    ICC_KINDS,
    RELIABILITY_VERSION,
    IccResult,
    anova_table,
    complete_rows,
    icc,
    icc_1_1,
    icc_2_1,
    icc_3_1,
    retest_icc,
)

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SF = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def reference_mean_squares(rows):
    """The ANOVA of Shrout & Fleiss (1979, Table 1) with plain loops, independent of the module's numpy."""
    n, k = len(rows), len(rows[0])
    grand = sum(sum(r) for r in rows) / (n * k)
    row_means = [sum(r) / k for r in rows]
    col_means = [sum(rows[i][j] for i in range(n)) / n for j in range(k)]
    bms = wss = jss = ess = 0.0
    for i in range(n):
        bms += k * (row_means[i] - grand) ** 2
        for j in range(k):
            wss += (rows[i][j] - row_means[i]) ** 2
            ess += (rows[i][j] - row_means[i] - col_means[j] + grand) ** 2
    for j in range(k):
        jss += n * (col_means[j] - grand) ** 2
    return {
        "BMS": bms / (n - 1),
        "WMS": wss / (n * (k - 1)),
        "JMS": jss / (k - 1),
        "EMS": ess / ((n - 1) * (k - 1)),
    }


def reference_intervals(rows, alpha=0.05):
    """Each ICC and its interval in Shrout & Fleiss's (1979) own notation (their eqs. 2–4, 6, 8 and
    the ICC(2,1) interval of Fleiss & Shrout 1978). Its ICC(2,1) v is written in S&F's form, not in
    McGraw & Wong's a/b form the module uses: the two are algebraically equal, so agreement here
    checks the algebra as well as the code."""
    n, k = len(rows), len(rows[0])
    ms = reference_mean_squares(rows)
    bms, wms, jms, ems = ms["BMS"], ms["WMS"], ms["JMS"], ms["EMS"]
    q = 1 - alpha / 2
    out = {}

    f1 = bms / wms
    fl, fu = f1 / stats.f.ppf(q, n - 1, n * (k - 1)), f1 * stats.f.ppf(q, n * (k - 1), n - 1)
    out["ICC(1,1)"] = ((bms - wms) / (bms + (k - 1) * wms), (fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1))

    f3 = bms / ems
    fl, fu = f3 / stats.f.ppf(q, n - 1, (n - 1) * (k - 1)), f3 * stats.f.ppf(q, (n - 1) * (k - 1), n - 1)
    out["ICC(3,1)"] = ((bms - ems) / (bms + (k - 1) * ems), (fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1))

    r2 = (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)
    fj = jms / ems
    v = (k - 1) * (n - 1) * (k * r2 * fj + n * (1 + (k - 1) * r2) - k * r2) ** 2
    v /= (n - 1) * k**2 * r2**2 * fj**2 + (n * (1 + (k - 1) * r2) - k * r2) ** 2
    fs = stats.f.ppf(q, n - 1, v)
    fs_up = stats.f.ppf(q, v, n - 1)
    lower = n * (bms - fs * ems) / (fs * (k * jms + (k * n - k - n) * ems) + n * bms)
    upper = n * (fs_up * bms - ems) / (k * jms + (k * n - k - n) * ems + n * fs_up * bms)
    out["ICC(2,1)"] = (r2, lower, upper)
    return out


def test_version_is_pinned():
    assert RELIABILITY_VERSION == "1.0.0"


def test_mean_squares_match_a_hand_built_anova():
    table = anova_table(SF)
    ref = reference_mean_squares(SF)
    assert (table.n, table.k) == (6, 4)
    assert table.msr == pytest.approx(ref["BMS"], rel=1e-12)
    assert table.msw == pytest.approx(ref["WMS"], rel=1e-12)
    assert table.msc == pytest.approx(ref["JMS"], rel=1e-12)
    assert table.mse == pytest.approx(ref["EMS"], rel=1e-12)
    # Shrout & Fleiss (1979), Table 2's ANOVA: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02.
    assert [round(v, 2) for v in (table.msr, table.msw, table.msc, table.mse)] == [11.24, 6.26, 32.49, 1.02]


def test_shrout_fleiss_table_2_point_estimates():
    # Shrout & Fleiss (1979), Table 2: ICC(1,1) = .17, ICC(2,1) = .29, ICC(3,1) = .71.
    assert round(icc_1_1(SF).icc, 2) == 0.17
    assert round(icc_2_1(SF).icc, 2) == 0.29
    assert round(icc_3_1(SF).icc, 2) == 0.71


@pytest.mark.parametrize("kind", ICC_KINDS)
@pytest.mark.parametrize("alpha", [0.05, 0.10, 0.01])
def test_intervals_match_the_reference_computation(kind, alpha):
    result = icc(SF, kind, alpha)
    expected = reference_intervals(SF, alpha)[kind]
    assert (result.icc, result.lower, result.upper) == pytest.approx(expected, rel=1e-9)
    assert result.lower < result.icc < result.upper


def test_matches_psych_icc_output_for_the_shrout_fleiss_data():
    """R psych::ICC(sf) (aov, alpha .05) as commonly quoted (R not run here): ICC1 .17 [-0.133, 0.72],
    F 1.8 on 5 and 18, p .165; ICC2 .29 [0.019, 0.76] and ICC3 .71 [0.342, 0.95], both F 11 on 5 and 15, p .00013."""
    r1, r2, r3 = icc_1_1(SF), icc_2_1(SF), icc_3_1(SF)
    assert (round(r1.lower, 3), round(r1.upper, 2)) == (-0.133, 0.72)
    assert (round(r2.lower, 3), round(r2.upper, 2)) == (0.019, 0.76)
    assert (round(r3.lower, 3), round(r3.upper, 2)) == (0.342, 0.95)
    assert (round(r1.f_value, 1), r1.df1, r1.df2, round(r1.p_value, 3)) == (1.8, 5, 18, 0.165)
    for r in (r2, r3):
        assert (round(r.f_value, 1), r.df1, r.df2, round(r.p_value, 5)) == (11.0, 5, 15, 0.00013)
    # ICC(2,1)'s interval uses the Satterthwaite df v ≈ 4.79, not 15.
    assert r2.ci_df2 == pytest.approx(4.785, abs=1e-3)


def test_two_sessions_agreement_versus_consistency():
    # A shift of +2 in session 2 for everyone: consistency (ICC(3,1)) ignores it, agreement (ICC(2,1)) does not.
    base = [1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 2.5, 3.5]
    noise = [0.3, -0.2, 0.1, -0.4, 0.2, 0.0, -0.1, 0.1]
    rows = [[b, b + 2.0 + e] for b, e in zip(base, noise, strict=True)]
    agreement, consistency = icc_2_1(rows), icc_3_1(rows)
    assert consistency.icc > 0.95
    assert agreement.icc < consistency.icc - 0.2
    assert agreement.icc == pytest.approx(reference_intervals(rows)["ICC(2,1)"][0], rel=1e-12)


def test_the_intervals_cover_the_true_icc_about_95_percent_of_the_time():
    """Simulated from the two-way random model (ρ = σ²_t / (σ²_t + σ²_s + σ²_e) = 0.6): the exact
    ICC(3,1) interval and the approximate ICC(2,1) interval should each cover near 95 %."""
    rng = np.random.default_rng(20260101)
    n, k, sims = 30, 2, 2000
    var_t, var_s, var_e = 0.6, 0.1, 0.3
    rho_agreement = var_t / (var_t + var_s + var_e)
    rho_consistency = var_t / (var_t + var_e)
    hit2 = hit3 = 0
    for _ in range(sims):
        x = (
            rng.normal(0, math.sqrt(var_t), (n, 1))
            + rng.normal(0, math.sqrt(var_s), (1, k))
            + rng.normal(0, math.sqrt(var_e), (n, k))
        )
        table = anova_table(x)
        r2, r3 = icc(x, "ICC(2,1)"), icc(x, "ICC(3,1)")
        assert table.n == n
        hit2 += r2.lower <= rho_agreement <= r2.upper
        hit3 += r3.lower <= rho_consistency <= r3.upper
    # 2000 draws: the binomial SE at 95 % is 0.5 points; ±2 points leaves room for the approximation.
    assert abs(hit3 / sims - 0.95) < 0.02
    assert abs(hit2 / sims - 0.95) < 0.03


def sf_mapping():
    return {f"p{i}": list(map(float, row)) for i, row in enumerate(SF)}


def test_retest_icc_defaults_to_icc_2_1_and_reports_everything():
    result = retest_icc(sf_mapping(), sessions=4)
    assert isinstance(result, IccResult)
    assert result.kind == "ICC(2,1)"
    assert (result.n, result.k, result.excluded, result.reason) == (6, 4, 0, None)
    assert result == icc_2_1(SF)


def test_retest_icc_deletes_incomplete_participants_listwise():
    values = sf_mapping()
    values["missing_session"] = [5.0, None, 3.0, 4.0]
    values["nan_session"] = [5.0, float("nan"), 3.0, 4.0]
    values["inf_session"] = [5.0, 2.0, float("inf"), 4.0]
    values["short_row"] = [5.0, 2.0, 3.0]
    values["empty"] = []
    result = retest_icc(values, sessions=4)
    expected = icc_2_1(SF)
    assert (result.icc, result.lower, result.upper) == (expected.icc, expected.lower, expected.upper)
    assert (result.n, result.excluded) == (6, 5)


def test_retest_icc_uses_only_the_first_sessions():
    # Sessions 1 and 2 of the S&F data; a third value (another session) must not change the result.
    two = {f"p{i}": [float(row[0]), float(row[1])] for i, row in enumerate(SF)}
    three = {f"p{i}": [float(row[0]), float(row[1]), 99.0] for i, row in enumerate(SF)}
    three["p_missing_third"] = [4.0, 2.0, None]  # complete for a 2-session retest: kept
    keys, rows = complete_rows(three, sessions=2)
    assert "p_missing_third" in keys and all(len(r) == 2 for r in rows)
    assert retest_icc(two) == icc_2_1([r[:2] for r in SF])
    assert retest_icc(three).n == 7


@pytest.mark.parametrize("kind", ICC_KINDS)
def test_fewer_than_three_complete_participants_gives_a_reason(kind):
    values = {"a": [1.0, 2.0], "b": [3.0, 5.0], "c": [4.0, None], "d": [None, None]}
    result = retest_icc(values, kind=kind)
    assert result.icc is None and result.lower is None and result.upper is None and result.p_value is None
    assert result.n == 2 and result.excluded == 2
    assert "at least 3" in result.reason
    # The complete-matrix entry point says the same for a 2-row matrix.
    assert icc([[1.0, 2.0], [3.0, 5.0]], kind).reason is not None


@pytest.mark.parametrize("kind", ICC_KINDS)
def test_zero_variance_gives_a_reason(kind):
    result = retest_icc({"a": [2.0, 2.0], "b": [2.0, 2.0], "c": [2.0, 2.0]}, kind=kind)
    assert result.icc is None and result.n == 3
    assert "no variance" in result.reason


def test_perfect_agreement_gives_a_reason_not_an_infinite_f():
    rows = {"a": [1.0, 1.0], "b": [2.0, 2.0], "c": [3.5, 3.5], "d": [0.1, 0.1]}
    for kind in ICC_KINDS:
        result = retest_icc(rows, kind=kind)
        assert result.icc is None and result.f_value is None
        assert "variance" in result.reason


def test_a_common_shift_without_residual_variance_leaves_only_the_one_way_icc():
    # Residual variance 0 but a session shift: ICC(3,1) and ICC(2,1) are undefined here (infinite
    # F), ICC(1,1) counts the shift as within-participant variance and is defined.
    rows = [[1.0, 2.0], [2.0, 3.0], [3.5, 4.5], [0.1, 1.1]]
    assert icc_3_1(rows).icc is None and icc_2_1(rows).icc is None
    one_way = icc_1_1(rows)
    assert one_way.icc is not None and one_way.reason is None


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        retest_icc(sf_mapping(), sessions=1)
    with pytest.raises(ValueError):
        retest_icc(sf_mapping(), alpha=0.0)
    with pytest.raises(ValueError):
        icc([[1.0, float("nan")], [2.0, 3.0], [4.0, 5.0]])
    with pytest.raises(ValueError):
        icc([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError):
        icc(SF, "ICC(2,k)")  # type: ignore[arg-type]


def test_result_is_frozen():
    result = icc_2_1(SF)
    with pytest.raises(AttributeError):
        result.icc = 1.0  # type: ignore[misc]

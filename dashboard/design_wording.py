"""Plain-language lines for the reliability and validity panels (pure, no Django).

ICC bands: Koo & Li (2016), J Chiropr Med 15(2):155-163 — below 0.50 poor, 0.50-0.75 moderate,
0.75-0.90 good, above 0.90 excellent; they ask for the band of the whole 95 % interval, not only
the point. Correlation sizes: Cohen (1988) — |r| 0.10 small, 0.30 medium, 0.50 large.
"""

from __future__ import annotations

# (lower bound, name), highest first.
ICC_BANDS: tuple[tuple[float, str], ...] = ((0.90, "excellent"), (0.75, "good"), (0.50, "moderate"))
R_SIZES: tuple[tuple[float, str], ...] = ((0.50, "large"), (0.30, "medium"), (0.10, "small"))


def icc_band(value: float) -> str:
    return next((name for bound, name in ICC_BANDS if value >= bound), "poor")


def r_size(value: float) -> str:
    return next((name for bound, name in R_SIZES if abs(value) >= bound), "negligible")


def not_enough(n: int, needs: int, reason: str | None) -> str:
    if n < needs:
        return f"not enough data (n = {n}; needs {needs})"
    return f"not computable: {reason}" if reason else "not computable"


def icc_words(
    icc: float | None, lower: float | None, upper: float | None, n: int, needs: int, reason: str | None
) -> dict[str, str]:
    """{"band", "plain"}: the Koo & Li band of the estimate and what its interval allows."""
    if icc is None:
        return {"band": "", "plain": not_enough(n, needs, reason)}
    band = icc_band(icc)
    plain = f"{band.capitalize()} agreement between session 1 and session 2 (Koo & Li 2016)"
    if lower is not None and upper is not None:
        low, high = icc_band(lower), icc_band(upper)
        plain += (
            "; the 95 % interval lies within that band"
            if low == high == band
            else f"; the 95 % interval spans {low} to {high}"
        )
    return {"band": band, "plain": plain + "."}


def r_words(
    r: float | None, lower: float | None, upper: float | None, n: int, needs: int, reason: str | None
) -> dict[str, str]:
    """{"size", "plain"}: the Cohen size and direction of r, and whether its interval excludes 0."""
    if r is None:
        return {"size": "", "plain": not_enough(n, needs, reason)}
    size = r_size(r)
    direction = "positive" if r > 0 else "negative" if r < 0 else "no"
    plain = f"A {size} {direction} correlation (Cohen 1988)"
    if lower is not None and upper is not None:
        plain += "; the 95 % interval includes 0" if lower <= 0 <= upper else "; the 95 % interval excludes 0"
    return {"size": size, "plain": plain + "."}

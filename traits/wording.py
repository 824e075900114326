"""What the participant reads about one dimension of their profile (pure, no Django).

The rules (docs/traits.md, "What participants see"): what they did is always said in plain terms
with their own numbers (pumps of the real balloon, seconds). A direction is claimed for a signed
dimension only when its whole interval is on one side of 0, which needs no norm. A place among
other people is said only against a norm that has one (a study's own, leaving the person out, or
a published one) — never against the authors' placeholder scale.
"""

from __future__ import annotations

from typing import Any

NORMED = ("study", "published")


def _n(value: Any, digits: int = 0) -> str:
    return f"{float(value):.{digits}f}"


def is_placed(dimension: dict[str, Any]) -> bool:
    """True when the dimension has a place among other people worth showing (a real norm)."""
    norm = dimension.get("norm") or {}
    return norm.get("basis") in NORMED and dimension.get("percentile") is not None


def behaviour(dimension: dict[str, Any]) -> str:
    """What the person did, in plain terms with their own numbers."""
    f = dimension.get("facts") or {}
    key = dimension.get("key")
    if key == "risk_tolerance" and f.get("mean_pumps") is not None:
        text = f"You pumped {_n(f['mean_pumps'])} times on average on the balloons you collected"
        if f.get("max_pumps"):
            text += f"; a balloon could take up to {f['max_pumps']} pumps"
        return text + "."
    if key == "reaction_to_loss" and f.get("after_pop_mean") is not None and f.get("after_collect_mean") is not None:
        return (
            f"Right after a pop you pumped {_n(f['after_pop_mean'])} times on average; "
            f"right after a balloon you collected, {_n(f['after_collect_mean'])} times "
            "(counting the balloons you went on to collect)."
        )
    if key == "decision_pace" and f.get("median_ms") is not None:
        return f"The typical time between two pumps was {_n(f['median_ms'] / 1000, 2)} seconds."
    if key == "consistency" and f.get("mean_pumps") is not None and f.get("sd_pumps") is not None:
        return (
            f"On the balloons you collected you pumped {_n(f['mean_pumps'])} times on average, "
            f"usually within about {_n(f['sd_pumps'])} pumps of that."
        )
    if key == "learning" and f.get("start_pumps") is not None:
        return (
            f"Over the game, your collected balloons went from about {_n(max(f['start_pumps'], 0))} pumps "
            f"to about {_n(max(f['end_pumps'], 0))}."
        )
    return ""


def direction(dimension: dict[str, Any]) -> str:
    """For a signed dimension: which way the session leaned, only when its interval says so."""
    way = dimension.get("direction")
    if way is None:
        return ""
    f = dimension.get("facts") or {}
    if dimension.get("key") == "reaction_to_loss":
        if way == "none":
            return "One game does not show a clear change after a pop, either way."
        change = _n(abs(float(f.get("change_pumps") or 0.0)), 1)
        more = "more" if way == "high" else "fewer"
        pole = dimension["high_pole" if way == "high" else "low_pole"]
        lead = "Allowing for how your pumping changed over the game, you pumped"
        return f"{lead} about {change} {more} after a pop: “{pole}”."
    if dimension.get("key") == "learning":
        if way == "none":
            return "One game does not show a clear trend up or down."
        per_10 = _n(abs(float(f.get("per_10_balloons") or 0.0)), 1)
        more, less = ("more", "more") if way == "high" else ("less", "fewer")
        pole = dimension["high_pole" if way == "high" else "low_pole"]
        return f"You pumped {more} as the game went on (about {per_10} {less} every 10 balloons): “{pole}”."
    return ""


def position(dimension: dict[str, Any]) -> str:
    """Where the person lies among the norm's participants, with the range one session leaves."""
    if not is_placed(dimension):
        return ""
    norm = dimension["norm"]
    p = float(dimension["percentile"])
    interval = dimension.get("percentile_interval")
    lo, hi = (float(interval[0]), float(interval[1])) if interval else (None, None)
    spans_middle = lo is not None and hi is not None and lo <= 50 <= hi
    if 31 <= p <= 69:
        where = "near the middle of them"
    elif spans_middle:
        where = "with no clear lean toward either end (one session leaves a wide range)"
    elif p < 16:
        where = f"clearly toward “{dimension['low_pole']}”"
    elif p < 31:
        where = f"somewhat toward “{dimension['low_pole']}”"
    elif p <= 84:
        where = f"somewhat toward “{dimension['high_pole']}”"
    else:
        where = f"clearly toward “{dimension['high_pole']}”"
    whom = f"{norm['n']} other participants of this study" if norm.get("basis") == "study" else "a published sample"
    text = f"Compared with {whom}, you played {where}."
    if lo is not None and hi is not None:
        if round(lo) == round(hi):
            text += f" Your place is about {lo:.0f} of 100."
        else:
            text += f" Given how much one session can vary, your place is likely between {lo:.0f} and {hi:.0f} of 100."
    return text


def describe(dimension: dict[str, Any]) -> str:
    """Every sentence the participant reads about one dimension."""
    if dimension.get("status") != "ok":
        return "We could not describe this from your game: " + (dimension.get("reason") or "not enough data") + "."
    return " ".join(part for part in (behaviour(dimension), direction(dimension), position(dimension)) if part)


def basis(dimension: dict[str, Any]) -> str:
    """For researchers: what the dimension's z and percentile stand on, in one line."""
    norm = dimension.get("norm") or dimension.get("reference") or {}
    kind = norm.get("basis")
    if kind == "study":
        left_out = "this participant left out" if norm.get("leave_one_out") else "this participant not among them"
        return (
            f"Study norms {norm.get('label')}: n = {norm.get('n')} other participants ({left_out}), "
            f"{norm.get('percentile_method')} percentile."
        )
    if kind == "published":
        return (
            f"Published norm: {norm.get('source')} (n = {norm.get('n')}), {norm.get('percentile_method')} percentile."
        )
    if kind == "placeholder":
        return "No norm yet: z on the authors' placeholder scale (for the chart only), no percentile."
    return "Basis not recorded (a profile of an earlier traits version): " + str(norm.get("source", "unknown"))


def basis_rows(dimension: dict[str, Any]) -> list[tuple[str, str]]:
    """For researchers: the rows under a dimension's chart, each number with what it is."""
    rows: list[tuple[str, str]] = []
    if dimension.get("value") is not None:
        rows.append((f"Indicator: {dimension['indicator']}", f"{dimension['value']:.3g}"))
    interval = dimension.get("value_interval")
    method = dimension.get("interval_method") or {}
    if interval:
        how = (
            f"95 % interval ({method.get('kind', 'bootstrap')}, blocks of {method.get('block_length')} "
            f"{method.get('units')}, {method.get('samples')} resamples)"
            if method
            else "95 % bootstrap interval"
        )
        rows.append((how, f"{interval[0]:.3g} to {interval[1]:.3g}"))
    if dimension.get("zero"):
        way = dimension.get("direction")
        said = {"high": dimension["high_pole"], "low": dimension["low_pole"]}.get(way or "", "no clear direction")
        rows.append((f"Direction (0 = {dimension['zero']}; interval entirely on one side)", said))
    rows.append(("Basis of z and percentile", basis(dimension)))
    if dimension.get("percentile") is not None:
        pct = f"{dimension['percentile']:.0f}"
        p_int = dimension.get("percentile_interval")
        if p_int:
            pct += f" ({p_int[0]:.0f} to {p_int[1]:.0f})"
        rows.append(("Percentile among the norm's participants", pct))
    return rows

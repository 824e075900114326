"""The participant's feedback page (`/results/`): each dimension as a position between its two poles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from dashboard.svg import bipolar_svg
from pseudonymization.pages import consent_required
from traits.apis import PROFILE_NOTICE
from traits.selectors import profile_latest


def describe(dimension: dict[str, Any]) -> str:
    """Where the position lies, in plain words (z within ±0.5 is "in the middle").

    A lean toward a pole is claimed only when the session's range of likely places (the percentile
    interval) stays on that side of the middle: "clearly toward" beside "between 0 and 90" said two
    contradictory things. A range that rounds to one number is said as one number.
    """
    z = dimension.get("z")
    if z is None:
        return "We could not place you on this dimension: " + (dimension.get("reason") or "not enough data") + "."
    interval = dimension.get("percentile_interval")
    lo, hi = (float(interval[0]), float(interval[1])) if interval else (None, None)
    spans_middle = lo is not None and hi is not None and lo <= 50 <= hi
    if -0.5 <= z <= 0.5:
        where = "in the middle of the reference group"
    elif spans_middle:
        where = "with no clear lean toward either end (one session leaves a wide range)"
    elif z <= -1.0:
        where = f"clearly toward “{dimension['low_pole']}”"
    elif z < -0.5:
        where = f"somewhat toward “{dimension['low_pole']}”"
    elif z < 1.0:
        where = f"somewhat toward “{dimension['high_pole']}”"
    else:
        where = f"clearly toward “{dimension['high_pole']}”"
    text = f"You played {where}."
    if lo is not None and hi is not None:
        if round(lo) == round(hi):
            text += f" Your place is about {lo:.0f} of 100."
        else:
            text += (
                f" Given how much one session can vary, your place is likely between {lo:.0f} and {hi:.0f} of 100."
            )
    return text


@consent_required
def results_page(request: HttpRequest) -> HttpResponse:
    profile = profile_latest(participant=request.participant)  # type: ignore[attr-defined]
    rows = []
    if profile is not None:
        for d in profile.dimensions:
            interval = tuple(d["z_interval"]) if d.get("z_interval") else None
            svg = bipolar_svg(
                low_pole=d["low_pole"],
                high_pole=d["high_pole"],
                position=d.get("z"),
                interval=interval,
                title=d["label"],
            )
            rows.append({"d": d, "svg": mark_safe(svg), "text": describe(d)})  # noqa: S308 (escaped by dashboard.svg)
    response = render(
        request,
        "traits/results.html",
        {"study": request.tenant, "profile": profile, "rows": rows, "notice": PROFILE_NOTICE},  # type: ignore[attr-defined]
    )
    response["Cache-Control"] = "no-store"
    return response

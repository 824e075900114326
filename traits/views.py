"""The participant's feedback page (`/results/`): what they did in plain terms, and a place among others
only where the study has norms for it (traits/wording.py has the rules)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from consent.gate import consent_required
from core.study import current_study
from traits.apis import PROFILE_NOTICE
from traits.charts import bipolar_svg
from traits.norms import MIN_STUDY_NORMS
from traits.selectors import profile_latest
from traits.wording import describe, is_placed

__all__ = ["describe", "results_page"]


def _bring_up_to_date(participant: object) -> None:
    """Queue the latest processed session again when it has no profile of the current version yet.

    After a traits version bump a participant's stored profiles are of the old version (kept), and
    this page shows only the current one; processing is idempotent, so queueing it (at most once a
    minute per participant) makes the page come back with the new profile instead of waiting for a
    study-wide recompute.
    """
    from games.selectors import session_latest_finished_id
    from traits.tasks import process_session

    session = session_latest_finished_id(participant=participant)
    if session is not None and cache.add(f"traits:requeue:{session}", 1, timeout=60):
        process_session.delay(str(session))


@consent_required
def results_page(request: HttpRequest) -> HttpResponse:
    participant = request.participant  # type: ignore[attr-defined]
    profile = profile_latest(participant=participant)
    rows = []
    if profile is None:
        _bring_up_to_date(participant)
    else:
        for d in profile.dimensions:
            svg = None
            if is_placed(d):
                interval = tuple(d["z_interval"]) if d.get("z_interval") else None
                svg = mark_safe(  # noqa: S308 (escaped by traits.charts)
                    bipolar_svg(
                        low_pole=d["low_pole"],
                        high_pole=d["high_pole"],
                        position=d.get("z"),
                        interval=interval,
                        title=d["label"],
                    )
                )
            rows.append({"d": d, "svg": svg, "text": describe(d)})
    response = render(
        request,
        "traits/results.html",
        {
            "study": current_study(request),
            "profile": profile,
            "rows": rows,
            "placed": any(r["svg"] for r in rows),
            "notice": PROFILE_NOTICE,
            "min_norms": MIN_STUDY_NORMS,
        },
    )
    response["Cache-Control"] = "no-store"
    return response

"""What the dashboard shows of the model fits: the study-level fit and one participant's parameters.

Each parameter carries its identification label (traits.identification) and each study-level figure
its basis (how many participants, which version, when), so no number reaches a page without them.
"""

from __future__ import annotations

from typing import Any

from pseudonymization.models import Participant
from traits import bart_models, hierarchical, identification
from traits.models import ModelFit
from traits.researcher_apis import BASIS
from traits.study_fits import fit_every, study_estimate_of, study_fit_sample_size, study_fits_latest

LABELS = {
    "omega": "\u03c9 = \u2212\u03b3 / ln \u03c6",  # omega = -gamma / ln phi, in the papers' notation
    "stop_point": "l* (U_pump = 0 at p = \u03c6)",
}


def _row(name: str, estimate: Any, interval: Any, label: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": LABELS.get(name, name),
        "estimate": estimate,
        "low": interval[0] if interval else None,
        "high": interval[1] if interval else None,
        **label,
    }


def _note(session: dict[str, Any], study: dict[str, Any]) -> str:
    """The row's note: the session fit's label, then the study-level one where that estimate is shown."""
    parts = []
    if session.get("note"):
        parts.append(f"This session: {session['note']}.")
    if study.get("note") and study.get("estimate") is not None:
        parts.append(f"Study level: {study['note']}.")
    return " ".join(parts)


def study_models_panel() -> dict[str, Any]:
    """The newest study-level fit of each model: the population median and 95 % range per parameter."""
    fits = []
    for name, fit in study_fits_latest().items():
        labels = identification.labels(name, fit.population, level="study")
        fits.append(
            {
                "model": name,
                "fit": fit,
                "rows": [_row(p, v["median"], (v["low"], v["high"]), labels[p]) for p, v in fit.population.items()],
            }
        )
    return {
        "fits": fits,
        "sample_size": study_fit_sample_size(),
        "minimum": hierarchical.MIN_PARTICIPANTS,
        "every": fit_every(),
        "basis": BASIS,
        "hierarchical_version": hierarchical.HIERARCHICAL_VERSION,
    }


def participant_models_panel(*, participant: Participant) -> list[dict[str, Any]]:
    """Per model: the latest session's MAP (primary colour first) beside the study-level estimate."""
    out = []
    for name, model in bart_models.MODELS.items():
        session_fit = (
            ModelFit.objects.filter(participant=participant, model_version=model.version)
            .order_by("-created_at", "-id")
            .first()
        )
        study = study_estimate_of(participant=participant, model=name)
        rows = []
        for p in model.params:
            session_label = identification.label(name, p.name, level="session")
            study_label = identification.label(name, p.name, level="study")
            rows.append(
                {
                    "session": _row(
                        p.name,
                        session_fit.estimates.get(p.name) if session_fit else None,
                        session_fit.intervals.get(p.name) if session_fit else None,
                        session_label,
                    ),
                    "study": _row(
                        p.name,
                        study.estimates.get(p.name) if study else None,
                        study.intervals.get(p.name) if study else None,
                        study_label,
                    ),
                }
            )
        for key, value in (study.derived if study else {}).items():
            low, high = value.get("low"), value.get("high")
            rows.append(
                {
                    "session": _row(key, None, None, identification.label(name, key, level="session")),
                    "study": _row(
                        key,
                        value.get("estimate"),
                        (low, high) if low is not None else None,
                        identification.label(name, key, level="study"),
                    ),
                }
            )
        for row in rows:
            row["note"] = _note(row["session"], row["study"])
        out.append({"model": name, "version": model.version, "session_fit": session_fit, "study": study, "rows": rows})
    return out

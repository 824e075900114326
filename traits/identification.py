"""Which model parameters the data pin down, and how far their intervals can be trusted (pure, no Django).

Measured by simulation over the empirically plausible ranges (traits.simulate.PLAUSIBLE_RANGES) with
`python -m bench.recovery --plausible` (docs/validation.md, "Identifiability"): a parameter counts
as **identified from one session** when the per-session fit recovers it with r >= IDENTIFIED_R
(Pearson, free scale) at 30 balloons (the shortest session the platform scores). A parameter that
is not is shown everywhere with `identified: false` and the note below, and is never a trait's
evidence without that label. The study-level fit (traits.hierarchical) identifies more of them:
its column is the same test on its estimates in studies of 60 participants.

`coverage_*` is the share of simulated agents whose true value fell inside the 95 % interval; below
INTERVAL_OK the interval is labelled `interval_calibrated: false` with a note.
"""

from __future__ import annotations

from typing import Any

IDENTIFIED_R = 0.85  # r² ≥ 0.72: most of the estimate's spread is the participant, not noise or prior
INTERVAL_OK = 0.9

# Per model: parameter (or identified combination) -> measured figures, `python -m bench.recovery
# --plausible --agents 200 --studies 4 --seed 2026` (docs/validation.md): r and 95 % coverage of one
# session's fit at 30 balloons (models 2.0.0: profile-likelihood intervals; the identified
# combinations ω and l* by the delta method), and of the study-level fit (4 studies x 60
# participants, 30-90 balloons).
_MEASURED: dict[str, dict[str, dict[str, float]]] = {
    "bart_par4": {
        "phi": {"r_session": 0.88, "coverage_session": 0.92, "r_study": 0.94, "coverage_study": 0.92},
        "eta": {"r_session": 0.82, "coverage_session": 0.92, "r_study": 0.87, "coverage_study": 0.90},
        "gamma": {"r_session": 0.80, "coverage_session": 0.91, "r_study": 0.97, "coverage_study": 0.93},
        "tau": {"r_session": 0.83, "coverage_session": 0.90, "r_study": 0.93, "coverage_study": 0.94},
        "omega": {"r_session": 0.95, "coverage_session": 0.92, "r_study": 0.97, "coverage_study": 0.94},
    },
    "bart_ewmv": {
        "phi": {"r_session": 0.64, "coverage_session": 0.94, "r_study": 0.82, "coverage_study": 0.79},
        "eta": {"r_session": 0.65, "coverage_session": 0.97, "r_study": 0.79, "coverage_study": 0.88},
        "rho": {"r_session": 0.34, "coverage_session": 0.96, "r_study": 0.54, "coverage_study": 0.19},
        "tau": {"r_session": 0.94, "coverage_session": 0.90, "r_study": 0.98, "coverage_study": 0.94},
        "lambda": {"r_session": 0.53, "coverage_session": 0.94, "r_study": 0.80, "coverage_study": 0.21},
        "stop_point": {"r_session": 0.79, "coverage_session": 0.97, "r_study": 0.92, "coverage_study": 0.90},
    },
}
# One session's intervals before 2.0.0 were Wald intervals (x̂ ± 1.96·SE on the free scale), which
# covered less often; fits stored under those versions keep them and are labelled by these figures
# (same command, 2026-12-03, docs/validation.md). The estimates, hence r, are the same.
_WALD_SESSION_COVERAGE: dict[str, dict[str, float]] = {
    "bart_par4": {"phi": 0.88, "eta": 0.92, "gamma": 0.88, "tau": 0.85, "omega": 0.93},
    "bart_ewmv": {"phi": 0.92, "eta": 0.91, "rho": 0.69, "tau": 0.91, "lambda": 0.85, "stop_point": 0.97},
}
_WALD_VERSIONS = {"bart_par4/1.0.0", "bart_par4/1.1.0", "bart_ewmv/1.0.0", "bart_ewmv/1.1.0"}
NOTE_NOT_IDENTIFIED = (
    "not identified from {what}: in simulation the fit recovered it poorly (r {r:.2f} < {limit:.2f}); "
    "it mostly reflects the prior or trades off with other parameters{study}"
)
NOTE_NARROW = "its 95 % interval covered the true value for only {c:.0%} of simulated agents: too narrow"


def label(model: str, parameter: str, *, level: str = "session", version: str | None = None) -> dict[str, Any]:
    """{identified, note, interval_calibrated} for one parameter of a session's fit or of the study-level fit.

    `version`: the model version a stored session fit was made with (its intervals' method); None
    means the current one.
    """
    measured = _MEASURED.get(model, {}).get(parameter)
    if measured is None:
        return {"identified": None, "note": "identifiability not measured", "interval_calibrated": None}
    r = measured["r_study" if level == "study" else "r_session"]
    coverage = measured["coverage_study" if level == "study" else "coverage_session"]
    if level == "session" and version in _WALD_VERSIONS:
        coverage = _WALD_SESSION_COVERAGE[model][parameter]
    identified = r >= IDENTIFIED_R
    notes = []
    if not identified:
        study = ""
        if level == "session" and measured["r_study"] >= IDENTIFIED_R:
            study = f"; the study-level fit recovers it (r {measured['r_study']:.2f})"
        what = "the study-level fit" if level == "study" else "one session"
        notes.append(NOTE_NOT_IDENTIFIED.format(what=what, r=r, limit=IDENTIFIED_R, study=study))
    calibrated = coverage >= INTERVAL_OK
    if not calibrated:
        notes.append(NOTE_NARROW.format(c=coverage))
    return {"identified": identified, "note": "; ".join(notes), "interval_calibrated": calibrated}


def labels(
    model: str, parameters: Any, *, level: str = "session", version: str | None = None
) -> dict[str, dict[str, Any]]:
    return {name: label(model, name, level=level, version=version) for name in parameters}


def label_evidence(dimensions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Profile dimensions with each model-evidence item labelled (copies; the stored profile is untouched)."""
    out = []
    for dim in dimensions:
        evidence = dim.get("model_evidence")
        if not evidence:
            out.append(dim)
            continue
        labelled = [
            {**item, **label(str(item.get("model")), str(item.get("parameter")), version=item.get("version"))}
            for item in evidence
        ]
        out.append({**dim, "model_evidence": labelled})
    return out

"""Which model parameters the data pin down, and how far their intervals can be trusted (pure, no Django).

Measured by simulation over the empirically plausible ranges (traits.simulate.PLAUSIBLE_RANGES) with
`python -m bench.recovery --plausible` (docs/validation.md, "Identifiability"): a parameter counts
as **identified from one session** when the per-session fit recovers it with r >= IDENTIFIED_R
(Pearson, free scale) at 30 balloons. A parameter that is not is shown everywhere with
`identified: false` and the note below, and is never a trait's evidence without that label.
The study-level fit (traits.hierarchical) identifies more of them: its column is the same test on
its shrunk estimates in studies of 60 participants.

`interval_coverage` is the share of simulated agents whose true value fell inside the per-session
95 % interval; below INTERVAL_OK the interval is labelled too narrow.
"""

from __future__ import annotations

from typing import Any

IDENTIFIED_R = 0.8
INTERVAL_OK = 0.9

# Per model version: parameter (or derived quantity) -> measured figures (docs/validation.md).
_MEASURED: dict[str, dict[str, dict[str, float]]] = {
    "bart_par4": {
        "phi": {"r_session": 0.92, "r_study": 0.95, "interval_coverage": 0.94},
        "eta": {"r_session": 0.81, "r_study": 0.90, "interval_coverage": 0.91},
        "gamma": {"r_session": 0.79, "r_study": 0.97, "interval_coverage": 0.88},
        "tau": {"r_session": 0.83, "r_study": 0.95, "interval_coverage": 0.81},
        "omega": {"r_session": 0.97, "r_study": 0.96, "interval_coverage": 0.9},
    },
    "bart_ewmv": {
        "phi": {"r_session": 0.68, "r_study": 0.83, "interval_coverage": 0.85},
        "eta": {"r_session": 0.71, "r_study": 0.73, "interval_coverage": 0.83},
        "rho": {"r_session": 0.55, "r_study": 0.58, "interval_coverage": 0.60},
        "tau": {"r_session": 0.93, "r_study": 0.98, "interval_coverage": 0.88},
        "lambda": {"r_session": 0.46, "r_study": 0.82, "interval_coverage": 0.79},
        "stop_point": {"r_session": 0.94, "r_study": 0.94, "interval_coverage": 0.93},
    },
}
NOTE_NOT_IDENTIFIED = (
    "not identified from one session: in simulation the fit recovered it poorly (r {r:.2f} < {limit:.1f}); "
    "it mostly reflects the prior or trades off with other parameters{study}"
)
NOTE_NARROW = "its 95 % interval covered the true value for only {c:.0%} of simulated agents: too narrow"


def label(model: str, parameter: str, *, level: str = "session") -> dict[str, Any]:
    """{identified, note, interval_calibrated} for one parameter of a session's fit or of the study-level fit."""
    measured = _MEASURED.get(model, {}).get(parameter)
    if measured is None:
        return {"identified": None, "note": "identifiability not measured", "interval_calibrated": None}
    r = measured["r_study" if level == "study" else "r_session"]
    identified = r >= IDENTIFIED_R
    notes = []
    if not identified:
        study = ""
        if level == "session" and measured["r_study"] >= IDENTIFIED_R:
            study = f"; the study-level fit recovers it (r {measured['r_study']:.2f})"
        notes.append(NOTE_NOT_IDENTIFIED.format(r=r, limit=IDENTIFIED_R, study=study))
    calibrated = None
    if level == "session":
        calibrated = measured["interval_coverage"] >= INTERVAL_OK
        if not calibrated:
            notes.append(NOTE_NARROW.format(c=measured["interval_coverage"]))
    return {"identified": identified, "note": "; ".join(notes), "interval_calibrated": calibrated}


def labels(model: str, parameters: Any, *, level: str = "session") -> dict[str, dict[str, Any]]:
    return {name: label(model, name, level=level) for name in parameters}


def label_evidence(dimensions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Profile dimensions with each model-evidence item labelled (copies; the stored profile is untouched)."""
    out = []
    for dim in dimensions:
        evidence = dim.get("model_evidence")
        if not evidence:
            out.append(dim)
            continue
        labelled = [{**item, **label(str(item.get("model")), str(item.get("parameter")))} for item in evidence]
        out.append({**dim, "model_evidence": labelled})
    return out

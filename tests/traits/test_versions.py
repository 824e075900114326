"""Versioning policy in practice (docs/science.md): what can change a stored number cannot change unversioned.

Each model version is pinned to a fingerprint of everything besides the code that decides its
numbers (bounds, prior centres and SDs, starts); the study-level version likewise (hyperpriors,
floor, tolerance, iterations, minimum sample). Changing any of them fails here until the version
is bumped -- by a major step, since a new start or prior can move an estimate -- and the new
fingerprint recorded below with the changelog entry in docs/models.md.
"""

from __future__ import annotations

import hashlib
import json

from traits import hierarchical
from traits.bart_models import MODELS

PINNED = {
    "bart_par4/1.1.0": "a486045236d32909",
    "bart_ewmv/1.1.0": "f8f27b6bec599afb",
    "bart-hierarchical/1.0.0": "d97d9ae4d3d5a703",
}


def fingerprint(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def model_payload(name: str) -> object:
    model = MODELS[name]
    return {
        "params": [(p.name, p.low, p.high, p.prior_center, p.prior_sd) for p in model.params],
        "starts": model.starts,
    }


def hierarchical_payload() -> object:
    return {
        "sigma_prior": hierarchical.SIGMA_PRIOR,
        "mu_prior_sd": hierarchical.MU_PRIOR_SD,
        "sigma_floor": hierarchical.SIGMA_FLOOR,
        "tol": hierarchical.TOL,
        "max_iter": hierarchical.MAX_ITER,
        "min_participants": hierarchical.MIN_PARTICIPANTS,
        "importance_sampling": [hierarchical.IS_DRAWS, hierarchical.IS_DF, hierarchical.IS_SCALE, hierarchical.IS_SEED],
        "model_fingerprints": {name: fingerprint(model_payload(name)) for name in MODELS},
    }


def test_a_model_cannot_change_its_priors_starts_or_bounds_without_a_new_version():
    for name, model in MODELS.items():
        assert model.version in PINNED, f"record {model.version}'s fingerprint (and a changelog entry)"
        assert fingerprint(model_payload(name)) == PINNED[model.version], (
            f"{name}: bounds, priors or starts changed under {model.version}: that is a major version bump"
        )


def test_the_study_level_fit_cannot_change_its_settings_without_a_new_version():
    version = hierarchical.HIERARCHICAL_VERSION
    assert version in PINNED
    assert fingerprint(hierarchical_payload()) == PINNED[version], (
        f"hyperpriors, tolerance, iterations, minimum sample or a model's settings changed under {version}"
    )

"""Versioning policy in practice (docs/science.md): what can change a stored number cannot change unversioned.

Each model version is pinned to a fingerprint of everything besides the code that decides its
numbers (bounds, prior centres and SDs, starts, the profile-interval settings); the study-level
version likewise (hyperpriors, floor, tolerance, iterations, minimum sample). Changing any of
them fails here until the version is bumped -- by a major step, since a new start or prior can
move an estimate -- and the new fingerprint recorded below with the changelog entry in
docs/models.md.
"""

from __future__ import annotations

import hashlib
import json

from traits import hierarchical, profile
from traits.bart_models import FREE_BOUND, MODELS

PINNED = {
    "bart_par4/2.0.0": "ae2291050b373a12",
    "bart_ewmv/2.0.0": "80ce87d03f2e7da9",
    "bart-hierarchical/1.0.0": "d97d9ae4d3d5a703",
}


def fingerprint(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def model_payload(name: str) -> object:
    """What the point estimate depends on (the study-level fit starts from these too)."""
    model = MODELS[name]
    return {
        "params": [(p.name, p.low, p.high, p.prior_center, p.prior_sd) for p in model.params],
        "starts": model.starts,
    }


def interval_payload() -> object:
    """What a session's stored interval depends on besides the estimate (since 2.0.0: the profile)."""
    return {
        "critical": profile.CRITICAL,
        "first_step_se": profile.FIRST_STEP_SE,
        "default_se": profile.DEFAULT_SE,
        "min_step": profile.MIN_STEP,
        "x_tol": profile.X_TOL,
        "max_refine": profile.MAX_REFINE,
        "profile_gtol": profile.PROFILE_GTOL,
        "max_resumes": profile.MAX_RESUMES,
        "far": profile.FAR,
        "free_bound": FREE_BOUND,
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
        pinned = fingerprint({"model": model_payload(name), "intervals": interval_payload()})
        assert pinned == PINNED[model.version], (
            f"{name}: bounds, priors, starts or interval settings changed under {model.version}: a major version bump"
        )


def test_the_study_level_fit_cannot_change_its_settings_without_a_new_version():
    version = hierarchical.HIERARCHICAL_VERSION
    assert version in PINNED
    assert fingerprint(hierarchical_payload()) == PINNED[version], (
        f"hyperpriors, tolerance, iterations, minimum sample or a model's settings changed under {version}"
    )

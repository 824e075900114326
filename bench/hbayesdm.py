"""hBayesDM's own Stan models as the reference for the study-level fit (bench only; needs pystan 3).

The Stan files are read at run time from a local mirror of the public repository CCS-Lab/hBayesDM
(HBAYESDM_REPO: a git directory or a checkout; default /work/.mirror/CCS-Lab+hBayesDM/repo); nothing
of theirs is committed here. Their files use Stan's pre-2.33 array syntax (`int x[N, T];`), which
the Stan shipped with pystan 3 rejects, so `modernise` rewrites each declaration to
`array[N, T] int x;` on the text, drops their `#include` of the licence header and drops the
generated-quantities block (posterior predictions of N x T x P values per draw, which the comparison
does not use and which would cost memory and time). The model block -- priors and likelihood -- is
left exactly as they wrote it.

    python -m bench.hbayesdm --compile      # compile both models once (minutes), then cached by httpstan
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_REPO = "/work/.mirror/CCS-Lab+hBayesDM/repo"
STAN_FILES = {"bart_par4": "commons/stan_files/bart_par4.stan", "bart_ewmv": "commons/stan_files/bart_ewmv.stan"}
# <type>[<constraints>] <name>[<dims>];  ->  array[<dims>] <type>[<constraints>] <name>;
_OLD_ARRAY = re.compile(r"^(\s*)((?:int|real)(?:<[^>]*>)?)\s+(\w+)\s*\[([^\]]+)\]\s*;", re.MULTILINE)


class Unavailable(RuntimeError):
    """The reference cannot run here (no mirror, or pystan not installed): the section is skipped."""


def repo_path() -> str:
    return os.environ.get("HBAYESDM_REPO", DEFAULT_REPO)


def stan_source(model: str) -> str:
    """The model's .stan text from the mirror (a bare git directory or a work tree)."""
    repo = Path(repo_path())
    relative = STAN_FILES[model]
    if (repo / relative).is_file():
        return (repo / relative).read_text(encoding="utf-8")
    if repo.is_dir():
        try:
            # A fixed argument list (no shell) on a path the operator chose: the mirror's git directory.
            return subprocess.run(  # noqa: S603
                ["git", "--git-dir", str(repo), "show", f"HEAD:{relative}"],  # noqa: S607
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        except (subprocess.CalledProcessError, FileNotFoundError) as exc:
            raise Unavailable(f"{relative} not readable in {repo}: {exc}") from exc
    raise Unavailable(f"hBayesDM mirror not found at {repo} (set HBAYESDM_REPO)")


def modernise(source: str) -> str:
    """Their program in today's Stan syntax, model block untouched (see the module docstring)."""
    text = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#include"))
    cut = text.find("generated quantities")
    if cut >= 0:
        text = text[:cut]
    return _OLD_ARRAY.sub(lambda m: f"{m.group(1)}array[{m.group(4)}] {m.group(2)} {m.group(3)};", text)


def stan_data(sessions: Sequence[tuple[Sequence[int], Sequence[int]]]) -> dict[str, Any]:
    """The data list hBayesDM's preprocessing builds: padded pumps/explosion, Tsubj, P = max pumps + 1."""
    n = len(sessions)
    t_max = max(len(p) for p, _ in sessions)
    pumps = np.zeros((n, t_max), dtype=int)
    explosion = np.zeros((n, t_max), dtype=int)
    for i, (p, e) in enumerate(sessions):
        pumps[i, : len(p)] = p
        explosion[i, : len(e)] = e
    return {
        "N": n,
        "T": t_max,
        "Tsubj": [len(p) for p, _ in sessions],
        "P": int(pumps.max()) + 1,
        "pumps": pumps.tolist(),
        "explosion": explosion.tolist(),
    }


def _probit(p: np.ndarray) -> np.ndarray:
    from scipy.stats import norm

    return norm.ppf(np.clip(p, 1e-6, 1 - 1e-6))


# Each parameter's group-level scale in hBayesDM's programs: "probit" (Phi_approx), "log" (exp), or
# "rho" (0.5 - Phi_approx).
_SCALES = {
    "bart_par4": (("phi", "probit"), ("eta", "log"), ("gam", "log"), ("tau", "log")),
    "bart_ewmv": (("phi", "probit"), ("eta", "probit"), ("rho", "rho"), ("tau", "log"), ("lambda", "log")),
}


def inits(model: str, estimates: dict[str, np.ndarray], chains: int, seed: int) -> list[dict[str, Any]]:
    """Starting values for each chain: the group level at the given estimates' mean and spread, each
    participant at a random point of that population (their own estimates are not used).

    Where the chains start changes how long warm-up takes, not what they converge to: from Stan's
    default random inits (group means up to ±2 on the probit scale, sigma up to e^2) the early warm-up of
    a 40-participant study ran at the maximum tree depth (1,024 gradients an iteration) for over 15
    minutes on the benchmark machine without finishing 100 iterations.
    """
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(chains):
        init: dict[str, Any] = {}
        mus, sigmas = [], []
        for name, scale in _SCALES[model]:
            values = np.asarray(estimates[name], dtype=float)
            z = _probit(values) if scale == "probit" else _probit(0.5 - values) if scale == "rho" else np.log(values)
            mu, sd = float(z.mean()) + float(rng.normal(0.0, 0.05)), max(float(z.std()), 0.05)
            mus.append(mu)
            sigmas.append(sd)
            init[f"{name}_pr"] = rng.normal(0.0, 0.5, z.size).tolist()
        init["mu_pr"] = mus
        init["sigma"] = sigmas
        out.append(init)
    return out


def _stan() -> Any:
    try:
        import stan
    except ImportError as exc:
        raise Unavailable("pystan is not installed (make bench installs requirements-bench.lock)") from exc
    return stan


def sample(
    model: str,
    sessions: Sequence[tuple[Sequence[int], Sequence[int]]],
    *,
    chains: int = 2,
    warmup: int = 1000,
    draws: int = 1000,
    seed: int = 1,
    init: list[dict[str, Any]] | None = None,
    max_depth: int = 10,
) -> dict[str, Any]:
    """NUTS on hBayesDM's model: per-participant draws of each parameter, and the wall times."""
    stan = _stan()
    code = modernise(stan_source(model))
    started = time.perf_counter()
    posterior = stan.build(code, data=stan_data(sessions), random_seed=seed)
    built = time.perf_counter() - started
    started = time.perf_counter()
    kwargs: dict[str, Any] = {"max_depth": max_depth}
    if init is not None:
        kwargs["init"] = init
    fit = posterior.sample(num_chains=chains, num_warmup=warmup, num_samples=draws, **kwargs)
    sampled = time.perf_counter() - started
    names = ("phi", "eta", "gam", "tau") if model == "bart_par4" else ("phi", "eta", "rho", "tau", "lambda")
    out = {name: np.asarray(fit[name]) for name in names}  # shape (N, draws x chains)
    diagnostics: dict[str, float] = {}
    names_of = list(getattr(fit, "sample_and_sampler_param_names", ()))
    for column in ("divergent__", "treedepth__", "n_leapfrog__"):
        if column in names_of:  # pystan 3 keeps sampler columns first in its draws array
            values = np.asarray(fit._draws[names_of.index(column)])
            diagnostics[column.strip("_")] = float(values.sum() if column == "divergent__" else values.mean())
    return {"draws": out, "build_seconds": built, "sample_seconds": sampled, "diagnostics": diagnostics}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compile", action="store_true", help="compile both models (cached by httpstan)")
    parser.add_argument("--print", dest="show", default="", help="print the modernised text of one model")
    args = parser.parse_args()
    if args.show:
        print(modernise(stan_source(args.show)))
    if args.compile:
        stan = _stan()
        tiny = stan_data([([3, 5, 2], [0, 1, 0]), ([4, 1, 6], [0, 0, 1])])
        for model in STAN_FILES:
            started = time.perf_counter()
            stan.build(modernise(stan_source(model)), data=tiny, random_seed=1)
            print(f"{model}: compiled in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()

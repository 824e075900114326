"""Section 7: the study-level fit against hBayesDM's Stan programs, and recovery over plausible ranges.

Pure computation in this process (no server): bench/reference.py (skipped with its reason when the
hBayesDM mirror or pystan is missing) and bench/recovery.py --plausible. Both are standalone
commands too; docs/validation.md gives their figures.
"""

from __future__ import annotations

from typing import Any

from bench import recovery, reference


def section_models(
    *, participants: int = 40, chains: int = 2, warmup: int = 300, draws: int = 300, agents: int = 200, studies: int = 4
) -> dict[str, Any]:
    return {
        "reference": reference.run(["bart_par4", "bart_ewmv"], participants, 2026, chains, warmup, draws),
        "recovery": recovery.plausible(agents, studies, 2026),
    }


def rows(section: dict[str, Any]) -> list[list[Any]]:
    """Lines of the printed table: agreement, coverage and speed against the targets of issue #20."""
    out: list[list[Any]] = []
    ref = section.get("reference") or {}
    if "skipped" in ref:
        return [[f"7. hBayesDM reference: skipped ({str(ref['skipped'])[:60]})", None, None, None, "", ""]]
    for model, result in ref.items():
        if not isinstance(result, dict) or "parameters" not in result:
            continue
        for name, row in result["parameters"].items():
            r = row["r_platform_vs_hbayesdm"]
            out.append([f"7. {model} {name}: r vs hBayesDM", None, round(r, 3), None, ">= 0.9", _ok(r >= 0.9)])
            cov = row["coverage_platform"]
            out.append(
                [
                    f"7. {model} {name}: 95 % coverage (hBayesDM {row['coverage_hbayesdm']:.0%})",
                    None,
                    cov,
                    None,
                    "0.90-0.97",
                    _ok(0.9 <= cov <= 0.97),
                ]
            )
        ratio = result["speed_ratio"]
        label = (
            f"7. {model}: NUTS {result['hbayesdm_sample_seconds']:.0f} s / platform {result['platform_seconds']:.1f} s"
        )
        out.append([label, None, round(ratio, 1), None, ">= 50x", _ok(ratio >= 50)])
    return out


def _ok(value: bool) -> str:
    return "met" if value else "MISSED"

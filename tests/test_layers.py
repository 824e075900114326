"""The allowed import directions between the project's packages (.importlinter) hold, and the
contract names every package, so a new app cannot slip past it unlayered."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"


def _contract() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser


def _listed(value: str) -> list[str]:
    return [line.strip() for line in value.strip().splitlines() if line.strip() and not line.startswith("#")]


def _packages_of_the_project() -> set[str]:
    """Top-level packages with code of ours: every folder holding an __init__.py, except tests."""
    return {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}


def test_every_package_is_a_root_of_the_contract_and_in_one_layer() -> None:
    parser = _contract()
    roots = set(_listed(parser["importlinter"]["root_packages"]))
    layered = set()
    for layer in _listed(parser["importlinter:contract:layers"]["layers"]):
        layered |= {name.strip() for name in layer.replace("|", ":").split(":")}
    assert roots == _packages_of_the_project()
    assert layered == roots


def test_no_import_points_up_a_layer() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache", "--config", str(CONFIG)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_contract_catches_an_upward_import(tmp_path: Path) -> None:
    """The check is not vacuous: a lower package importing a higher one is reported."""
    for name, body in {"low": "import high\n", "high": ""}.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(body)
    config = tmp_path / "contract.ini"
    config.write_text(
        "[importlinter]\nroot_packages =\n    low\n    high\n\n"
        "[importlinter:contract:layers]\nname = t\ntype = layers\nlayers =\n    high\n    low\n"
    )
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache", "--config", str(config)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "low is not allowed to import high" in result.stdout

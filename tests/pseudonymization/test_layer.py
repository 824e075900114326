"""pseudonymization is the ground floor of the participant side: it imports no app above it, lazily or not."""

from __future__ import annotations

import ast
from pathlib import Path

import pseudonymization

HIGHER = {"consent", "games", "traits", "dashboard", "rights", "research_platform", "bench"}


def _imported_modules(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):  # ast.walk also reaches imports inside functions
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_pseudonymization_imports_no_higher_app():
    root = Path(pseudonymization.__file__).parent
    offending = {
        f"{path.relative_to(root)}: {module}"
        for path in root.rglob("*.py")
        for module in _imported_modules(path.read_text())
        if module.split(".")[0] in HIGHER
    }
    assert offending == set()


def test_pseudonymization_reaches_no_model_by_name():
    """apps.get_model("games", ...) is an import in disguise (and hid a missing model behind LookupError)."""
    root = Path(pseudonymization.__file__).parent
    assert [p.name for p in root.rglob("*.py") if "get_model(" in p.read_text() and "migrations" not in p.parts] == []

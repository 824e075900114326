"""The published scales the platform ships, one JSON definition per file in ``scales/``.

Each file is a questionnaire definition plus ``source`` (the citation), ``licence`` (its text and
where the licence or permission is stated) and ``version``. Only scales whose licence allows
redistribution belong here; docs/questionnaires.md records, per scale, how that was checked.

The files are read and validated once per process (they change only with a release) and every
caller gets its own copy, so no caller can alter what the next one sees.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from questionnaires.definition import DefinitionError, validate_definition

SCALES_DIR = Path(__file__).resolve().parent / "scales"
_REQUIRED_METADATA = ("key", "title", "source", "licence", "version")


class UnknownScale(KeyError):
    """No shipped scale has this key. A KeyError, so ``except KeyError`` callers keep working."""


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        definition = validate_definition(json.load(handle))
    missing = [field for field in _REQUIRED_METADATA if field not in definition]
    if missing:
        raise DefinitionError({field: [f"A shipped scale needs '{field}'."] for field in missing})
    if definition["key"] != path.stem:
        # The file name is the key, so two files can never claim the same scale.
        raise DefinitionError({"key": [f"Key '{definition['key']}' does not match the file name '{path.name}'."]})
    return definition


@functools.cache
def _shipped() -> tuple[dict[str, Any], ...]:
    return tuple(_load(path) for path in sorted(SCALES_DIR.glob("*.json")))


def shipped_scales() -> list[dict[str, Any]]:
    """Every shipped scale, validated and normalised, in file-name order."""
    return copy.deepcopy(list(_shipped()))


def shipped_scale(key: str) -> dict[str, Any]:
    """The shipped scale with this key; ``UnknownScale`` if there is none (no fallback)."""
    for definition in _shipped():
        if definition["key"] == key:
            return copy.deepcopy(definition)
    raise UnknownScale(key)

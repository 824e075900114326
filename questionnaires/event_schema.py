"""Validation of questionnaire events against the versioned JSON Schema `questionnaire-events/1` (pure)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

EVENT_SCHEMA_NAME = "questionnaire-events/1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "questionnaire-events-1.json"


@cache
def load_schema() -> dict[str, Any]:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def event_problem(event: Any) -> str | None:
    """The first schema violation of one event, as a sentence, or None when it fits."""
    if not isinstance(event, dict):
        return "An event is a JSON object."
    errors = sorted(_validator().iter_errors(event), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = errors[0]
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message

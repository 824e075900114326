"""Validation of questionnaire events against the versioned JSON Schema `questionnaire-events/1` (pure)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs

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


@cache
def _fast_validator() -> jsonschema_rs.Draft202012Validator:
    """The same schema compiled by jsonschema-rs: it only answers valid or not (as the game's does);
    an invalid event is explained by the pure-Python validator, so messages do not depend on it."""
    return jsonschema_rs.Draft202012Validator(load_schema(), validate_formats=True)


def event_problem(event: Any) -> str | None:
    """The first schema violation of one event, as a sentence, or None when it fits."""
    if not isinstance(event, dict):
        return "An event is a JSON object."
    if _fast_validator().is_valid(event):
        return None
    errors = sorted(_validator().iter_errors(event), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = errors[0]
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message

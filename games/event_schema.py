"""Validation of game events against the versioned JSON Schema `bart-events/1` (pure, no Django).

The schema file is the contract; this module compiles one validator per event type once at import,
so a batch of hundreds of events costs one dictionary lookup and one validation per event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

EVENT_SCHEMA_NAME = "bart-events/1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "bart-events-1.json"
EVENT_TYPES = ("session_start", "balloon_start", "pump", "cash_out", "pop", "context", "session_end")
BALLOON_EVENT_TYPES = frozenset({"balloon_start", "pump", "cash_out", "pop"})


@cache
def load_schema() -> dict[str, Any]:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


SCHEMA_REVISION: str = load_schema()["x-schema-revision"]


@cache
def _validators() -> dict[str, jsonschema.Draft202012Validator]:
    """One compiled validator per type: the type picks its branch, so errors name the real problem."""
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    defs = schema["$defs"]
    return {
        event_type: jsonschema.Draft202012Validator({"$ref": f"#/$defs/{event_type}", "$defs": defs})
        for event_type in EVENT_TYPES
    }


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why one event was refused: a machine code, a human message and the event's own id/seq."""

    event_id: Any
    seq: Any
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "seq": self.seq, "code": self.code, "message": self.message}


def _path(error: jsonschema.ValidationError) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)


def check_event(event: Any) -> Rejection | None:
    """None when the event fits the schema; otherwise the first problem found, as a Rejection."""
    if not isinstance(event, dict):
        return Rejection(None, None, "not_an_object", "An event must be a JSON object.")
    event_id, seq = event.get("event_id"), event.get("seq")
    event_type = event.get("type")
    validator = _validators().get(event_type) if isinstance(event_type, str) else None
    if validator is None:
        return Rejection(event_id, seq, "unknown_type", f"Unknown event type {event_type!r} for {EVENT_SCHEMA_NAME}.")
    error = jsonschema.exceptions.best_match(validator.iter_errors(event))
    if error is None:
        return None
    code = "missing_field" if error.validator == "required" else "invalid_field"
    return Rejection(event_id, seq, code, f"{_path(error)}: {error.message}")


def split_batch(events: list[Any]) -> tuple[list[dict[str, Any]], list[Rejection], int]:
    """Partition a batch into valid events, rejections and in-batch repeats of an event_id.

    A repeat inside one batch is a duplicate like any retry: the first copy counts, the others
    are reported in the duplicate count (never as an error, never stored twice).
    """
    valid: list[dict[str, Any]] = []
    rejected: list[Rejection] = []
    seen: set[str] = set()
    repeats = 0
    for event in events:
        problem = check_event(event)
        if problem is not None:
            rejected.append(problem)
            continue
        key = event["event_id"].lower()
        if key in seen:
            repeats += 1
            continue
        seen.add(key)
        valid.append(event)
    return valid, rejected, repeats

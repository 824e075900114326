"""Events are checked one by one against the versioned JSON Schema bart-events/1."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from games.event_schema import EVENT_SCHEMA_NAME, EVENT_TYPES, check_event, load_schema, split_batch
from tests.games.events_factory import Player


def _sample_of_every_type() -> list[dict]:
    player = Player()
    events = player.start() + player.balloon(0, 3, 2) + player.balloon(1, 2, 50)
    events.append(player.emit("context", 1, {"kind": "visibility", "state": "hidden"}))
    events.append(player.emit("context", None, {"kind": "network", "online": False}))
    events.append(player.emit("context", None, {"kind": "resize", "width": 300, "height": 600}))
    events.append(player.emit("context", None, {"kind": "idle", "idle_ms": 12000.5}))
    events += player.end()
    return events


def test_the_schema_file_is_a_valid_draft_2020_12_schema_naming_its_version():
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["x-schema-name"] == EVENT_SCHEMA_NAME


def test_every_type_of_a_well_formed_session_passes():
    events = _sample_of_every_type()
    assert {e["type"] for e in events} == set(EVENT_TYPES)
    assert [check_event(e) for e in events] == [None] * len(events)


def test_the_whole_schema_file_agrees_with_the_per_type_validators():
    validator = jsonschema.Draft202012Validator(load_schema())
    for event in _sample_of_every_type():
        assert validator.is_valid(event)
    assert not validator.is_valid({"type": "pump", "event_id": "x", "seq": 0, "t": 0, "client_ts": 0, "data": {}})


@pytest.mark.parametrize(
    ("mutate", "code", "fragment"),
    [
        (lambda e: e.pop("event_id"), "missing_field", "event_id"),
        (lambda e: e.update(event_id="not-a-uuid"), "invalid_field", "$.event_id"),
        (lambda e: e.update(seq=-1), "invalid_field", "$.seq"),
        (lambda e: e.update(seq=1.5), "invalid_field", "$.seq"),
        (lambda e: e.update(t="soon"), "invalid_field", "$.t"),
        (lambda e: e.update(type="explode"), "unknown_type", "explode"),
        (lambda e: e.pop("balloon"), "missing_field", "balloon"),
        (lambda e: e["data"].update(pump=0), "invalid_field", "$.data.pump"),
        (lambda e: e["data"].update(colour="red"), "invalid_field", "colour"),
        (lambda e: e.update(extra=1), "invalid_field", "extra"),
    ],
)
def test_it_rejects_a_broken_pump_with_a_code_and_a_reason(mutate, code, fragment):
    pump = copy.deepcopy(next(e for e in _sample_of_every_type() if e["type"] == "pump"))
    mutate(pump)
    problem = check_event(pump)
    assert problem is not None
    assert problem.code == code
    assert fragment in problem.message


def test_a_context_event_must_carry_the_field_its_kind_needs():
    player = Player()
    assert check_event(player.emit("context", None, {"kind": "visibility"})).code == "missing_field"
    assert check_event(player.emit("context", None, {"kind": "teleport"})).code == "invalid_field"


def test_a_batch_keeps_valid_events_beside_invalid_ones_and_counts_repeats():
    events = _sample_of_every_type()
    broken = dict(events[1], seq="x")
    batch = [*events, broken, "garbage", events[0]]
    valid, rejected, repeats = split_batch(batch)
    assert [e["event_id"] for e in valid] == [e["event_id"] for e in events]
    assert {r.code for r in rejected} == {"invalid_field", "not_an_object"}
    assert repeats == 1

"""The JSON parser's fast path never lets through what the full per-value check refuses."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from research_platform.parsers import TooDeep, UnsafeJSON, check_json_value, loads_safe

MAX_DEPTH = 6

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars, lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
)
# Hand-written texts for what json.dumps cannot produce: overflowing literals, escapes, exponents.
literals = st.sampled_from(
    [
        "1e999",
        "-1E+400",
        "1.5e308",
        "2e308",
        "123456789012345678901234",
        "9223372036854775808",
        "9223372036854775807",
        '"\\u0000"',
        '"\\ud800"',
        '"\\uDFFF x"',
        '"\\ud83d\\ude00"',
        '"1e965123-aaaa"',
        "0.00012345678901234567",
        "1" + "0" * 320 + ".0",
    ]
)


def _full_check_refuses(value: object) -> bool:
    try:
        check_json_value(value, max_depth=MAX_DEPTH)
    except UnsafeJSON:
        return True
    return False


def _parser_refuses(text: str) -> bool:
    try:
        loads_safe(text, max_depth=MAX_DEPTH)
    except UnsafeJSON:
        return True
    return False


@settings(max_examples=400, deadline=None)
@given(values)
def test_the_fast_path_agrees_with_the_full_check_on_generated_documents(value):
    text = json.dumps(value, ensure_ascii=True)  # escapes every non-ASCII character, surrogates included
    assert _parser_refuses(text) == _full_check_refuses(json.loads(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(literals, min_size=1, max_size=3), st.integers(min_value=0, max_value=8))
def test_the_fast_path_agrees_on_overflowing_literals_and_escapes(parts, depth):
    text = "[" * depth + '{"k": [' + ", ".join(parts) + "]}" + "]" * depth
    assert _parser_refuses(text) == _full_check_refuses(json.loads(text))


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"events": [{"data": {"note": "\\u0000"}}]}', "events.0.data.note"),
        ('{"events": [1, {"t": 1e999}]}', "events.1.t"),
        ('{"n": 123456789012345678901}', "n"),
    ],
)
def test_a_refusal_still_names_the_field_by_its_path(text, path):
    with pytest.raises(UnsafeJSON) as refused:
        loads_safe(text, max_depth=MAX_DEPTH)
    assert refused.value.path == path


def test_nesting_beyond_the_limit_is_refused_without_any_suspect_text():
    with pytest.raises(TooDeep):
        loads_safe("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), max_depth=MAX_DEPTH)
    assert loads_safe("[" * MAX_DEPTH + "]" * MAX_DEPTH, max_depth=MAX_DEPTH) is not None

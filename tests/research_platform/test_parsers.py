"""The JSON parser's fast path never lets through what the full per-value check refuses."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.parsers import TooDeep, UnsafeJSON, check_json_value, loads_bytes, loads_safe

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


def _outcome(parse, text: str) -> tuple[str, object]:
    """What a parser makes of ``text``: ("ok", value) or (exception class, path) — never the value."""
    try:
        return "ok", parse(text)
    except UnsafeJSON as exc:
        return type(exc).__name__, exc.path
    except ValueError as exc:
        return "ValueError", type(exc).__name__ != ""


def _bytes_parser(text: str) -> object:
    return loads_bytes(text.encode("utf-8", "surrogatepass"), max_depth=MAX_DEPTH)


def _text_parser(text: str) -> object:
    return loads_safe(text, max_depth=MAX_DEPTH)


@settings(max_examples=300, deadline=None)
@given(values, st.booleans())
def test_the_orjson_path_gives_what_the_json_module_gives_on_generated_documents(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only)
    if not ascii_only and any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return  # a raw lone surrogate cannot be sent as UTF-8 at all (the body would not decode)
    assert _outcome(_bytes_parser, text) == _outcome(_text_parser, text)


@settings(max_examples=200, deadline=None)
@given(st.lists(literals, min_size=1, max_size=3), st.integers(min_value=0, max_value=8))
def test_the_orjson_path_refuses_what_the_json_module_refuses_and_names_the_same_field(parts, depth):
    text = "[" * depth + '{"k": [' + ", ".join(parts) + "]}" + "]" * depth
    assert _outcome(_bytes_parser, text) == _outcome(_text_parser, text)


@pytest.mark.parametrize(
    "text", ["{", "[1,]", "NaN", '{"a": Infinity}', "\ufeff{}", '{"a": 1} x', "", '"\\x"', "01", "[1e5, -0.0, 1E-7]"]
)
def test_the_orjson_path_and_the_json_module_agree_on_edge_cases(text):
    assert _outcome(_bytes_parser, text) == _outcome(_text_parser, text)


def test_a_body_that_is_not_utf8_is_refused():
    with pytest.raises(UnicodeDecodeError):
        loads_bytes(b'{"a": "\xff"}', max_depth=MAX_DEPTH)


def test_an_ordinary_batch_never_needs_the_slow_path(monkeypatch):
    import core.parsers as parsers

    def slow(*_args, **_kwargs):
        raise AssertionError("loads_safe was used")

    monkeypatch.setattr(parsers, "loads_safe", slow)
    body = {"sent_at": 1764681234567, "events": [{"event_id": "0b9d6c1e-3a55-4f0e-8a51-2f3c9c1d7e10", "t": 12.5}]}
    assert parsers.loads_bytes(json.dumps(body).encode(), max_depth=MAX_DEPTH) == body

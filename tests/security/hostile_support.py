"""Hostile values and the checks every answer to them must pass (shared by test_hostile_strings)."""

from __future__ import annotations

import json
from typing import Any

MARKER = "<script>hostile()</script>"

# Strings that may be stored (or refused by a field's own rule) but must never break anything.
STRINGS: dict[str, str] = {
    "html": f'{MARKER}<img src=x onerror="alert(1)">&amp;"\'',
    "sql": "'; DROP TABLE x;-- \" OR 1=1 --",
    "rtl": "abc\u202egpj.exe",
    "zero_width": "a\u200b\u200c\u200d\ufeffb",
    "emoji": "\U0001f388\U0001f469\u200d\U0001f52c\U0001f3f3\ufe0f\u200d\U0001f308",
    "formula": '=HYPERLINK("http://evil.example","x")',
    "long": "L" * 5000,
}
# Strings that must be refused with a 400 wherever they arrive in JSON (PostgreSQL cannot store them).
MUST_REFUSE: dict[str, str] = {"nul": "a\x00b", "lone_surrogate": "a\ud800b"}
# Numbers: 1e308 is a finite double (may be stored), 2**80 exceeds 64 bits (refused), -0.0 is zero.
NUMBERS: dict[str, Any] = {"1e308": 1e308, "2**80": 2**80, "-0": -0.0}


def deep(levels: int = 40) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = {"a": value}
    return value


def json_body(payload: Any) -> str:
    """ASCII JSON: NUL and lone surrogates travel as \\u escapes, as a hostile client would send them."""
    return json.dumps(payload, ensure_ascii=True)


def assert_refusal(response: Any, *values: str) -> None:
    """A 4xx in the error shape (or a 400 page), never echoing the hostile value."""
    assert 400 <= response.status_code < 500, response.status_code
    text = response.content.decode("utf-8", "replace")
    if response["Content-Type"].startswith("application/json"):
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details"} and error["code"]
    for value in values:
        if len(value) > 3:
            assert value not in text and json.dumps(value)[1:-1] not in text


def assert_safe_html(response: Any) -> str:
    assert response.status_code < 500, response.status_code
    text = response.content.decode("utf-8", "replace")
    assert MARKER not in text and "<script>hostile" not in text and 'onerror="alert' not in text
    return text

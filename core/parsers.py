"""A JSON parser that refuses what PostgreSQL or the code behind it cannot hold.

DRF's parser accepts NUL characters (PostgreSQL text and jsonb reject them), lone surrogates
(not encodable as UTF-8), ``1e999`` (infinity, not valid jsonb), integers beyond 64 bits (they
overflow integer columns) and arbitrarily deep nesting (recursion errors further on). Each of
these would surface as a 500. Here an unreadable or too deeply nested body is a 400
``malformed_request``; a value the platform will not store is a 400 ``invalid`` whose details
name the field by its path (``events.3.data.note``), never echoing the value itself.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

INT64_MAX = 2**63 - 1


class UnsafeJSON(ValueError):
    """The body is JSON, but holds a value the platform will not store (``path`` says where)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class TooDeep(UnsafeJSON):
    pass


def _refuse_constant(name: str) -> Any:
    raise UnsafeJSON(f"{name} is not valid JSON")  # NaN, Infinity: Python accepts them, JSON does not


def _check_string(value: str, path: str) -> None:
    if "\x00" in value:
        raise UnsafeJSON("Must not contain a NUL character.", path)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnsafeJSON("Must not contain a lone surrogate (not valid UTF-8).", path) from exc


def _join(path: str, part: str | int) -> str:
    return f"{path}.{part}" if path else str(part)


def check_json_value(value: Any, *, max_depth: int) -> None:
    """Walk ``value`` iteratively (no recursion to exhaust) and raise UnsafeJSON on the first problem."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                raise TooDeep(f"nesting deeper than {max_depth} levels", path)
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_string(key, _join(path, "<key>"))
                    stack.append((child, depth + 1, _join(path, key)))
            else:
                stack.extend((child, depth + 1, _join(path, i)) for i, child in enumerate(item))
        elif isinstance(item, str):
            _check_string(item, path)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int) and abs(item) > INT64_MAX:
            # No genuine measurement needs more than 64 bits; integer columns would overflow.
            raise UnsafeJSON("Must be within the 64-bit integer range.", path)
        elif isinstance(item, float) and not math.isfinite(item):
            raise UnsafeJSON("Must be a finite number (1e999 and the like are not).", path)


# A NUL or a surrogate can only arrive as a \u escape (raw control characters are invalid JSON, and
# the body was decoded as UTF-8, which has no surrogates), so a body without such an escape needs
# no per-string check. tests/research_platform/test_parsers.py holds the fast path to agreement.
_RISKY_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def _plain_values_within(value: Any, max_depth: int) -> bool:
    """The cheap half of check_json_value: depth and numbers, no paths built, strings skipped."""
    stack: list[tuple[Any, int]] = [([value], -1)]
    isfinite = math.isfinite
    while stack:
        item, depth = stack.pop()
        if depth >= max_depth:
            return False
        for child in item.values() if type(item) is dict else item:
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif kind is float:
                if not isfinite(child):
                    return False
            elif kind is int and (child > INT64_MAX or child < -INT64_MAX):
                return False
    return True


def loads_safe(text: str, *, max_depth: int) -> Any:
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:  # deeper than the interpreter's stack: refuse, never crash
        raise TooDeep(f"nesting deeper than {max_depth} levels") from exc
    if ("\\u" not in text or _RISKY_ESCAPE.search(text) is None) and _plain_values_within(value, max_depth):
        return value
    check_json_value(value, max_depth=max_depth)  # names the offending field by its path
    return value


# orjson parses a batch about five times faster than the json module, but it reads integers beyond
# 64 bits as floats and accepts NUL escapes; a body that could hold either (19+ digits in a row, a
# risky \u escape) or that orjson refuses goes through loads_safe, so every refusal is the same as
# before and names its field.
_LONG_DIGITS = re.compile(rb"\d{19}")
_RISKY_ESCAPE_BYTES = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def loads_bytes(raw: bytes, *, max_depth: int) -> Any:
    """loads_safe for a request body as bytes (UnicodeDecodeError when it is not UTF-8)."""
    if _LONG_DIGITS.search(raw) is None and (b"\\u" not in raw or _RISKY_ESCAPE_BYTES.search(raw) is None):
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            value = _REFUSED
        if value is not _REFUSED and _plain_values_within(value, max_depth):
            return value
    return loads_safe(raw.decode("utf-8"), max_depth=max_depth)


_REFUSED = object()


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        raw = stream.read() if stream is not None else b""
        try:
            return loads_bytes(raw, max_depth=settings.JSON_MAX_DEPTH)
        except UnicodeDecodeError as exc:
            raise ParseError("The body is not valid UTF-8.") from exc
        except TooDeep as exc:
            raise ParseError(f"The JSON body was refused: {exc.message}.") from exc
        except UnsafeJSON as exc:
            if exc.path:
                raise ValidationError({exc.path: [exc.message]}) from exc
            raise ParseError(f"The JSON body was refused: {exc.message}.") from exc
        except ValueError as exc:
            raise ParseError(f"The JSON body could not be read: {exc.__class__.__name__}.") from exc

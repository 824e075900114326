"""Every route of a host's URLconf as a concrete path (arguments filled in), with its view."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

PUBLIC_URLCONF = "research_platform.urls_public"
STUDY_URLCONF = "research_platform.urls_tenants"
DUMMY_UUID = "3f1e6a52-8c1b-4d8e-9a57-0c5b2f6d9e01"


@dataclass(frozen=True)
class Route:
    template: str  # as declared, e.g. "api/v1/sessions/<uuid:session_id>/events/"
    callback: Any

    @property
    def view_class(self) -> Any:
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    def path(self, values: dict[str, str] | None = None) -> str:
        values = values or {}

        def fill(match: re.Match[str]) -> str:
            converter, name = match.group(1) or "str", match.group(2)
            if name in values:
                return values[name]
            return {"int": "1", "uuid": DUMMY_UUID, "path": "x/y"}.get(converter, "x1")

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, self.template)


def _regex_to_route(regex: str) -> str | None:
    """A regex pattern without groups as a plain path; those with groups are left out."""
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    return None if any(ch in text for ch in "()[]*+?\\") else text


def all_routes(urlconf: str) -> list[Route]:
    routes: list[Route] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern.pattern, RoutePattern):
                part: str | None = str(pattern.pattern)
            elif isinstance(pattern.pattern, RegexPattern):
                part = _regex_to_route(pattern.pattern.regex.pattern)
            else:
                part = None
            if part is None:
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + part)
            else:
                routes.append(Route(prefix + part, pattern.callback))

    walk(get_resolver(urlconf).url_patterns, "")
    return routes


def new_uuid() -> str:
    return str(uuid.uuid4())

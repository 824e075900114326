"""drf-spectacular postprocessing: a title per host, a tag per area, the Error body on every 4xx, paging.

Each rule reads what decides the behaviour (the view's base class and flags, its security, the rate
limiter's paths), so the schema stays truthful as endpoints are added. An endpoint that no tag
rule covers, or that has no summary, is reported as a generator warning (`manage.py spectacular
--fail-on-warn` fails) and fails tests/research_platform/test_openapi_schema.py.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from drf_spectacular.drainage import warn

from core.links import platform_url, study_url
from core.openapi_extensions import PAGINATED
from research_platform.rate_limits import ENROL_PATHS, LOGIN_PATHS, PARTICIPANT_PREFIXES

# Regular expressions on the path; the first match names the operation's tag (declared, with its
# description, in SPECTACULAR_SETTINGS["TAGS"]).
TAG_RULES: tuple[tuple[str, str], ...] = (
    (r"^/api/v1/auth/", "auth"),
    (r"^/api/v1/studies/[^/]+/members/", "members"),
    (r"^/api/v1/(studies|study)/", "studies"),
    (r"^/api/v1/audit/", "audit"),
    (r"^/api/v1/consent/", "consent"),
    (r"^/api/v1/(participants/[^/]+/(traits|models)|sessions/[^/]+/metrics|study-fits)/", "traits"),
    (r"^/api/v1/participants/", "participants"),
    (r"^/api/v1/game/", "game"),
    (r"^/api/v1/questionnaires/", "questionnaires"),
    (r"^/api/v1/sessions/", "sessions"),
    (r"^/api/v1/export/", "exports"),
    (r"^/api/v1/questionnaires/", "questionnaires"),
    (r"^/api/v1/me/", "my data"),
    (r"^/api/v1/(deletion-requests|deletion-certificates|rights)/", "rights"),
)

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The one error body of the API (every 4xx and 5xx under /api/).",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Machine-readable and stable, e.g. `invalid`, `malformed_request`, "
                    "`not_authenticated`, `permission_denied`, `not_found`, `too_large`, `rate_limited`.",
                    "example": "invalid",
                },
                "message": {"type": "string", "description": "For people; the wording may change."},
                "details": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Messages per field for `invalid`; the limit for `too_large` and "
                    "`rate_limited`; `{}` when there is nothing more to say.",
                },
            },
            "required": ["code", "message", "details"],
        }
    },
    "required": ["error"],
    "example": {"error": {"code": "invalid", "message": "The request is not valid.", "details": {"agree": ["…"]}}},
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
DESCRIPTIONS = {
    "400": "Malformed or invalid: unreadable JSON, a field that fails validation, an unknown filter value, "
    "or a NUL character in the address.",
    "401": "No credentials, or credentials that are wrong, expired or revoked.",
    "403": "Authenticated, but not allowed: your role lacks the permission (or a session cookie without "
    "its CSRF token).",
    "404": "Not found, or not yours: a study you hold no role on answers 404 too (its existence is never revealed).",
    "409": "Conflicts with the current state.",
    "413": f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
    "429": "Too many requests: wait the seconds in Retry-After.",
}
# Descriptions a view left generic (drf-spectacular's default for `None`, the games app's placeholder).
_GENERIC = {"", "No response body", '{"error": {"code", "message", "details"}}'}
_UNSAFE = {"post", "put", "patch", "delete"}


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    platform = _is_platform(generator)
    result["info"].update(_info(platform))
    views = {
        (path, method.lower()): getattr(callback, "cls", None) for path, _, method, callback in generator.endpoints
    }
    declared = [tag["name"] for tag in settings.SPECTACULAR_SETTINGS.get("TAGS", [])]
    used: set[str] = set()
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            tag = _tag_for(path)
            if tag is None or tag not in declared:
                warn(f"no declared tag covers {method.upper()} {path}: add a rule to TAG_RULES")
            else:
                operation["tags"] = [tag]
                used.add(tag)
            if not operation.get("summary"):
                warn(f"{method.upper()} {path} has no summary: add extend_schema(summary=...)")
            _document_paging(operation)
            _document_errors(path, method, operation, views.get((path, method)))
    result["tags"] = [tag for tag in settings.SPECTACULAR_SETTINGS.get("TAGS", []) if tag["name"] in used]
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    return result


def _is_platform(generator: Any) -> bool:
    urlconf = generator.urlconf or settings.ROOT_URLCONF
    return getattr(urlconf, "__name__", urlconf) == settings.PUBLIC_SCHEMA_URLCONF


def _tag_for(path: str) -> str | None:
    return next((tag for pattern, tag in TAG_RULES if re.match(pattern, path)), None)


def _info(platform: bool) -> dict[str, str]:
    base = settings.SPECTACULAR_SETTINGS["TITLE"]
    common = (
        '\n\nErrors: every 4xx and 5xx body is the `Error` schema, `{"error": {"code", "message", '
        '"details"}}`. Lists that page take `limit` and `offset` and answer '
        '`{"count", "next", "previous", "results"}`.'
    )
    if platform:
        return {
            "title": f"{base} — platform host (studies, members, audit)",
            "description": f"The platform host, {platform_url('/')}: API tokens, studies and their members, "
            "and the audit trail across the studies you audit. Each study's own API (consent, the game, "
            f"participants, exports) is on its study host, e.g. `{study_url('<slug>', '/api/schema/')}`. "
            "Authenticate with `Authorization: Token <token>` from POST /api/v1/auth/token/." + common,
        }
    return {
        "title": f"{base} — study host (consent, game, participants, exports)",
        "description": f"A study host, `{study_url('<slug>', '/')}`: everything about that one study. "
        "Participants agree to the consent with POST /api/v1/participants/ and send the returned "
        "`Authorization: Bearer <token>`, valid on this study only; the research team sends "
        f"`Authorization: Token <token>` from the platform host ({platform_url('/api/v1/auth/token/')}). "
        "Studies, members and the platform-wide audit trail are on the platform host." + common,
    }


def _document_paging(operation: dict[str, Any]) -> None:
    """limit/offset on a list paged by hand (APIView + LimitOffsetPagination: invisible to drf-spectacular)."""
    ok = operation.get("responses", {}).get("200", {})
    ref = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    paging = PAGINATED.get(ref.rsplit("/", 1)[-1])
    parameters = operation.setdefault("parameters", [])
    if paging is None or any(p.get("name") == "limit" and p.get("in") == "query" for p in parameters):
        return
    default, maximum = paging
    limit: dict[str, Any] = {"type": "integer", "minimum": 1}
    cap = ""
    if maximum is not None:
        limit["maximum"] = maximum
        cap = f", at most {maximum} (a larger value is cut to it)"
    parameters += [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": limit,
            "description": f"Items per page (default {default}{cap}).",
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 0},
            "description": "Items to skip before this page (default 0); `next` and `previous` carry it for you.",
        },
    ]


def _document_errors(path: str, method: str, operation: dict[str, Any], view: type | None) -> None:
    from consent.gate import ParticipantAPIView
    from tenants.permissions import StudyAPIView

    responses = operation.setdefault("responses", {})
    schemes = {name for requirement in operation.get("security", []) for name in requirement}
    anonymous_allowed = not operation.get("security") or {} in operation["security"]
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    study_scoped = view is not None and issubclass(view, StudyAPIView)
    participant = view is not None and issubclass(view, ParticipantAPIView)
    statuses = {
        # Unreadable bodies and NUL characters in the query string are refused before any view runs.
        "400": "requestBody" in operation or has_query,
        "401": not anonymous_allowed,
        # A role without the permission; a session cookie without its CSRF token on a write;
        # a participant who has not agreed to the current consent version.
        "403": study_scoped
        or ("cookieAuth" in schemes and method in _UNSAFE)
        or (participant and getattr(view, "require_consent", True)),
        # A study the caller holds no role on is a 404; so is an unknown object in the path.
        "404": study_scoped or "{" in path,
        # A withdrawn participant's further data.
        "409": participant and not getattr(view, "allow_withdrawn", False),
        "413": "requestBody" in operation,
        "429": _rate_limited(path, method, schemes),
    }
    for code, applies in statuses.items():
        if applies:
            responses.setdefault(code, {})
    for code, response in responses.items():
        if not code.startswith("4"):
            continue
        if response.get("description", "") in _GENERIC:
            response["description"] = DESCRIPTIONS.get(code, "Refused.")
        response.setdefault("content", {"application/json": {"schema": ERROR_REF}})
        if code == "429":
            response.setdefault("headers", {})["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds until the limit's window resets.",
            }
    operation["responses"] = dict(sorted(responses.items()))


def _rate_limited(path: str, method: str, schemes: set[str]) -> bool:
    """research_platform.rate_limits.hits_for, read for a documented operation."""
    posted = method == "post"
    return (
        "knoxApiToken" in schemes  # every request with a researcher's token counts
        or ("participantBearer" in schemes and path.startswith(PARTICIPANT_PREFIXES))
        or (posted and path in LOGIN_PATHS)
        or (posted and path in ENROL_PATHS)
    )

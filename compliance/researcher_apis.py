"""Audit API: entries and chain verification on the platform host (across the caller's studies)
and a study's own entries and signed checkpoints on its host. Every query is itself recorded
(audit_access "audit_query")."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import selectors
from audit.services import audit_access
from audit.verification import verify_studies
from compliance.selectors import covered_studies, is_platform_auditor, scope_for
from core.errors import ApplicationError
from tenants.models import Study
from tenants.permissions import StudyAPIView

FILTER_PARAMS = [
    OpenApiParameter(
        "actor",
        str,
        description='"42" or "user:42" (a user id), a username (exact, any case), or a label prefix ("task:")',
    ),
    OpenApiParameter("action", str, description='an action or its prefix, e.g. "membership" or "reidentify"'),
    OpenApiParameter("object", str, description='"app.model", "app.model:pk" or a participant code'),
    OpenApiParameter(
        "since", str, description="ISO 8601 date (whole day) or date-time, inclusive; naive values in the server's zone"
    ),
    OpenApiParameter(
        "until", str, description="ISO 8601 date (whole day) or date-time, inclusive; naive values in the server's zone"
    ),
    OpenApiParameter("study", str, description="a study slug among those you may audit"),
    OpenApiParameter(
        "include_own_queries",
        bool,
        description="also list your own audit_query entries (left out by default: every query records one)",
    ),
    OpenApiParameter("limit", int, description=f"page size, at most {selectors.MAX_LIMIT} (default 100)"),
    OpenApiParameter("offset", int, description="entries to skip"),
]
PAGE = inline_serializer(
    "AuditPage",
    {
        "count": serializers.IntegerField(),
        "limit": serializers.IntegerField(),
        "offset": serializers.IntegerField(),
        "results": serializers.ListField(child=serializers.DictField()),
    },
)


def _paging(request: Request) -> tuple[int, int]:
    try:
        limit = int(request.query_params.get("limit", 100))
        offset = int(request.query_params.get("offset", 0))
    except ValueError as exc:
        raise ApplicationError(
            "invalid_filter", "limit and offset are integers.", details={"limit": "integer"}
        ) from exc
    if not 1 <= limit <= selectors.MAX_LIMIT or offset < 0:
        raise ApplicationError(
            "invalid_filter", f"limit is 1..{selectors.MAX_LIMIT}, offset 0 or more.", details={"limit": limit}
        )
    return limit, offset


def auditor_scope(request: Request, f: selectors.AuditFilters) -> tuple[list[Study], bool]:
    """The caller's studies for an audit query on the platform host; 403 for non-auditors."""
    if not is_platform_auditor(request.user) and not covered_studies(request.user):
        raise ApplicationError("permission_denied", "You hold the compliance role on no study.", status_code=403)
    return scope_for(request.user, f)


def record_query(*, what: str, filters: dict[str, Any], studies: list[Study], count: int | None) -> None:
    """Record an audit query; ``filters`` must be pseudonymous (AuditFilters.as_dict records a
    username as the "user:<id>" it names)."""
    audit_access(
        action="audit_query",
        details={
            "query": what,
            "filters": filters,
            "studies": [s.slug for s in studies],
            "count": count,
            # One study asked for: the entry belongs to that study's trail (its officers see it).
            "study": filters.get("study") or (studies[0].slug if len(studies) == 1 else ""),
        },
    )


class PlatformAuditApi(APIView):
    """Entries across every study the caller audits (platform staff: all, plus platform-wide entries)."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Search audit entries across the studies you audit",
        parameters=FILTER_PARAMS,
        responses={
            200: PAGE,
            403: OpenApiResponse(description="You hold the compliance role on no study."),
            404: OpenApiResponse(description="`study` names no study among those you may audit."),
        },
    )
    def get(self, request: Request) -> Response:
        f = selectors.parse_filters(request.query_params, viewer=request.user)
        limit, offset = _paging(request)
        studies, platform_wide = auditor_scope(request, f)
        page = selectors.search(studies, platform_wide, f, limit=limit, offset=offset)
        record_query(what="entries", filters=f.as_dict(), studies=studies, count=page["count"])
        return Response(page)


class PlatformVerifyApi(APIView):
    """Chain verification: the platform chain and each study the caller audits."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Verify the platform's audit chain and those of the studies you audit",
        parameters=[OpenApiParameter("study", str, description="one study slug")],
        responses={
            200: inline_serializer("AuditVerify", {"chains": serializers.ListField()}),
            403: OpenApiResponse(description="You hold the compliance role on no study."),
            404: OpenApiResponse(description="`study` names no study among those you may audit."),
        },
    )
    def get(self, request: Request) -> Response:
        f = selectors.parse_filters({"study": request.query_params.get("study", "")})
        studies, _ = auditor_scope(request, f)
        chains = verify_studies([s.slug for s in studies], include_platform=True)
        record_query(what="verify", filters=f.as_dict(), studies=studies, count=None)
        return Response({"intact": all(c["intact"] for c in chains), "chains": chains})


class StudyAuditApi(StudyAPIView):
    """This study's entries: its own chain and the platform entries about it (compliance role)."""

    required_study_perm = "view_audit"

    @extend_schema(
        summary="Search this study's audit entries",
        parameters=[p for p in FILTER_PARAMS if p.name != "study"],
        responses={200: PAGE},
    )
    def get(self, request: Request) -> Response:
        f = selectors.parse_filters(request.query_params, viewer=request.user)
        limit, offset = _paging(request)
        studies, platform_wide = scope_for(request.user, f, only=self.study)
        page = selectors.search(studies, platform_wide, f, limit=limit, offset=offset)
        record_query(what="entries", filters=f.as_dict(), studies=studies, count=page["count"])
        return Response(page)


class StudyCheckpointsApi(StudyAPIView):
    """GET /api/v1/audit/checkpoints/ — this study's signed chain heads and the public key, to keep.

    The compliance officer stores this file outside the platform; `manage.py verify_audit
    --checkpoints FILE` then detects a rewritten or truncated chain even if the stored
    checkpoints were rewritten or deleted with it (docs/audit.md).
    """

    required_study_perm = "view_audit"

    @extend_schema(
        summary="Get this study's signed audit checkpoints, to keep outside the platform",
        responses={200: inline_serializer("AuditCheckpoints", {"checkpoints": serializers.ListField()})},
    )
    def get(self, request: Request) -> Response:
        from audit.checkpoints import checkpoints_export

        export = checkpoints_export()
        record_query(what="checkpoints", filters={}, studies=[self.study], count=len(export["checkpoints"]))
        return Response(export)

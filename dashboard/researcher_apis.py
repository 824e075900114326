"""Export endpoints (analyst and up): streamed downloads, and export jobs for large studies.

The study resource is here too: list and create (platform host), details, the current study. A
study's response and its create/change bodies carry its game settings, which live in the study's own
schema (games.GameSettings) while the study row lives in public; the views that span both sit in
dashboard, above tenants and games (#19). A study's members are tenants/researcher_apis.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, StreamingHttpResponse
from django_tenants.utils import tenant_context
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_serializer
from knox.auth import TokenAuthentication
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import audit_access
from core.errors import ApplicationError
from dashboard.export_formats import ExportScope, default_scope, parse_flag
from dashboard.models import ExportJob
from dashboard.selectors import export_job_get, export_jobs_list
from dashboard.services import export_job_create, study_create_with_settings
from games.selectors import game_config_current
from games.services import game_settings_update
from tenants.models import Study
from tenants.permissions import StudyAPIView, can_create_studies
from tenants.researcher_apis import PlatformStudyAPIView
from tenants.selectors import study_list_for
from tenants.services import StudyError, study_update

# Every content type an export may have (CSV, hBayesDM's tab-separated text, the Psych-DS zip).
_FILE_RESPONSES: dict = {
    (200, media): OpenApiTypes.BINARY for media in ("text/csv", "text/tab-separated-values", "application/zip")
}


# The export formats, in the order dashboard.exports.FORMATS lists them (for the schema).
_FORMAT_KEYS = ("csv", "balloons", "hbayesdm", "participants", "scores", "item_responses", "psychds")


def _format_or_400(value: str | None) -> str:
    from dashboard.exports import FORMATS

    if value not in FORMATS:
        raise ApplicationError(
            "invalid", "Unknown export format.", details={"format": [f"One of {', '.join(FORMATS)}."]}, status_code=400
        )
    return value


SCOPE_PARAMETERS = ("finished_only", "include_pilots", "include_free_text")


def scope_or_400(export_format: str, data: Any) -> ExportScope:
    """The scope asked for: each parameter given replaces the format's default (export_formats.default_scope)."""
    default = default_scope(export_format)
    chosen = {
        "finished_only": default.finished_only,
        "include_pilots": default.include_pilots,
        "include_free_text": default.include_free_text,
    }
    errors: dict[str, list[str]] = {}
    for name in SCOPE_PARAMETERS:
        value = data.get(name) if hasattr(data, "get") else None
        if value is None:
            continue
        try:
            chosen[name] = parse_flag(value)
        except ValueError:
            errors[name] = ["Must be true or false."]
    if errors:
        raise ApplicationError("invalid", "The export options are not valid.", details=errors, status_code=400)
    return ExportScope(**chosen)


_SCOPE_DOC = (
    "`finished_only` (default true for balloons, hbayesdm and psychds, false for csv): leave out sessions the "
    "participant did not complete. `include_pilots` (default false): keep participants who joined while the "
    "study was piloting. `include_free_text` (default false): export the answers to free-text items of "
    "questionnaires whose definition allows it (`export_free_text`); without both they are withheld. "
    "Values: true or false; anything else is a 400 naming the parameter."
)


def _filename(study_slug: str, suffix: str) -> str:
    return f"{study_slug}_{suffix}"


class ExportApi(StudyAPIView):
    """GET /api/v1/export/?format=csv|balloons|hbayesdm|participants|scores|item_responses|psychds — a streamed
    download (constant memory)."""

    required_study_perm = "export_data"

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # `?format=` names the export (the contract), not one of DRF's renderers: never a 404 for it.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download an export of the study's data (streamed)",
        parameters=[
            OpenApiParameter("format", str, enum=list(_FORMAT_KEYS), required=True),
            OpenApiParameter("finished_only", bool, required=False),
            OpenApiParameter("include_pilots", bool, required=False),
            OpenApiParameter("include_free_text", bool, required=False),
        ],
        responses={**_FILE_RESPONSES, 400: None},
        description="Streamed export; the `X-Export-Versions` header names the versions it carries and its scope "
        "(`sessions`, `pilot_participants`). " + _SCOPE_DOC,
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        from dashboard.exports import FORMATS, export_stream, versions_header

        export_format = _format_or_400(request.query_params.get("format"))
        scope = scope_or_400(export_format, request.query_params)
        spec = FORMATS[export_format]
        chunks, versions = export_stream(
            export_format, study_slug=self.study.slug, study_title=self.study.title, scope=scope
        )
        audit_access(
            action="export",
            actor=request.user,
            details={"study": self.study.slug, "format": export_format, "versions": versions},
        )
        response = StreamingHttpResponse(chunks, content_type=spec.content_type)
        response["Content-Disposition"] = f'attachment; filename="{_filename(self.study.slug, spec.file_suffix)}"'
        response["X-Export-Versions"] = versions_header(versions)
        response["Cache-Control"] = "no-store"
        return response


class ExportJobOutput(serializers.ModelSerializer):
    progress = serializers.FloatField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "format",
            "status",
            "progress",
            "rows_written",
            "rows_total",
            "finished_only",
            "include_pilots",
            "include_free_text",
            "error",
            "size_bytes",
            "versions",
            "created_at",
            "finished_at",
            "download_url",
        ]

    def get_download_url(self, job: ExportJob) -> str | None:
        return f"/api/v1/export/jobs/{job.pk}/download/" if job.status == ExportJob.Status.DONE else None


class ExportJobList(serializers.Serializer):
    results = ExportJobOutput(many=True)


class ExportJobInput(serializers.Serializer):
    """For the schema only: the view validates strictly with _format_or_400 and scope_or_400."""

    format = serializers.ChoiceField(choices=list(_FORMAT_KEYS))
    finished_only = serializers.BooleanField(required=False)
    include_pilots = serializers.BooleanField(required=False)
    include_free_text = serializers.BooleanField(required=False)


class ExportJobsApi(StudyAPIView):
    """GET: the study's export jobs; POST {"format", "finished_only"?, "include_pilots"?}: start one (202)."""

    required_study_perm = "export_data"

    @extend_schema(
        summary="List the study's export jobs", operation_id="v1_export_jobs_list", responses={200: ExportJobList}
    )
    def get(self, request: Request) -> Response:
        return Response(ExportJobList({"results": export_jobs_list()}).data)

    @extend_schema(
        summary="Start an export job",
        request=ExportJobInput,
        responses={202: ExportJobOutput, 400: None},
        description=_SCOPE_DOC,
    )
    def post(self, request: Request) -> Response:
        export_format = _format_or_400(request.data.get("format") if hasattr(request.data, "get") else None)
        scope = scope_or_400(export_format, request.data)
        job = export_job_create(acting_user=request.user, export_format=export_format, scope=scope)
        return Response(ExportJobOutput(job).data, status=202)


def _job_or_404(job_id: Any) -> ExportJob:
    job = export_job_get(job_id=job_id)
    if job is None:
        raise ApplicationError("not_found", "No such export job.", status_code=404)
    return job


class ExportJobApi(StudyAPIView):
    required_study_perm = "export_data"

    @extend_schema(summary="Get an export job's status", responses={200: ExportJobOutput, 404: None})
    def get(self, request: Request, job_id: str) -> Response:
        return Response(ExportJobOutput(_job_or_404(job_id)).data)


class ExportJobDownloadApi(StudyAPIView):
    """The job's file, only through this permission check (files are never public media)."""

    required_study_perm = "export_data"

    @extend_schema(summary="Download an export job's file", responses={**_FILE_RESPONSES, 404: None, 409: None})
    def get(self, request: Request, job_id: str) -> FileResponse:
        from dashboard.exports import FORMATS

        job = _job_or_404(job_id)
        if job.status != ExportJob.Status.DONE or not job.file_name:
            raise ApplicationError(
                "not_ready", "The export is not finished.", details={"status": job.status}, status_code=409
            )
        root = Path(settings.MEDIA_ROOT).resolve()
        path = (root / job.file_name).resolve()
        if root not in path.parents or not path.is_file():
            raise ApplicationError("not_found", "The export file is gone.", status_code=404)
        audit_access(
            action="export",
            obj=job,
            actor=request.user,
            details={"study": self.study.slug, "format": job.format, "versions": job.versions, "job": str(job.pk)},
        )
        spec = FORMATS[job.format]
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=_filename(self.study.slug, spec.file_suffix),
            content_type=spec.content_type,
        )
        response["Cache-Control"] = "no-store"
        return response


# --- The study resource ---------------------------------------------------------------------------


class StudyOutputSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    url = serializers.CharField()
    game_config = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_game_config(self, study: Study) -> dict[str, Any]:
        # Read in the study's schema: on the platform host the request runs in public.
        with tenant_context(study):
            return game_config_current()


def _raise(exc: StudyError) -> NoReturn:
    raise ApplicationError(exc.code, exc.message, details=exc.details) from exc


class StudyListApi(APIView):
    """Studies the caller holds a role on (every study for platform admins); create a study."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    # Named: TokenApi and StudyListApi both nest an InputSerializer, one "InputRequest" component otherwise.
    @extend_schema_serializer(component_name="StudyCreate")
    class InputSerializer(serializers.Serializer):
        slug = serializers.CharField(max_length=40)
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        game = serializers.JSONField(required=False, default=None)

    class ListItemSerializer(serializers.Serializer):
        slug = serializers.CharField()
        title = serializers.CharField()
        status = serializers.CharField()
        url = serializers.CharField()
        role = serializers.CharField()

    @extend_schema(summary="List the studies you hold a role on", responses=ListItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = [
            {"slug": s.slug, "title": s.title, "status": s.status, "url": s.url, "role": role}
            for s, role in study_list_for(user=request.user)
        ]
        return Response(self.ListItemSerializer(rows, many=True).data)

    @extend_schema(
        summary="Create a study (platform admins)", request=InputSerializer, responses={201: StudyOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        if not can_create_studies(request.user):
            raise ApplicationError(
                "permission_denied", "Only study administrators may create studies.", status_code=403
            )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            study = study_create_with_settings(
                acting_user=request.user,
                slug=data.validated_data["slug"],
                title=data.validated_data["title"],
                description=data.validated_data["description"],
                game_config=data.validated_data["game"],
            )
        except StudyError as exc:
            _raise(exc)
        return Response(StudyOutputSerializer(study).data, status=status.HTTP_201_CREATED)


class StudyDetailApi(PlatformStudyAPIView):
    required_study_perm = {"GET": "view_study", "PATCH": "change_settings"}

    class PatchSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        status = serializers.ChoiceField(choices=["draft", "piloting", "recruiting", "closed"], required=False)
        game = serializers.JSONField(required=False)

    @extend_schema(summary="Get a study's details", responses=StudyOutputSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(StudyOutputSerializer(self.study).data)

    @extend_schema(
        summary="Change a study's title, status or game settings",
        request=PatchSerializer,
        responses=StudyOutputSerializer,
    )
    def patch(self, request: Request, slug: str) -> Response:
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        game = fields.pop("game", None)
        try:
            # One change: a refused game configuration leaves the title and status as they were.
            with transaction.atomic():
                study = study_update(study=self.study, **fields)
                if game is not None:
                    with tenant_context(study):
                        game_settings_update(acting_user=request.user, config=game)
        except StudyError as exc:
            _raise(exc)
        return Response(StudyOutputSerializer(study).data)


class CurrentStudyApi(StudyAPIView):
    """GET /api/v1/study/ on a study host: the study behind this host."""

    required_study_perm = "view_study"

    @extend_schema(summary="Get the study this host serves", responses=StudyOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(StudyOutputSerializer(self.study).data)

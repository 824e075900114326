"""Export endpoints (analyst and up): streamed downloads, and export jobs for large studies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from audit.services import audit_access
from core.errors import ApplicationError
from dashboard.export_formats import ExportScope, default_scope, parse_flag
from dashboard.models import ExportJob
from dashboard.selectors import export_job_get, export_jobs_list
from dashboard.services import export_job_create
from tenants.permissions import StudyAPIView

# Every content type an export may have (CSV, hBayesDM's tab-separated text, the Psych-DS zip).
_FILE_RESPONSES: dict = {
    (200, media): OpenApiTypes.BINARY for media in ("text/csv", "text/tab-separated-values", "application/zip")
}


def _format_or_400(value: str | None) -> str:
    from dashboard.exports import FORMATS

    if value not in FORMATS:
        raise ApplicationError(
            "invalid", "Unknown export format.", details={"format": [f"One of {', '.join(FORMATS)}."]}, status_code=400
        )
    return value


SCOPE_PARAMETERS = ("finished_only", "include_pilots")


def scope_or_400(export_format: str, data: Any) -> ExportScope:
    """The scope asked for: each parameter given replaces the format's default (export_formats.default_scope)."""
    default = default_scope(export_format)
    chosen = {"finished_only": default.finished_only, "include_pilots": default.include_pilots}
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
    "study was piloting. Values: true or false; anything else is a 400 naming the parameter."
)


def _filename(study_slug: str, suffix: str) -> str:
    return f"{study_slug}_{suffix}"


class ExportApi(StudyAPIView):
    """GET /api/v1/export/?format=csv|balloons|hbayesdm|psychds — a streamed download (constant memory)."""

    required_study_perm = "export_data"

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # `?format=` names the export (the contract), not one of DRF's renderers: never a 404 for it.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download an export of the study's data (streamed)",
        parameters=[
            OpenApiParameter("format", str, enum=["csv", "balloons", "hbayesdm", "psychds"], required=True),
            OpenApiParameter("finished_only", bool, required=False),
            OpenApiParameter("include_pilots", bool, required=False),
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

    format = serializers.ChoiceField(choices=["csv", "balloons", "hbayesdm", "psychds"])
    finished_only = serializers.BooleanField(required=False)
    include_pilots = serializers.BooleanField(required=False)


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

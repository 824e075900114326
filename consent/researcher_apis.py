"""Researcher API for consent documents and settings (managers: manage_consent; others may read)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from consent.selectors import consent_document_get, consent_documents_list, consent_settings_get
from consent.services import consent_document_draft, consent_document_publish, consent_settings_update
from tenants.permissions import StudyAPIView


class DocumentOut(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField(source="body")
    language = serializers.CharField()
    status = serializers.CharField()
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    retired_at = serializers.DateTimeField(allow_null=True)


class DocumentDraftIn(serializers.Serializer):
    version = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=200)
    text = serializers.CharField()
    language = serializers.CharField(max_length=16, default="en")


class ConsentDocumentListApi(StudyAPIView):
    """GET every version (viewer+); POST a new draft (manage_consent). Drafts are never shown to participants."""

    required_study_perm = {"GET": "view_study", "POST": "manage_consent"}

    @extend_schema(summary="List every version of the consent document", responses={200: DocumentOut(many=True)})
    def get(self, request: Request) -> Response:
        return Response(DocumentOut(consent_documents_list(), many=True).data)

    @extend_schema(
        summary="Draft a new consent document version",
        request=DocumentDraftIn,
        responses={201: DocumentOut, 400: None, 409: None},
    )
    def post(self, request: Request) -> Response:
        data = DocumentDraftIn(data=request.data)
        data.is_valid(raise_exception=True)
        document = consent_document_draft(
            version=data.validated_data["version"],
            title=data.validated_data["title"],
            body=data.validated_data["text"],
            language=data.validated_data["language"],
            acting_user=request.user,
        )
        return Response(DocumentOut(document).data, status=status.HTTP_201_CREATED)


class ConsentDocumentPublishApi(StudyAPIView):
    """POST: make a draft the current version (the previous one is retired); 409 for a non-draft."""

    required_study_perm = {"POST": "manage_consent"}

    @extend_schema(
        summary="Publish a draft as the current consent document",
        request=None,
        responses={200: DocumentOut, 404: None, 409: None},
    )
    def post(self, request: Request, version: str) -> Response:
        document = consent_document_get(version=version)
        if document is None:
            raise Http404
        return Response(DocumentOut(consent_document_publish(document=document)).data)


class SettingsSerializer(serializers.Serializer):
    external_id_params = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    require_reconsent = serializers.BooleanField(required=False)
    token_lifetime_hours = serializers.IntegerField(required=False, min_value=1, max_value=24 * 90)
    completion_url = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ConsentSettingsApi(StudyAPIView):
    """GET the study's consent settings (viewer+); PATCH them (manage_consent)."""

    required_study_perm = {"GET": "view_study", "PATCH": "manage_consent"}

    @extend_schema(summary="Get the study's consent settings", responses={200: SettingsSerializer})
    def get(self, request: Request) -> Response:
        return Response(SettingsSerializer(consent_settings_get()).data)

    @extend_schema(
        summary="Change the study's consent settings",
        request=SettingsSerializer,
        responses={200: SettingsSerializer, 400: None},
    )
    def patch(self, request: Request) -> Response:
        data = SettingsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(
            SettingsSerializer(consent_settings_update(acting_user=request.user, **data.validated_data)).data
        )

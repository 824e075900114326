"""The naive way, for section 2 only: one event per request through a plain DRF ModelSerializer.

Mounted by bench/urls_tenants.py, which only the bench settings use; production URLs never
include it. It authenticates like the real endpoint (participant token + consent gate) and
then does what a first implementation would: validate with a ModelSerializer, save one ORM row.
It skips the schedule checks and counters of the real path, so the comparison flatters it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from consent.gate import ParticipantAPIView
from core.errors import ApplicationError
from games.models import Event, GameSession


class NaiveEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["event_id", "seq", "type", "t", "client_ts", "balloon", "data"]


class NaiveEventApi(ParticipantAPIView):
    """POST bench/naive/sessions/{id}/events/ with one bart-events/1 event as the body."""

    def post(self, request: Request, session_id: Any) -> Response:
        session = GameSession.objects.filter(pk=session_id, participant=self.participant).first()
        if session is None:
            raise ApplicationError("not_found", "No such session.", status_code=404)
        serializer = NaiveEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save(session=session, received_at=timezone.now(), raw=request.data)
        return Response({"accepted": 1}, status=201)

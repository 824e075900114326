"""Helpers for the game tests: an enrolled participant with a bearer client, and a started session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client

from tests.conftest import enrolled, host_client
from tests.consent.support import bearer


@dataclass
class Gamer:
    client: Client
    token: str
    code: str

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            path, body if body is not None else {}, content_type="application/json", **bearer(self.token)
        )

    def get(self, path: str) -> Any:
        return self.client.get(path, **bearer(self.token))

    def start(self) -> dict[str, Any]:
        response = self.post("/api/v1/game/sessions/")
        assert response.status_code in (200, 201), response.content
        return response.json()

    def send(self, session_id: str, events: list[dict[str, Any]], sent_at: int | None = 1_732_521_700_000) -> Any:
        body: dict[str, Any] = {"events": events}
        if sent_at is not None:
            body["sent_at"] = sent_at
        return self.post(f"/api/v1/game/sessions/{session_id}/events/", body)


def enrol_gamer(study: Any, document: Any = None) -> Gamer:
    """A participant of ``study`` enrolled by the cast's builder, with a client of their own."""
    client = host_client(study.domain_name)
    person = enrolled(study, client, document=document)
    return Gamer(client=client, token=person.token, code=person.code)

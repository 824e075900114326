"""After a full flow, no audit entry anywhere holds an e-mail, an external id or an IP address."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db import connection

from audit.models import AuditEntry
from tests.conftest import api_client_for
from tests.consent.support import bearer, enrol, publish

PANEL_ID = "PROLIFIC-5f1e2d3c4b5a69788796a5b4"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


def _all_entries(*studies) -> list[AuditEntry]:
    entries = list(AuditEntry.objects.all())
    for study in studies:
        connection.set_tenant(study)
        entries += list(AuditEntry.objects.all())
        connection.set_schema_to_public()
    return entries


def test_a_full_flow_leaves_no_personal_data_in_the_trail(cast, alpha, beta, alpha_client):
    users = get_user_model().objects
    for user in users.all():
        user.email = f"{user.username}@uni.example.org"
        user.first_name, user.last_name = "Ada", "Lovelace"
        user.save()
    newcomer = users.create_user("grace@uni.example.org", email="grace@uni.example.org", password="pw-grace-12345")
    manager = api_client_for(cast["manager"], "localhost")
    manager.post("/api/v1/studies/alpha/members/", {"username": newcomer.username, "role": "analyst"}, format="json")
    manager.patch("/api/v1/studies/alpha/", {"status": "recruiting"}, format="json")
    enrolled = enrol(
        alpha_client,
        publish(alpha),
        external_id=PANEL_ID,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        REMOTE_ADDR="198.51.100.7",
    ).json()
    code = enrolled["participant_code"]
    api_client_for(cast["manager"], alpha.domain_name).post(
        f"/api/v1/participants/{code}/reidentify/", {"reason": "Payment reconciliation on the panel"}, format="json"
    )
    alpha_client.post("/api/v1/me/withdraw/", {}, content_type="application/json", **bearer(enrolled["token"]))
    manager.delete("/api/v1/studies/alpha/members/", {"username": newcomer.username}, format="json")
    api_client_for(cast["compliance"], "localhost").get("/api/v1/audit/", {"actor": "user:1"})
    users.filter(pk=newcomer.pk).update(is_active=False)
    newcomer.is_active = False
    newcomer.save()

    entries = _all_entries(alpha, beta)
    events = {e.event for e in entries}
    assert {"membership.grant", "membership.revoke", "reidentify", "audit_query"} <= events
    assert any(e.object_repr == code for e in entries)  # pseudonymous codes are how participants appear
    for entry in entries:
        text = str(entry.chain_content())
        assert PANEL_ID not in text, entry
        assert not EMAIL.search(text), (entry.event, text)
        assert not IPV4.search(text), (entry.event, text)
        assert "Lovelace" not in text and "grace" not in text
        assert entry.remote_addr is None and entry.actor_email is None

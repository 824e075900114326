"""Participant tokens and the consent gate of every participant endpoint (ParticipantAPIView)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import path
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.response import Response

from consent.gate import ParticipantAPIView
from pseudonymization.authentication import COOKIE_NAME
from pseudonymization.models import ParticipantToken
from research_platform import urls_tenants
from tests.consent.support import bearer, publish


class WhoAmI(ParticipantAPIView):
    def get(self, request):
        return Response({"participant_code": self.participant.participant_code})

    def post(self, request):
        return Response({"ok": True})


urlpatterns = [path("probe/", WhoAmI.as_view())]


@pytest.fixture
def probe(settings) -> str:
    """A participant endpoint mounted only for these tests (the real ones belong to other apps)."""
    settings.ROOT_URLCONF = __name__
    return "/probe/"


def test_a_valid_token_identifies_the_participant(alpha_client, participant, probe):
    response = alpha_client.get(probe, **participant.auth)
    assert response.status_code == 200
    assert response.json() == {"participant_code": participant.code}


def test_no_token_or_a_bad_token_is_401(alpha_client, participant, probe):
    assert alpha_client.get(probe).status_code == 401
    assert alpha_client.get(probe, **bearer("pt_wrong")).status_code == 401
    malformed = alpha_client.get(probe, HTTP_AUTHORIZATION="Bearer")
    assert malformed.status_code == 401
    assert malformed.json()["error"]["code"] == "authentication_failed"


def test_a_token_is_worthless_on_another_study(beta_client, participant, probe):
    response = beta_client.get(probe, **participant.auth)
    assert response.status_code == 401


def test_an_expired_token_is_refused(alpha, alpha_client, participant, probe):
    with tenant_context(alpha):
        ParticipantToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert alpha_client.get(probe, **participant.auth).status_code == 401


def test_a_revoked_token_is_refused(alpha, alpha_client, participant, probe):
    with tenant_context(alpha):
        ParticipantToken.objects.update(revoked_at=timezone.now())
    assert alpha_client.get(probe, **participant.auth).status_code == 401


def test_after_withdrawal_the_endpoint_answers_409_withdrawn(alpha_client, withdrawn_participant, probe):
    response = alpha_client.get(probe, **withdrawn_participant.auth)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "withdrawn"


def test_when_reconsent_is_required_a_new_version_gates_old_agreements(alpha, alpha_client, participant, probe):
    from consent.models import ConsentSettings

    with tenant_context(alpha):
        ConsentSettings.objects.create(require_reconsent=True)
    publish(alpha, version="2.0", body="New terms.")
    response = alpha_client.get(probe, **participant.auth)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "consent_required"


def test_without_reconsent_an_earlier_agreement_still_counts(alpha, alpha_client, participant, probe):
    publish(alpha, version="2.0", body="New terms.")
    assert alpha_client.get(probe, **participant.auth).status_code == 200


def test_the_cookie_works_but_writes_with_it_need_the_csrf_token(alpha, participant, probe):
    browser = Client(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True)
    browser.cookies[COOKIE_NAME] = participant.token
    assert browser.get(probe).status_code == 200
    refused = browser.post(probe)
    assert refused.status_code == 403
    browser.cookies["csrftoken"] = "a" * 32
    assert browser.post(probe, HTTP_X_CSRFTOKEN="a" * 32).status_code == 200


def test_a_bearer_header_needs_no_csrf_token(alpha, participant, probe):
    script = Client(HTTP_HOST=alpha.domain_name, enforce_csrf_checks=True)
    assert script.post(probe, **participant.auth).status_code == 200


def test_only_the_hash_of_a_token_is_stored(alpha, participant):
    with tenant_context(alpha):
        stored = list(ParticipantToken.objects.values_list("token_hash", flat=True))
    assert stored and participant.token not in stored and len(stored[0]) == 64


def test_the_real_urlconf_is_untouched_by_the_probe():
    assert not any(str(p.pattern) == "probe/" for p in urls_tenants.urlpatterns)

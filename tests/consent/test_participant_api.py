"""POST /api/v1/participants/ and GET /api/v1/consent/ on a study host."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from consent.models import ConsentRecord
from pseudonymization.models import Participant, ParticipantToken
from tests.consent.support import enrol, publish


def test_the_current_document_is_served_with_its_hash(alpha, alpha_client):
    document = publish(alpha)
    response = alpha_client.get("/api/v1/consent/")
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["sha256"], body["text"]) == ("1.0", document.sha256, document.body)


def test_without_a_published_document_the_consent_endpoint_says_so(alpha_client):
    response = alpha_client.get("/api/v1/consent/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_consent_document"


def test_agreeing_creates_a_participant_a_record_and_a_token(alpha, alpha_client):
    document = publish(alpha)
    response = enrol(alpha_client, document)
    assert response.status_code == 201
    body = response.json()
    assert body["participant_code"].startswith("P-") and body["token"].startswith("pt_")
    with tenant_context(alpha):
        participant = Participant.objects.get(participant_code=body["participant_code"])
        record = ConsentRecord.objects.get(participant=participant)
        assert (record.document_id, record.sha256, record.method) == (document.pk, document.sha256, "api")
        # Only the hash of the token is stored.
        assert not ParticipantToken.objects.filter(token_hash=body["token"]).exists()
        assert ParticipantToken.objects.filter(participant=participant).count() == 1


def test_an_outdated_version_or_hash_is_a_conflict(alpha, alpha_client):
    old = publish(alpha, version="1.0")
    current = publish(alpha, version="2.0", body="New terms.")
    response = enrol(alpha_client, old)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "consent_outdated"
    assert error["details"] == {"current_version": "2.0", "current_sha256": current.sha256}
    wrong_hash = alpha_client.post(
        "/api/v1/participants/",
        {"consent_version": "2.0", "consent_sha256": old.sha256, "agree": True},
        content_type="application/json",
    )
    assert wrong_hash.status_code == 409
    with tenant_context(alpha):
        assert Participant.objects.count() == 0


def test_consent_without_an_explicit_agreement_is_rejected(alpha, alpha_client):
    document = publish(alpha)
    response = enrol(alpha_client, document, agree=False)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "agree" in response.json()["error"]["details"]
    with tenant_context(alpha):
        assert Participant.objects.count() == 0


def test_malformed_input_gets_the_error_body(alpha, alpha_client):
    publish(alpha)
    response = alpha_client.post("/api/v1/participants/", {"consent_version": "1.0"}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) >= {"consent_sha256", "agree"}
    garbage = alpha_client.post("/api/v1/participants/", "{not json", content_type="application/json")
    assert garbage.status_code == 400
    assert garbage.json()["error"]["code"] == "malformed_request"


def test_a_bad_external_id_is_rejected_without_echoing_it(alpha, alpha_client):
    document = publish(alpha)
    response = enrol(alpha_client, document, external_id="ab\x00SECRETVALUE")
    assert response.status_code == 400
    assert "external_id" in response.json()["error"]["details"]
    assert "SECRETVALUE" not in response.content.decode()


def test_knowing_someones_external_id_gives_nothing_of_theirs(alpha, alpha_client):
    """Finding 1 of #18: a known panel id once returned that participant's code and a fresh token."""
    from consent.services import consent_withdraw
    from tests.consent.support import bearer

    document = publish(alpha)
    victim = enrol(alpha_client, document, external_id="5f1a2b3c4d5e6f7a8b9c0d1e")
    victim_body = victim.json()
    answers = []
    for variant in (" 5F1A2B3C4D5E6F7A8B9C0D1E ", "5f1a2b3c4d5e6f7a8b9c0d1e"):
        attempt = enrol(alpha_client, document, external_id=variant)
        answers.append((attempt.status_code, sorted(attempt.json())))
        body = attempt.json()
        assert body["participant_code"] != victim_body["participant_code"]
        # The attacker's token reads only the attacker's own, empty participant.
        mine = alpha_client.get("/api/v1/me/data/", **bearer(body["token"])).json()
        assert victim_body["participant_code"] not in str(mine)
    stranger = enrol(alpha_client, document, external_id="aaaaaaaaaaaaaaaaaaaaaaaa")
    # Same status and shape whether or not the id took part: no oracle.
    assert answers == [(201, sorted(stranger.json()))] * 2 == [(stranger.status_code, sorted(stranger.json()))] * 2
    with tenant_context(alpha):
        original = Participant.objects.get(participant_code=victim_body["participant_code"])
        duplicates = list(Participant.objects.filter(duplicate_of=original))
        assert len(duplicates) == 2 and all(d.has_external_id and d.external_id_index is None for d in duplicates)
        assert ConsentRecord.objects.filter(participant=original).count() == 1
        assert ParticipantToken.objects.filter(participant=original).count() == 1  # no token was issued for it
        consent_withdraw(participant=original)
    after = enrol(alpha_client, document, external_id="5f1a2b3c4d5e6f7a8b9c0d1e")
    assert (after.status_code, sorted(after.json())) == (201, sorted(stranger.json()))  # withdrawn: still no 409


def test_the_researchers_list_marks_a_duplicate_enrolment(alpha, alpha_client, cast):
    from tests.conftest import api_client_for

    document = publish(alpha)
    first = enrol(alpha_client, document, external_id="5f1a2b3c4d5e6f7a8b9c0d1e").json()
    second = enrol(alpha_client, document, external_id="5F1A2B3C4D5E6F7A8B9C0D1E").json()
    client = api_client_for(cast["viewer"], alpha.domain_name)
    rows = {r["participant_code"]: r for r in client.get("/api/v1/participants/").json()["results"]}
    assert rows[first["participant_code"]]["duplicate_of"] is None
    assert rows[second["participant_code"]]["duplicate_of"] == first["participant_code"]


def test_the_same_external_id_gets_unlinkable_codes_in_two_studies(alpha, beta, alpha_client, beta_client):
    external_id = "5f1a2b3c4d5e6f7a8b9c0d1e"
    in_alpha = enrol(alpha_client, publish(alpha), external_id=external_id).json()
    in_beta = enrol(beta_client, publish(beta), external_id=external_id).json()
    assert in_alpha["participant_code"] != in_beta["participant_code"]
    with tenant_context(alpha):
        alpha_index = Participant.objects.get().external_id_index
    with tenant_context(beta):
        beta_index = Participant.objects.get().external_id_index
    assert alpha_index and beta_index and alpha_index != beta_index


def test_a_study_that_is_not_recruiting_refuses_new_participants(alpha, alpha_client):
    document = publish(alpha)
    alpha.status = "closed"
    alpha.save(update_fields=["status"])
    response = enrol(alpha_client, document)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_recruiting"

"""A participant's model fits and the study fits cost the same number of queries for 3 rows as for 10."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tests.conftest import api_client_for, queries_of_get
from tests.traits.test_services import simulated_input
from tests.traits.test_study_fits import sample_of
from traits.services import session_process


def _sessions_processed(study, participant, seeds: range) -> None:
    with tenant_context(study):
        for seed in seeds:
            session_process(data=simulated_input(participant, seed=seed))


def test_a_participants_model_fits_do_not_grow_queries_with_sessions(alpha, cast, participant):
    client = api_client_for(cast["viewer"], alpha.domain_name)
    path = f"/api/v1/participants/{participant.code}/models/"
    _sessions_processed(alpha, participant.participant, range(3))
    few = queries_of_get(client, path)
    _sessions_processed(alpha, participant.participant, range(3, 10))
    assert len(client.get(path).json()["session_fits"]) == 2 * 10
    assert queries_of_get(client, path) == few


def test_the_study_fits_do_not_grow_queries_with_participants(alpha, cast):
    client = api_client_for(cast["viewer"], alpha.domain_name)
    with tenant_context(alpha):
        sample_of(3)
    few = queries_of_get(client, "/api/v1/study-fits/")
    with tenant_context(alpha):
        sample_of(7, start=3)
    assert client.get("/api/v1/study-fits/").json()["sample"]["participants"] == 10
    assert queries_of_get(client, "/api/v1/study-fits/") == few


def test_a_participants_trait_history_does_not_grow_queries_with_sessions(alpha, cast, participant):
    client = api_client_for(cast["viewer"], alpha.domain_name)
    path = f"/api/v1/participants/{participant.code}/traits/"
    _sessions_processed(alpha, participant.participant, range(3))
    few = queries_of_get(client, path)
    _sessions_processed(alpha, participant.participant, range(3, 10))
    assert len(client.get(path).json()["history"]) == 9
    assert queries_of_get(client, path) == few

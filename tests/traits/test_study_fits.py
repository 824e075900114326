"""The study-level fit in a real study schema: the sample, the stored fit and estimates, the task, the API."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from django.db import connection

from pseudonymization.models import Participant
from pseudonymization.services import participant_enrol
from tests.conftest import api_client_for
from tests.traits.event_streams import events_from_choices
from traits import hierarchical
from traits.models import StudyFit, StudyFitEstimate
from traits.services import SessionInput, session_metrics_compute
from traits.simulate import draw_plausible_agent, simulate_choices, uniform_schedule
from traits.study_fits import study_fit_compute, study_fit_due, study_fit_sample
from traits.tasks import fit_study_models


def played(participant, seed):
    """Metrics of one simulated par4 session (the study fit reads the balloons from the metrics row)."""
    rng = np.random.default_rng(seed)
    values = draw_plausible_agent("bart_par4", rng)
    schedule = uniform_schedule(30, 128, rng)
    choices = simulate_choices("bart_par4", list(values.values()), schedule, rng)
    data = SessionInput(uuid.uuid4(), participant, schedule, events_from_choices(schedule, choices, rng), {})
    return session_metrics_compute(data=data)


def sample_of(n, *, start=0):
    people = [participant_enrol() for _ in range(n)]
    for i, person in enumerate(people):
        played(person, seed=start + i)
    return people


def test_the_sample_is_each_active_participants_first_session(in_alpha):
    people = sample_of(3)
    first = played(people[0], seed=99)  # a second session of the first participant is not in the sample
    Participant.objects.filter(pk=people[1].pk).update(status="withdrawn")
    sample = study_fit_sample()
    assert {m.participant_id for m in sample} == {people[0].pk, people[2].pk}
    assert first.session_id not in {m.session_id for m in sample}
    assert all(len(m.pumps) == 30 and m.color == "blue" for m in sample)


def test_too_small_a_sample_is_refused_with_the_numbers(in_alpha):
    sample_of(3)
    assert not study_fit_due()
    with pytest.raises(Exception) as refused:
        study_fit_compute(model="bart_par4", trigger="request")
    assert refused.value.code == "not_enough_participants"
    assert refused.value.details == {"participants": 3, "required": hierarchical.MIN_PARTICIPANTS}


def test_the_task_stores_both_models_with_versions_and_each_participants_estimate(in_alpha):
    people = sample_of(hierarchical.MIN_PARTICIPANTS)
    assert study_fit_due()
    out = fit_study_models.delay(trigger="growth").get()
    assert set(out) == {"bart_par4", "bart_ewmv"}
    for model in ("bart_par4", "bart_ewmv"):
        fit = StudyFit.objects.get(model=model)
        assert fit.hierarchical_version == hierarchical.HIERARCHICAL_VERSION
        assert fit.model_version.startswith(model + "/") and fit.n_participants == len(people)
        assert set(fit.population["tau"]) >= {"mu_free", "sd_free", "median", "low", "high"}
        assert StudyFitEstimate.objects.filter(study_fit=fit).count() == len(people)
    omega = StudyFitEstimate.objects.filter(study_fit__model="bart_par4").first().derived["omega"]
    assert omega["low"] <= omega["estimate"] <= omega["high"]
    assert not study_fit_due()  # nothing new since the fit


def test_refitting_an_unchanged_sample_finds_its_row_and_growth_makes_it_due_again(in_alpha, settings):
    settings.TRAITS_HIERARCHICAL_EVERY = 2
    sample_of(hierarchical.MIN_PARTICIPANTS)
    fit_study_models.delay().get()
    first = StudyFit.objects.get(model="bart_par4")
    assert study_fit_compute(model="bart_par4", trigger="request") == first
    sample_of(1, start=100)
    assert not study_fit_due()  # one new participant: not yet
    sample_of(1, start=200)
    assert study_fit_due()
    second = study_fit_compute(model="bart_par4", trigger="growth")
    assert second != first and second.n_participants == first.n_participants + 2
    assert StudyFit.objects.filter(model="bart_par4").count() == 2  # the old fit is kept


def test_erasing_a_participant_removes_their_study_estimates(in_alpha):
    people = sample_of(hierarchical.MIN_PARTICIPANTS)
    fit = study_fit_compute(model="bart_par4", trigger="command")
    Participant.objects.filter(pk=people[0].pk).delete()
    assert StudyFitEstimate.objects.filter(study_fit=fit).count() == len(people) - 1


@pytest.fixture
def fitted(alpha):
    connection.set_tenant(alpha)
    people = sample_of(hierarchical.MIN_PARTICIPANTS)
    fit_study_models.delay().get()
    connection.set_schema_to_public()
    return people


def test_viewers_read_the_study_fits_with_their_basis_and_labels(alpha, cast, fitted):
    body = api_client_for(cast["viewer"], alpha.domain_name).get("/api/v1/study-fits/").json()
    assert {f["model"] for f in body["fits"]} == {"bart_par4", "bart_ewmv"}
    par4 = next(f for f in body["fits"] if f["model"] == "bart_par4")
    assert par4["versions"]["hierarchical"] == hierarchical.HIERARCHICAL_VERSION
    assert par4["n_participants"] == hierarchical.MIN_PARTICIPANTS and "Empirical Bayes" in par4["basis"]
    assert set(par4["identification"]) == set(par4["population"])
    assert body["sample"] == {"participants": hierarchical.MIN_PARTICIPANTS, "minimum": 10, "refit_every": 10}


def test_a_viewer_may_not_ask_for_a_refit_but_an_analyst_may(alpha, cast, fitted):
    denied = api_client_for(cast["viewer"], alpha.domain_name).post("/api/v1/study-fits/")
    assert denied.status_code == 403 and denied.json()["error"]["code"]
    queued = api_client_for(cast["analyst"], alpha.domain_name).post("/api/v1/study-fits/")
    assert queued.status_code == 202 and queued.json()["queued"] is True


def test_a_refit_of_too_small_a_study_is_a_409_in_the_error_shape(alpha, cast):
    response = api_client_for(cast["manager"], alpha.domain_name).post("/api/v1/study-fits/")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "not_enough_participants" and error["details"]["required"] == 10


def test_a_participants_parameters_say_which_are_not_identified_from_one_session(alpha, cast, fitted):
    code = fitted[0].participant_code
    body = api_client_for(cast["viewer"], alpha.domain_name).get(f"/api/v1/participants/{code}/models/").json()
    study = {row["model"]: row for row in body["study_level"]}
    assert set(study) == {"bart_par4", "bart_ewmv"}
    assert "omega" in study["bart_par4"]["derived"] and "stop_point" in study["bart_ewmv"]["derived"]
    labels = study["bart_ewmv"]["identification"]
    assert labels["rho"]["identified"] is False and "not identified" in labels["rho"]["note"]
    assert labels["stop_point"]["identified"] is True
    assert body["session_fits"] == []  # metrics only in this study: no per-session fits stored


def test_another_studys_manager_does_not_see_the_fits(alpha, beta, cast, fitted):
    assert api_client_for(cast["other_manager"], beta.domain_name).get("/api/v1/study-fits/").json()["fits"] == []
    assert api_client_for(cast["other_manager"], alpha.domain_name).get("/api/v1/study-fits/").status_code == 404


def test_the_dashboard_shows_the_population_and_a_participants_labelled_parameters(alpha, cast, fitted):
    from tests.conftest import host_client

    client = host_client(alpha.domain_name)
    client.force_login(cast["analyst"])
    home = client.get("/dashboard/").content.decode()
    assert "Study-level model fits" in home and "population of 10 participants" in home and "Refit now" in home
    page = client.get(f"/dashboard/participants/{fitted[0].participant_code}/").content.decode()
    assert "Model parameters" in page and "ω = −γ / ln φ" in page and "not identified" in page
    # One session's profile intervals are calibrated; EWMV's study-level ρ and λ intervals are not, and say so.
    assert "Study level: not identified from the study-level fit" in page and "too narrow" in page
    viewer = host_client(alpha.domain_name)
    viewer.force_login(cast["viewer"])
    assert "Refit now" not in viewer.get("/dashboard/").content.decode()


def test_session_fits_and_trait_evidence_carry_identification_labels(alpha, cast):
    from tests.traits.test_services import simulated_input
    from traits.services import session_process

    connection.set_tenant(alpha)
    person = participant_enrol()
    result = session_process(data=simulated_input(person))
    connection.set_schema_to_public()
    client = api_client_for(cast["viewer"], alpha.domain_name)
    body = client.get(f"/api/v1/sessions/{result.metrics.session_id}/metrics/").json()
    par4 = next(f for f in body["model_fits"] if f["model"] == "bart_par4")
    assert par4["identification"]["gamma"]["identified"] is False
    assert par4["identification"]["phi"]["identified"] is True
    traits = client.get(f"/api/v1/participants/{person.participant_code}/traits/").json()
    evidence = [e for d in traits["latest"]["dimensions"] for e in d.get("model_evidence") or []]
    assert evidence and all("identified" in e and "note" in e for e in evidence)
    risk = next(e for e in evidence if e["parameter"] == "gamma")
    assert risk["identified"] is False and "not identified from one session" in risk["note"]


def test_the_dashboard_refit_button_is_for_analysts_and_says_when_the_study_is_too_small(alpha, cast):
    from tests.conftest import host_client

    viewer = host_client(alpha.domain_name)
    viewer.force_login(cast["viewer"])
    assert viewer.post("/dashboard/study-fit/").status_code == 403
    analyst = host_client(alpha.domain_name)
    analyst.force_login(cast["analyst"])
    response = analyst.post("/dashboard/study-fit/", follow=True)
    assert response.redirect_chain[-1][0].endswith("/dashboard/")
    assert "needs at least 10 participants (0 now)" in response.content.decode()

"""The pipeline's writes: versions and input hash on every row, idempotent reruns, versions side by side."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from pseudonymization.services import participant_enrol
from tests.traits.event_streams import events_from_choices
from traits import mapping
from traits.models import ModelFit, SessionMetrics, TraitProfile
from traits.selectors import fits_for_session, metrics_latest, profile_latest
from traits.services import SessionInput, input_hash, session_process
from traits.simulate import simulate_choices, uniform_schedule


def simulated_input(participant, n_balloons=30, seed=1, session_id=None):
    rng = np.random.default_rng(seed)
    schedule = uniform_schedule(n_balloons, 128, rng)
    choices = simulate_choices("bart_par4", (0.9, 0.05, 0.8, 1.0), schedule, rng)
    events = events_from_choices(schedule, choices, rng)
    return SessionInput(session_id or uuid.uuid4(), participant, schedule, events, {"reward_per_pump": 0.05})


@pytest.fixture
def participant(in_alpha):
    # Not the cast's participant: the pipeline needs only a row in the current schema (no consent, no
    # token), and these tests run inside alpha's schema, where the enrolment API is not called.
    return participant_enrol()


def test_processing_stores_metrics_fits_and_profile_with_versions_and_hash(participant):
    data = simulated_input(participant)
    result = session_process(data=data)
    digest = input_hash(data)
    assert result.metrics.metrics_version == "bart-metrics/1.0.0" and result.metrics.input_hash == digest
    assert {f.model_version for f in result.fits} == {"bart_par4/2.0.0", "bart_ewmv/2.0.0"}
    assert all(f.input_hash == digest and f.color == "blue" for f in result.fits)
    profile = result.profile
    assert (profile.traits_version, profile.metrics_version) == ("bart-traits/2.0.0", "bart-metrics/1.0.0")
    assert profile.model_versions == {"bart_par4": "bart_par4/2.0.0", "bart_ewmv": "bart_ewmv/2.0.0"}
    assert profile.event_schema == "bart-events/1" and profile.input_hash == digest
    assert profile.dimensions[0]["key"] == "risk_tolerance"
    assert profile_latest(participant=participant) == profile
    assert metrics_latest(session=data.session_id) == result.metrics
    assert len(fits_for_session(session=str(data.session_id))) == 2
    assert result.flag_reasons == []


def test_a_rerun_changes_nothing(participant):
    data = simulated_input(participant)
    first = session_process(data=data)
    again = session_process(data=data)
    assert again.metrics.pk == first.metrics.pk and again.profile.pk == first.profile.pk
    assert again.profile.dimensions == first.profile.dimensions
    assert (SessionMetrics.objects.count(), ModelFit.objects.count(), TraitProfile.objects.count()) == (1, 2, 1)


def test_same_events_give_bit_identical_results_in_another_session(participant):
    a = session_process(data=simulated_input(participant, seed=4))
    b = session_process(data=simulated_input(participant, seed=4))
    assert a.profile.pk != b.profile.pk
    assert a.profile.dimensions == b.profile.dimensions
    assert [f.details for f in a.fits] == [f.details for f in b.fits]


def test_a_new_version_is_stored_beside_the_old_one(participant, monkeypatch):
    data = simulated_input(participant)
    old = session_process(data=data).profile
    monkeypatch.setattr(mapping, "TRAITS_VERSION", "bart-traits/9.9.9")
    new = session_process(data=data).profile
    assert new.pk != old.pk and new.traits_version == "bart-traits/9.9.9"
    assert TraitProfile.objects.filter(session_id=data.session_id).count() == 2


def test_a_too_short_session_is_insufficient_and_flagged_when_unfinished(participant):
    data = simulated_input(participant, n_balloons=3)
    events = [e for e in data.events if not (e.get("balloon") == 2 and e["type"] in ("cash_out", "pop"))]
    result = session_process(data=SessionInput(data.session_id, participant, data.schedule, events))
    assert result.profile.status == TraitProfile.Status.INSUFFICIENT
    assert "unfinished_balloons" in result.flag_reasons


def test_quality_flags_of_the_session_are_reasons_to_flag(participant):
    result = session_process(data=simulated_input(participant), quality_flags={"schedule_violations": 2})
    assert result.flag_reasons == ["schedule_violations"]


def test_results_stay_in_the_study_that_produced_them(participant, beta):
    from django.db import connection

    session_process(data=simulated_input(participant))
    connection.set_tenant(beta)
    assert TraitProfile.objects.count() == 0 and SessionMetrics.objects.count() == 0

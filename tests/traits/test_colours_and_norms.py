"""Fits per colour; study norms computed from a study's participants, versioned, and used by the pipeline."""

from __future__ import annotations

import io
import uuid

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.errors import ApplicationError
from pseudonymization.models import Participant
from pseudonymization.services import participant_enrol
from tests.traits.event_streams import events_from_choices
from traits import bart_models, mapping
from traits.models import ModelFit, StudyNorms, TraitProfile
from traits.selectors import profile_latest
from traits.services import SessionInput, session_process, study_norms_compute
from traits.simulate import simulate_choices, uniform_schedule

from .test_services import simulated_input


def three_colour_input(participant, seed=3):
    """90 balloons, 30 of each colour (8, 32 and 128 pumps, the 2002 design), colours interleaved."""
    rng = np.random.default_rng(seed)
    parts = [uniform_schedule(30, cap, rng, color=c) for c, cap in (("yellow", 8), ("orange", 32), ("blue", 128))]
    schedule = [dict(b, index=i) for i, b in enumerate(b for trio in zip(*parts, strict=True) for b in trio)]
    choices = simulate_choices("bart_par4", (0.9, 0.05, 0.8, 1.0), schedule, rng)
    events = events_from_choices(schedule, choices, rng)
    return SessionInput(uuid.uuid4(), participant, schedule, events, {"reward_per_pump": 0.05}), choices


@pytest.fixture
def participant(in_alpha):
    # Not the cast's participant: the pipeline needs only a row in the current schema (no consent, no
    # token), and these tests run inside alpha's schema, where the enrolment API is not called.
    return participant_enrol()


def test_each_colour_gets_its_own_fit_of_each_model(participant):
    data, choices = three_colour_input(participant)
    result = session_process(data=data)
    fits = {(f.model, f.color): f for f in result.fits}
    assert set(fits) == {(m, c) for m in ("bart_par4", "bart_ewmv") for c in ("blue", "orange", "yellow")}
    # Each fit is exactly the fit of that colour's balloons alone, in play order.
    yellow = [(p, e) for b, (p, e) in zip(data.schedule, choices, strict=True) if b["color"] == "yellow"]
    alone = bart_models.fit_model("bart_par4", [p for p, _ in yellow], [e for _, e in yellow])
    assert fits[("bart_par4", "yellow")].estimates == alone.estimates
    assert fits[("bart_par4", "yellow")].n_decisions == alone.n_decisions
    # Traits use the primary colour: its fits are the evidence shown.
    gamma = next(e for e in result.profile.dimensions[0]["model_evidence"] if e["parameter"] == "gamma")
    assert gamma["estimate"] == fits[("bart_par4", "blue")].estimates["gamma"]
    assert session_process(data=data).fits == result.fits and ModelFit.objects.count() == 6  # idempotent


def fake_profiles(n, *, risk_values=None):
    """n participants, each with a default-reference profile whose risk indicator is known."""
    made = []
    for i in range(n):
        participant = participant_enrol()
        value = risk_values[i] if risk_values else 20.0 + i
        dims = [{"key": d.key, "status": "insufficient_data", "value": None} for d in mapping.DIMENSIONS]
        dims[0] = {"key": "risk_tolerance", "status": "ok", "value": value}
        TraitProfile.objects.create(
            session_id=uuid.uuid4(),
            participant=participant,
            traits_version=mapping.TRAITS_VERSION,
            metrics_version="bart-metrics/1.0.0",
            model_versions={},
            event_schema="bart-events/1",
            input_hash="0" * 64,
            status="partial",
            dimensions=dims,
        )
        made.append(participant)
    return made


def test_norms_need_enough_participants(in_alpha):
    fake_profiles(mapping.MIN_STUDY_NORMS)  # each would be compared with only 29 others
    with pytest.raises(ApplicationError) as refused:
        study_norms_compute()
    assert refused.value.code == "not_enough_participants" and refused.value.status_code == 409
    assert refused.value.details == {"participants": 30, "required": 31}
    assert not StudyNorms.objects.exists()


def test_norms_are_the_participants_mean_and_sd_stored_under_their_hash(in_alpha):
    values = [float(v) for v in range(10, 10 + mapping.MIN_STUDY_NORMS + 2)]
    people = fake_profiles(len(values), risk_values=values)
    Participant.objects.filter(pk=people[-1].pk).update(status="withdrawn")  # withdrawn: not in the norms
    norms = study_norms_compute()
    kept = values[:-1]
    risk = norms.reference["risk_tolerance"]
    assert risk["mean"] == pytest.approx(np.mean(kept)) and risk["sd"] == pytest.approx(np.std(kept, ddof=1))
    assert risk["values"] == sorted(kept) and risk["percentile_method"] == "empirical"
    assert norms.counts["risk_tolerance"] == 31 and norms.n_participants == 31 and norms.active
    # Too few values for the other dimensions: no norm at all (their scores stay in plain terms).
    assert norms.counts["decision_pace"] == 0 and "decision_pace" not in norms.reference
    assert norms.label == "study-norms-" + norms.norms_hash[:16]
    assert norms.norms_hash == mapping.norms_hash(mapping.norms_from_json(norms.reference))
    assert study_norms_compute().pk == norms.pk and StudyNorms.objects.count() == 1  # same data, same row
    fake_profiles(1, risk_values=[100.0])
    newer = study_norms_compute()
    assert newer.label != norms.label and list(StudyNorms.objects.filter(active=True)) == [newer]


def test_the_pipeline_places_a_person_against_active_norms_without_themselves(in_alpha):
    fake_profiles(mapping.MIN_STUDY_NORMS + 1, risk_values=[float(v) for v in range(31)])
    participant = participant_enrol()
    data = simulated_input(participant)
    before = session_process(data=data)
    assert before.study_profile is None and profile_latest(participant=participant) == before.profile
    norms = study_norms_compute()
    assert norms.n_participants == 32  # the 31 others and this person's first session
    after = session_process(data=data)
    assert after.profile.pk == before.profile.pk  # the profile without norms is untouched
    normed = after.study_profile
    assert normed.reference == norms.label and before.profile.reference == "default"
    risk, risk_default = normed.dimensions[0], before.profile.dimensions[0]
    assert risk["value"] == risk_default["value"] and risk["value_interval"] == risk_default["value_interval"]
    # Leave-one-out: the person's own value is not in their norm; the 31 others are.
    others = [float(v) for v in range(31)]
    assert risk["norm"]["n"] == 31 and risk["norm"]["leave_one_out"] is True
    assert risk["norm"]["mean"] == pytest.approx(np.mean(others)) and risk["norm"]["sd"] == pytest.approx(
        np.std(others, ddof=1)
    )
    assert risk["z"] == pytest.approx((risk["value"] - np.mean(others)) / np.std(others, ddof=1))
    # Adjusted pumps are bounded: an empirical percentile (mid-rank among the others), not a normal one.
    below = sum(v < risk["value"] for v in others) + 0.5 * sum(v == risk["value"] for v in others)
    assert risk["norm"]["percentile_method"] == "empirical" and risk["percentile"] == pytest.approx(100 * below / 31)
    assert risk["norm"]["source"].startswith("study norms") and risk["norm"]["label"] == norms.label
    assert profile_latest(participant=participant) == normed


def test_the_command_computes_norms_and_re_standardizes(alpha, django_capture_on_commit_callbacks):
    from tests.traits.test_tasks import complete, play

    gamer, session_id = play(alpha)
    complete(gamer, session_id, django_capture_on_commit_callbacks)
    with pytest.raises(CommandError, match="at least 31 participants"):
        call_command("compute_study_norms", "--study", "alpha")
    connection.set_tenant(alpha)
    fake_profiles(mapping.MIN_STUDY_NORMS)
    connection.set_schema_to_public()
    out = io.StringIO()
    call_command("compute_study_norms", "--study", "alpha", "--recompute", stdout=out)
    connection.set_tenant(alpha)
    norms = StudyNorms.objects.get()
    assert f"{norms.label} active (31 participants)" in out.getvalue()
    assert f"1 sessions at {mapping.TRAITS_VERSION}, 1 new profiles" in out.getvalue()
    refs = sorted(TraitProfile.objects.filter(session_id=session_id).values_list("reference", flat=True))
    assert refs == ["default", norms.label]
    connection.set_schema_to_public()
    mine = gamer.get("/api/v1/me/profile/").json()
    assert mine["versions"]["reference"] == norms.label


def test_recompute_skips_withdrawn_participants(alpha, django_capture_on_commit_callbacks):
    from tests.traits.test_tasks import complete, play

    gamer, session_id = play(alpha)
    complete(gamer, session_id, django_capture_on_commit_callbacks)
    connection.set_tenant(alpha)
    TraitProfile.objects.all().delete()
    Participant.objects.filter(participant_code=gamer.code).update(status="withdrawn")
    connection.set_schema_to_public()
    out = io.StringIO()
    call_command("recompute_traits", "--study", "alpha", "--no-progress", stdout=out)
    assert "0 sessions" in out.getvalue()
    connection.set_tenant(alpha)
    assert not TraitProfile.objects.exists()

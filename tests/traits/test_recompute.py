"""manage.py recompute_traits: recomputes a study's finished sessions, keeps earlier versions' rows."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.traits.test_tasks import complete, play
from traits import mapping
from traits.models import TraitProfile


def test_a_version_bump_adds_profiles_beside_the_old_ones(alpha, django_capture_on_commit_callbacks, monkeypatch):
    for _ in range(2):
        gamer, session_id = play(alpha)
        complete(gamer, session_id, django_capture_on_commit_callbacks)
    current = mapping.TRAITS_VERSION
    monkeypatch.setattr(mapping, "TRAITS_VERSION", "bart-traits/9.0.0")
    out, err = io.StringIO(), io.StringIO()
    call_command("recompute_traits", "--study", "alpha", "--version", "bart-traits/9.0.0", stdout=out, stderr=err)
    assert "2 sessions at bart-traits/9.0.0, 2 new profiles" in out.getvalue()
    assert f"earlier versions kept (2 of {current})" in out.getvalue()
    assert "2/2 sessions" in err.getvalue()  # the progress bar
    connection.set_tenant(alpha)
    versions = sorted(TraitProfile.objects.values_list("traits_version", flat=True))
    assert versions == [current] * 2 + ["bart-traits/9.0.0"] * 2


def test_running_it_twice_adds_nothing(alpha, django_capture_on_commit_callbacks):
    gamer, session_id = play(alpha)
    complete(gamer, session_id, django_capture_on_commit_callbacks)
    out = io.StringIO()
    call_command("recompute_traits", "--study", "alpha", "--no-progress", stdout=out)
    assert f"1 sessions at {mapping.TRAITS_VERSION}, 0 new profiles" in out.getvalue()
    assert "No bart-traits/2.0.0 study norms" in out.getvalue()


def test_another_version_or_an_unknown_study_is_refused(alpha):
    with pytest.raises(CommandError, match="This code computes"):
        call_command("recompute_traits", "--study", "alpha", "--version", "bart-traits/0.1.0")
    with pytest.raises(CommandError, match="No study"):
        call_command("recompute_traits", "--study", "nope")


def test_the_recompute_can_be_queued_to_a_worker_in_the_studys_schema(
    alpha, django_capture_on_commit_callbacks, monkeypatch
):
    gamer, session_id = play(alpha)
    complete(gamer, session_id, django_capture_on_commit_callbacks)
    current = mapping.TRAITS_VERSION
    monkeypatch.setattr(mapping, "TRAITS_VERSION", "bart-traits/9.0.0")
    out = io.StringIO()
    call_command("recompute_traits", "--study", "alpha", "--version", "bart-traits/9.0.0", "--queue", stdout=out)
    assert "recompute at bart-traits/9.0.0 queued" in out.getvalue()
    connection.set_tenant(alpha)  # eager Celery ran it: the new row is in alpha's schema, the old one kept
    versions = sorted(TraitProfile.objects.filter(session_id=session_id).values_list("traits_version", flat=True))
    assert versions == [current, "bart-traits/9.0.0"]

"""The participant's /results/ page: behind consent, "being prepared" before processing, then every pole."""

from __future__ import annotations

from tests.traits.test_tasks import complete, play


def test_without_consent_the_page_sends_to_the_consent_form(alpha_client):
    response = alpha_client.get("/results/")
    assert response.status_code == 302 and response.url.endswith("/consent/")


def test_before_processing_the_page_says_results_are_being_prepared(alpha):
    gamer, _ = play(alpha)
    gamer.client.cookies["participant_token"] = gamer.token
    page = gamer.client.get("/results/").content.decode()
    assert "being prepared" in page and 'http-equiv="refresh"' in page


def test_after_processing_each_dimension_shows_both_poles_and_what_the_profile_is_not(
    alpha, django_capture_on_commit_callbacks
):
    gamer, session_id = play(alpha)
    complete(gamer, session_id, django_capture_on_commit_callbacks)
    gamer.client.cookies["participant_token"] = gamer.token
    response = gamer.client.get("/results/")
    page = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    poles = ("cautious", "risk-seeking", "more cautious after a loss", "more daring after a loss", "deliberate", "fast")
    for pole in (*poles, "exploratory", "consistent", "more cautious over time", "more daring over time"):
        assert pole in page
    assert "Neither end is better" in page and "not a diagnosis" in page
    # No norms yet: behaviour in plain terms, no dot against the placeholder, no place out of 100.
    assert page.count("<svg") == 0 and "of 100" not in page and "reference group" not in page
    assert "times on average on the balloons you collected; a balloon could take up to 128 pumps" in page
    assert "does not have enough participants yet" in page
    assert gamer.code not in page  # nothing identifying, not even the pseudonymous code


def test_after_a_version_bump_the_page_requeues_the_session_instead_of_showing_the_old_profile(
    alpha, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.cache import cache
    from django.db import connection

    from traits import mapping
    from traits.models import TraitProfile

    gamer, session_id = play(alpha)
    complete(gamer, session_id, django_capture_on_commit_callbacks)
    old = mapping.TRAITS_VERSION
    monkeypatch.setattr(mapping, "TRAITS_VERSION", "bart-traits/9.0.0")
    monkeypatch.setattr("traits.selectors.TRAITS_VERSION", "bart-traits/9.0.0")
    monkeypatch.setattr("traits.selectors.profile_latest.__kwdefaults__", {"version": "bart-traits/9.0.0"})
    cache.clear()
    gamer.client.cookies["participant_token"] = gamer.token
    first = gamer.client.get("/results/").content.decode()
    assert "being prepared" in first  # never the old version's profile
    connection.set_tenant(alpha)
    versions = sorted(TraitProfile.objects.filter(session_id=session_id).values_list("traits_version", flat=True))
    assert versions == [old, "bart-traits/9.0.0"]  # queued (eager here) and computed; the old row kept
    connection.set_schema_to_public()
    second = gamer.client.get("/results/").content.decode()
    assert "being prepared" not in second and "Computed with bart-traits/9.0.0" in second


def test_with_study_norms_a_place_among_the_others_is_shown_where_a_norm_exists(
    alpha, django_capture_on_commit_callbacks
):
    import io

    from django.core.management import call_command
    from django.db import connection

    from traits import mapping
    from traits.models import StudyNorms

    from .test_colours_and_norms import fake_profiles

    gamer, session_id = play(alpha)
    complete(gamer, session_id, django_capture_on_commit_callbacks)
    connection.set_tenant(alpha)
    fake_profiles(mapping.MIN_STUDY_NORMS + 1)  # risk tolerance only: the other dimensions have no norm
    connection.set_schema_to_public()
    call_command("compute_study_norms", "--study", "alpha", "--recompute", stdout=io.StringIO())
    connection.set_tenant(alpha)
    assert StudyNorms.objects.get().n_participants == 32  # the 31 others and this participant
    connection.set_schema_to_public()
    gamer.client.cookies["participant_token"] = gamer.token
    page = gamer.client.get("/results/").content.decode()
    # Left out of their own norm: compared with the 31 others; a chart only for the normed dimension.
    assert "Compared with 31 other participants of this study" in page
    assert page.count("<svg") == 1 and "of 100" in page
    assert "you are not part of your own comparison" in page
    assert "times on average on the balloons you collected; a balloon could take up to 128 pumps" in page

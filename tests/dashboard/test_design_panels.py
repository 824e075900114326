"""The dashboard's design, reliability and validity panels and their API: the numbers are
traits/reliability.py's and traits/validity.py's on the same pairs, pilots are left out, the cost
in queries does not grow with participants, and the page says it in words."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tests.conftest import api_client_for, enrolled, queries_of_get, signed_in
from tests.dashboard import design_support
from traits.reliability import RELIABILITY_VERSION, retest_icc
from traits.validity import VALIDITY_VERSION, pearson


def _people(study, client, n: int) -> list:
    return [enrolled(study, client).participant for _ in range(n)]


def _build(study, client, n: int, *, start: int = 0, one_session: int = 0, pilots: int = 0):
    from pseudonymization.models import Participant

    people = _people(study, client, n + pilots)
    with tenant_context(study):
        built = design_support.build(people, start=start, one_session=one_session)
        if pilots:
            Participant.objects.filter(pk__in=[p.pk for p in people[n:]]).update(pilot=True)
    return built, people[n:]


def _summary(study, name: str, **kwargs):
    from dashboard import design_selectors

    with tenant_context(study):
        return getattr(design_selectors, name)(**kwargs)


def _row(rows, **match):
    return next(r for r in rows if all(r[k] == v for k, v in match.items()))


def test_the_icc_is_traits_reliability_on_the_same_numbers(alpha, alpha_client):
    built, _ = _build(alpha, alpha_client, 6, one_session=1)
    summary = _summary(alpha, "reliability_summary")
    assert summary["available"] and summary["version"] == RELIABILITY_VERSION and summary["kind"] == "ICC(2,1)"
    for key in ("adjusted_pumps", "explosions", "risk_tolerance", "consistency"):
        values = {code: [per.get(1, {}).get(key), per.get(2, {}).get(key)] for code, per in built.values.items()}
        expected = retest_icc(values, sessions=2, kind="ICC(2,1)")
        row = _row(summary["rows"], key=key)
        assert row["n"] == expected.n == 5 and row["excluded"] == 1
        assert row["icc"] == pytest.approx(expected.icc, abs=1e-12)
        assert (row["lower"], row["upper"]) == pytest.approx((expected.lower, expected.upper), abs=1e-12)
        assert "Koo & Li 2016" in row["plain"] and row["band"] in row["plain"].lower()


def test_the_r_is_traits_validity_on_the_same_numbers(alpha, alpha_client):
    built, _ = _build(alpha, alpha_client, 7)
    summary = _summary(alpha, "validity_summary")
    assert summary["version"] == VALIDITY_VERSION
    codes = sorted(built.values)
    for trait in ("risk_tolerance", "decision_pace"):
        x = [built.values[c][1][trait] for c in codes]  # the first processed game: study session 1
        y = [built.scales[c] for c in codes]
        expected = pearson(x, y)
        row = _row(summary["rows"], trait=trait, questionnaire=design_support.QUESTIONNAIRE, scale="cautiousness")
        assert row["n"] == expected.n == 7 and row["level"] == "scale" and row["scale_label"] == "Cautiousness"
        assert row["r"] == pytest.approx(expected.r, abs=1e-12)
        assert (row["lower"], row["upper"]) == pytest.approx((expected.lower, expected.upper), abs=1e-12)
        assert "Cohen 1988" in row["plain"]


def test_only_the_first_processed_game_and_first_response_count(alpha, alpha_client):
    """A second game in session 1 and a second response change nothing."""
    from django.utils import timezone

    from games.models import GameSession
    from questionnaires.models import QuestionnaireResponse
    from traits.models import TraitProfile

    built, _ = _build(alpha, alpha_client, 5)
    before = (_summary(alpha, "reliability_summary"), _summary(alpha, "validity_summary"))
    with tenant_context(alpha):
        p = built.participants[0]
        first = GameSession.objects.filter(participant=p, flow_session=1).get()
        late = GameSession.objects.create(
            participant=p, status="processed", seed="late", config={}, schedule=[], flow_session=1, flow_version=1
        )
        profile = TraitProfile.objects.get(session_id=first.pk)
        profile.pk, profile.session_id = None, late.pk
        profile.dimensions = [{**d, "value": 1e6} for d in profile.dimensions]
        profile.save()
        response = QuestionnaireResponse.objects.get(participant=p)
        response.pk, response.flow_session, response.submitted_at = None, 2, timezone.now()
        response.scores = {"scales": {"cautiousness": {"score": 99.0}}}
        response.save(force_insert=True)
    after = (_summary(alpha, "reliability_summary"), _summary(alpha, "validity_summary"))
    assert after == before


def test_pilots_are_left_out_unless_asked_for(alpha, alpha_client, cast):
    _build(alpha, alpha_client, 4, pilots=2)
    design = _summary(alpha, "design_summary")
    assert design["participants"] == 4 and design["sessions_required"] == 2
    assert {c["key"]: c["n"] for c in design["versions"][0]["conditions"]} == {"low": 2, "high": 2}
    assert _summary(alpha, "design_summary", include_pilots=True)["participants"] == 6
    assert _row(_summary(alpha, "reliability_summary")["rows"], key="adjusted_pumps")["n"] == 4
    assert _row(_summary(alpha, "reliability_summary", include_pilots=True)["rows"], key="adjusted_pumps")["n"] == 6
    validity = _summary(alpha, "validity_summary")
    assert _row(validity["rows"], trait="risk_tolerance")["n"] == 4
    api = api_client_for(cast["viewer"], alpha.domain_name)
    assert api.get("/api/v1/study/design/?include_pilots=true").json()["participants"] == 6
    assert api.get("/api/v1/study/design/?include_pilots=maybe").status_code == 400


def test_not_enough_data_is_said_with_the_numbers(alpha, alpha_client):
    _build(alpha, alpha_client, 2)
    reliability = _summary(alpha, "reliability_summary")
    row = _row(reliability["rows"], key="adjusted_pumps")
    assert row["icc"] is None and row["plain"] == "not enough data (n = 2; needs 3)"
    validity = _summary(alpha, "validity_summary")
    assert _row(validity["rows"], trait="risk_tolerance")["plain"] == "not enough data (n = 2; needs 4)"


def test_a_one_session_study_has_no_retest(in_alpha):
    from flows.services import flow_live_ensure

    flow_live_ensure()
    summary = _summary(in_alpha, "reliability_summary")
    assert summary["available"] is False and "at least 2 sessions" in summary["reason"]


def test_the_api_shapes(alpha, alpha_client, cast):
    _build(alpha, alpha_client, 5)
    api = api_client_for(cast["viewer"], alpha.domain_name)
    design = api.get("/api/v1/study/design/")
    assert design.status_code == 200, design.content
    body = design.json()
    assert set(body) == {"live_version", "sessions_required", "participants", "include_pilots", "versions"}
    version = body["versions"][0]
    assert version["status"] == "published" and version["sessions_required"] == 2
    assert version["conditions"] == [
        {"key": "low", "label": "Low reward", "n": 3},
        {"key": "high", "label": "High reward", "n": 2},
    ]
    reliability = api.get("/api/v1/study/reliability/").json()
    assert reliability["version"] == RELIABILITY_VERSION and reliability["available"] is True
    assert set(reliability["rows"][0]) == {
        *("group", "key", "label", "icc", "lower", "upper", "n", "excluded", "p_value", "reason", "band", "plain")
    }
    assert [r["key"] for r in reliability["rows"]][:2] == ["adjusted_pumps", "explosions"]
    validity = api.get("/api/v1/study/validity/").json()
    assert validity["version"] == VALIDITY_VERSION and validity["method"] == "pearson"
    assert {r["trait"] for r in validity["rows"]} >= {"risk_tolerance", "learning"}
    assert all(r["n"] == 5 for r in validity["rows"])
    assert api_client_for(cast["outsider"], alpha.domain_name).get("/api/v1/study/design/").status_code in (403, 404)
    assert api_client_for(None, alpha.domain_name).get("/api/v1/study/validity/").status_code in (401, 403)


def test_the_panels_and_api_do_not_grow_queries_with_participants(alpha, alpha_client, cast):
    page = signed_in(cast["viewer"], alpha.domain_name)
    api = api_client_for(cast["viewer"], alpha.domain_name)
    paths = ("/api/v1/study/design/", "/api/v1/study/reliability/", "/api/v1/study/validity/")
    _build(alpha, alpha_client, 3, one_session=1)
    few = [queries_of_get(api, p) for p in paths] + [queries_of_get(page, "/dashboard/")]
    _build(alpha, alpha_client, 6, start=3, one_session=2)
    many = [queries_of_get(api, p) for p in paths] + [queries_of_get(page, "/dashboard/")]
    assert many == few


def test_the_dashboard_shows_the_panels_in_words(alpha, alpha_client, cast):
    _build(alpha, alpha_client, 6, pilots=1)
    html = signed_in(cast["viewer"], alpha.domain_name).get("/dashboard/").content.decode()
    assert "Study design" in html and "Low reward" in html and "version 1" in html
    assert "retest reliability" in html and f"Statistics version {RELIABILITY_VERSION}" in html
    assert "Convergent validity" in html and f"Statistics version {VALIDITY_VERSION}" in html
    icc = _row(_summary(alpha, "reliability_summary")["rows"], key="adjusted_pumps")
    assert f"{icc['icc']:.2f}" in html and f"{icc['lower']:.2f} to {icc['upper']:.2f}" in html
    assert icc["plain"].replace("&", "&amp;") in html
    assert "Pilot participants are left out of these panels too." in html


def test_the_participant_page_shows_their_design_and_scores(alpha, alpha_client, cast):
    built, _ = _build(alpha, alpha_client, 3)
    p = built.participants[1]
    html = signed_in(cast["viewer"], alpha.domain_name).get(f"/dashboard/participants/{p.participant_code}/")
    text = html.content.decode()
    assert "High reward" in text and "<code>high</code>" in text
    assert "block 0, position 1" in text and "2 of 2" in text
    assert "Cautiousness" in text and f"{built.scales[p.participant_code]:.2f}" in text and "10 of 10" in text
    assert "Attention checks: 0 passed, 0 failed" in text

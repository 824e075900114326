"""The participant game API: sessions, batches stored exactly once, flags for what does not fit."""

from __future__ import annotations

import random
import uuid

from django_tenants.utils import tenant_context

from games.models import Balloon, Event, GameSession
from games.schedule import draw_schedule
from games.selectors import session_events
from games.simulate import TargetPolicy, batches, simulate_session
from tests.flows.support import game_sessions_flow
from tests.games.support import enrol_gamer


def play(schedule, n=3, seed=1):
    """A simulated participant's events for the first `n` balloons (then session_end)."""
    return simulate_session(schedule, TargetPolicy(target=6, jitter=2), seed=seed, balloons=n).events


def stored(study, session_id):
    with tenant_context(study):
        return session_events(session=GameSession.objects.get(pk=session_id))


def session_row(study, session_id):
    with tenant_context(study):
        return GameSession.objects.get(pk=session_id)


def test_starting_draws_a_reproducible_schedule_from_a_recorded_seed(alpha, gamer):
    response = gamer.post("/api/v1/game/sessions/")
    assert response.status_code == 201
    body = response.json()
    assert body["event_schema"] == "bart-events/1" and body["reward_per_pump"] == 0.05
    assert len(body["balloons"]) == 30
    session = session_row(alpha, body["session_id"])
    assert [b.as_dict() for b in draw_schedule(session.seed, session.config)] == body["balloons"]
    with tenant_context(alpha):
        assert Balloon.objects.filter(session=session).count() == 30


def test_starting_again_resumes_the_open_session(gamer):
    first = gamer.post("/api/v1/game/sessions/")
    again = gamer.post("/api/v1/game/sessions/")
    assert again.status_code == 200
    assert again.json()["session_id"] == first.json()["session_id"] and again.json()["resumed"] is True


def test_a_whole_session_is_stored_once_in_order_and_retries_never_duplicate(alpha, started):
    gamer, session = started
    events = play(session["balloons"], n=4)
    for batch in batches(events, 7):
        assert gamer.send(session["session_id"], batch).json()["accepted"] == len(batch)
    for batch in batches(events, 5):  # the client retried everything, cut differently
        body = gamer.send(session["session_id"], batch).json()
        assert (body["accepted"], body["duplicates"], body["rejected"]) == (0, len(batch), [])
    assert [e["event_id"] for e in stored(alpha, session["session_id"])] == [e["event_id"] for e in events]
    row = session_row(alpha, session["session_id"])
    assert (row.event_count, row.max_seq, row.quality_flags) == (len(events), len(events) - 1, {})


def test_a_repeat_inside_one_batch_counts_as_a_duplicate(alpha, started):
    gamer, session = started
    events = play(session["balloons"], n=1)
    body = gamer.send(session["session_id"], [*events, events[2]]).json()
    assert (body["accepted"], body["duplicates"]) == (len(events), 1)


def test_out_of_order_batches_are_accepted_and_read_back_in_seq_order(alpha, started):
    gamer, session = started
    events = play(session["balloons"], n=3)
    shuffled = list(events)
    random.Random(7).shuffle(shuffled)
    for batch in batches(shuffled, 6):
        assert gamer.send(session["session_id"], batch).status_code == 200
    back = stored(alpha, session["session_id"])
    assert [e["seq"] for e in back] == list(range(len(events)))
    assert session_row(alpha, session["session_id"]).quality_flags == {}


def test_gaps_in_seq_are_flagged_and_the_flag_clears_when_the_missing_events_arrive(alpha, started):
    gamer, session = started
    events = play(session["balloons"], n=2)
    missing = events[3:5]
    gamer.send(session["session_id"], events[:3] + events[5:])
    flags = session_row(alpha, session["session_id"]).quality_flags
    assert flags["seq_gaps"] == 2
    gamer.send(session["session_id"], missing)
    assert session_row(alpha, session["session_id"]).quality_flags == {}


def test_missing_seqs_are_listed_when_the_session_completes(alpha, started):
    gamer, session = started
    events = play(session["balloons"], n=30)
    gamer.send(session["session_id"], [e for e in events if e["seq"] not in (4, 9)])
    response = gamer.post(f"/api/v1/game/sessions/{session['session_id']}/complete/")
    assert response.status_code == 202
    flags = response.json()["quality_flags"]
    assert (flags["seq_gaps"], flags["seq_missing"]) == (2, [4, 9])


def test_invalid_events_are_rejected_with_reasons_while_valid_ones_are_kept(alpha, started):
    gamer, session = started
    events = play(session["balloons"], n=1)
    bad_type = {**events[1], "event_id": str(uuid.uuid4()), "type": "explode"}
    bad_field = {**events[2], "event_id": str(uuid.uuid4()), "data": {"pump": "many"}}
    no_seq = {k: v for k, v in events[3].items() if k != "seq"} | {"event_id": str(uuid.uuid4())}
    body = gamer.send(session["session_id"], [*events, bad_type, bad_field, no_seq, "junk"]).json()
    assert body["accepted"] == len(events)
    codes = [(r["event_id"], r["code"]) for r in body["rejected"]]
    assert codes == [
        (bad_type["event_id"], "unknown_type"),
        (bad_field["event_id"], "invalid_field"),
        (no_seq["event_id"], "missing_field"),
        (None, "not_an_object"),
    ]
    assert "$.data.pump" in body["rejected"][1]["message"]
    assert len(stored(alpha, session["session_id"])) == len(events)
    assert session_row(alpha, session["session_id"]).quality_flags == {"rejected_events": 4}


def test_events_that_do_not_fit_the_schedule_are_kept_and_flagged(alpha, started):
    gamer, session = started
    balloon = session["balloons"][0]
    point = balloon["explosion_point"]
    events = play(session["balloons"], n=1)
    seq = len(events)
    # A forged pop before the explosion point, then a pump after the balloon ended.
    forged = [
        {
            "event_id": str(uuid.uuid4()),
            "seq": seq,
            "type": "balloon_start",
            "t": 99000.0,
            "client_ts": 1,
            "balloon": 1,
            "data": {},
        },
        {
            "event_id": str(uuid.uuid4()),
            "seq": seq + 1,
            "type": "pump",
            "t": 99100.0,
            "client_ts": 1,
            "balloon": 1,
            "data": {"pump": 1},
        },
        {
            "event_id": str(uuid.uuid4()),
            "seq": seq + 2,
            "type": "pop",
            "t": 99200.0,
            "client_ts": 1,
            "balloon": 1,
            "data": {"pumps": 1},
        },
        {
            "event_id": str(uuid.uuid4()),
            "seq": seq + 3,
            "type": "pump",
            "t": 99300.0,
            "client_ts": 1,
            "balloon": 1,
            "data": {"pump": 2},
        },
    ]
    assert session["balloons"][1]["explosion_point"] != 1 or point  # the pop is forged unless point is 1
    body = gamer.send(session["session_id"], events + forged).json()
    assert body["accepted"] == len(events) + 4
    with tenant_context(alpha):
        rows = {str(e.event_id): e.flags for e in Event.objects.filter(session_id=session["session_id"])}
        second = Balloon.objects.get(session_id=session["session_id"], index=1)
    assert rows[forged[3]["event_id"]] == ["after_balloon_end"]
    flags = session_row(alpha, session["session_id"]).quality_flags["schedule_violations"]
    assert flags["after_balloon_end"] == 1
    if session["balloons"][1]["explosion_point"] != 1:
        assert rows[forged[2]["event_id"]] == ["pop_not_at_explosion_point"]
        assert flags["pop_not_at_explosion_point"] == 1
    assert (second.outcome, second.pumps, second.violations["after_balloon_end"]) == ("popped", 1, 1)


def test_a_flag_caused_by_a_late_event_disappears_when_it_arrives(alpha, started):
    gamer, session = started
    events = simulate_session(session["balloons"], TargetPolicy(target=6, jitter=0), seed=1, balloons=5).events
    # The second pump of a balloon (all five popping at pump 1 has odds of 128^-5).
    late = next(e for e in events if e["type"] == "pump" and e["data"]["pump"] == 2)
    gamer.send(session["session_id"], [e for e in events if e is not late])
    assert "schedule_violations" in session_row(alpha, session["session_id"]).quality_flags
    gamer.send(session["session_id"], [late])
    assert session_row(alpha, session["session_id"]).quality_flags == {}


def test_balloons_record_outcome_pumps_and_earnings(alpha, started):
    gamer, session = started
    sim = simulate_session(session["balloons"], TargetPolicy(target=6, jitter=2), seed=3, balloons=5)
    gamer.send(session["session_id"], sim.events)
    with tenant_context(alpha):
        balloons = list(Balloon.objects.filter(session_id=session["session_id"], index__lt=5).order_by("index"))
    assert [b.pumps for b in balloons] == sim.pumps
    assert [b.outcome == "popped" for b in balloons] == sim.popped
    assert float(sum(b.earnings for b in balloons)) == sim.total


def test_server_receive_time_and_skew_are_stored_beside_the_client_times(alpha, started):
    gamer, session = started
    events = play(session["balloons"], n=1)
    gamer.send(session["session_id"], events[:2], sent_at=1_000)
    with tenant_context(alpha):
        event = Event.objects.get(event_id=events[0]["event_id"])
    assert (event.t, event.client_ts, event.sent_at) == (events[0]["t"], events[0]["client_ts"], 1_000)
    assert event.received_at is not None
    assert event.skew_ms == int(event.received_at.timestamp() * 1000) - 1_000
    assert event.raw == events[0]
    assert session_row(alpha, session["session_id"]).skew_ms_min == event.skew_ms


def test_the_columns_derived_in_sql_match_the_event_and_whole_floats_count_as_integers(alpha, started):
    # The insert takes the batch apart in PostgreSQL; JSON Schema's "integer" admits 3.0, so must it.
    gamer, session = started
    events = play(session["balloons"], n=1)
    pump = next(e for e in events if e["type"] == "pump")
    pump.update(seq=float(pump["seq"]), balloon=float(pump["balloon"]), client_ts=float(pump["client_ts"]))
    pump["data"].update(pump=float(pump["data"]["pump"]), rt_ms=12.5, input="touch")
    context = {
        "event_id": str(uuid.uuid4()),
        "seq": len(events),
        "type": "context",
        "t": 99.5,
        "client_ts": events[-1]["client_ts"] + 1,
        "data": {"kind": "input", "device": "pen"},
    }
    body = gamer.send(session["session_id"], [*events, context]).json()
    assert (body["accepted"], body["rejected"]) == (len(events) + 1, [])
    with tenant_context(alpha):
        stored_pump = Event.objects.get(event_id=pump["event_id"])
        stored_context = Event.objects.get(event_id=context["event_id"])
    assert (stored_pump.seq, stored_pump.balloon, stored_pump.pumps) == (int(pump["seq"]), 0, int(pump["data"]["pump"]))
    assert (stored_pump.rt_ms, stored_pump.input_device, stored_pump.context_kind) == (12.5, "touch", "")
    assert (stored_context.input_device, stored_context.context_kind, stored_context.balloon) == ("pen", "input", None)
    assert stored_context.raw == context and stored_context.data == context["data"]


def test_a_batch_over_the_limit_is_refused_whole_with_413(alpha, started):
    gamer, session = started
    events = simulate_session(session["balloons"], TargetPolicy(target=60, jitter=0), seed=2).events
    assert len(events) > 1000
    response = gamer.send(session["session_id"], events[:1001])
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "batch_too_large"
    assert stored(alpha, session["session_id"]) == []
    assert gamer.send(session["session_id"], events[:1000]).json()["accepted"] == 1000


def test_an_unreadable_batch_is_400(started):
    gamer, session = started
    path = f"/api/v1/game/sessions/{session['session_id']}/events/"
    assert gamer.post(path, {"nothing": 1}).status_code == 400
    assert gamer.post(path, {"events": "x"}).status_code == 400
    assert gamer.post(path, {"events": [], "sent_at": "yesterday"}).status_code == 400


def test_a_closed_session_refuses_events_with_409(alpha, started):
    gamer, session = started
    events = play(session["balloons"], n=2)
    first_end = next(i for i, e in enumerate(events) if e["type"] in ("cash_out", "pop")) + 1
    gamer.send(session["session_id"], events[:first_end])  # one balloon finished
    assert gamer.post(f"/api/v1/game/sessions/{session['session_id']}/complete/").status_code == 202
    response = gamer.send(session["session_id"], events[first_end:])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_closed"
    assert len(stored(alpha, session["session_id"])) == first_end


def test_a_session_without_a_finished_balloon_cannot_be_completed(alpha, started):
    """#18 finding 6: each empty completion queued a fit and wrote audit rows that stay forever."""
    gamer, session = started
    url = f"/api/v1/game/sessions/{session['session_id']}/complete/"
    refused = gamer.post(url)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "nothing_played"
    gamer.send(session["session_id"], play(session["balloons"], n=1)[:3])  # pumps, no collect or pop
    assert gamer.post(url).status_code == 409
    assert session_row(alpha, session["session_id"]).status == "in_progress"


def test_new_sessions_are_limited_but_resuming_is_not(alpha, settings):
    settings.GAME_SESSIONS_PER_HOUR = 2
    game_sessions_flow(alpha, count=5)  # a flow with a game in each of five sessions
    gamer = enrol_gamer(alpha)
    started = gamer, gamer.start()
    gamer, session = started  # the first new session counted
    for _ in range(5):
        assert gamer.post("/api/v1/game/sessions/").status_code == 200  # resumes the open one: free
    events = play(session["balloons"], n=1)
    gamer.send(session["session_id"], events)
    assert gamer.post(f"/api/v1/game/sessions/{session['session_id']}/complete/").status_code == 202
    second = gamer.post("/api/v1/game/sessions/")
    assert second.status_code == 201
    gamer.send(second.json()["session_id"], play(second.json()["balloons"], n=1, seed=2))
    gamer.post(f"/api/v1/game/sessions/{second.json()['session_id']}/complete/")
    third = gamer.post("/api/v1/game/sessions/")
    assert third.status_code == 429 and third.json()["error"]["code"] == "rate_limited"


def test_client_info_values_have_a_length_cap(gamer):
    response = gamer.post("/api/v1/game/sessions/", {"client_info": {"ua": "x" * 257}})
    assert response.status_code == 400 and response.json()["error"]["details"] == {
        "client_info": ["Each value holds at most 256 characters."]
    }
    assert gamer.post("/api/v1/game/sessions/", {"client_info": {"ua": "x" * 256}}).status_code == 201


def test_a_withdrawn_participant_can_send_nothing_more(alpha, started):
    from consent.services import consent_withdraw
    from pseudonymization.models import Participant

    gamer, session = started
    with tenant_context(alpha):
        consent_withdraw(participant=Participant.objects.get(participant_code=gamer.code))
    response = gamer.send(session["session_id"], play(session["balloons"], n=1))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "withdrawn"
    assert stored(alpha, session["session_id"]) == []


def test_someone_elses_session_is_not_found_and_another_studys_token_is_unknown(alpha, beta, started):
    gamer, session = started
    other = enrol_gamer(alpha)
    for path in ("", "events/", "complete/"):
        url = f"/api/v1/game/sessions/{session['session_id']}/{path}"
        response = other.get(url) if not path else other.post(url, {"events": []})
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    stranger = enrol_gamer(beta)
    response = gamer.client.post(
        f"/api/v1/game/sessions/{session['session_id']}/events/",
        {"events": []},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {stranger.token}",
    )
    assert response.status_code == 401
    anonymous = gamer.client.post(
        f"/api/v1/game/sessions/{session['session_id']}/events/", {"events": []}, content_type="application/json"
    )
    assert anonymous.status_code == 401


def test_completion_is_idempotent_and_announced_once_after_commit(alpha, started, django_capture_on_commit_callbacks):
    from games.signals import session_completed

    gamer, session = started
    seen = []

    def receiver(sender, session, **kwargs):
        seen.append(str(session.pk))

    session_completed.connect(receiver)
    try:
        gamer.send(session["session_id"], play(session["balloons"], n=30))
        with django_capture_on_commit_callbacks(execute=True):
            first = gamer.post(f"/api/v1/game/sessions/{session['session_id']}/complete/")
            again = gamer.post(f"/api/v1/game/sessions/{session['session_id']}/complete/")
    finally:
        session_completed.disconnect(receiver)
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json()["status"] == "completed" and first.json()["quality_flags"] == {}
    assert seen == [session["session_id"]]


def test_an_unfinished_session_is_flagged_at_completion(started):
    gamer, session = started
    gamer.send(session["session_id"], play(session["balloons"], n=2))
    body = gamer.post(f"/api/v1/game/sessions/{session['session_id']}/complete/").json()
    assert body["quality_flags"] == {"unfinished_balloons": 28}


def test_the_status_endpoint_tells_where_to_resume(started):
    gamer, session = started
    events = play(session["balloons"], n=2)
    gamer.send(session["session_id"], events[:-1])  # not the session_end
    body = gamer.get(f"/api/v1/game/sessions/{session['session_id']}/").json()
    assert body["status"] == "in_progress" and body["progress"]["next_seq"] == len(events) - 1
    assert [b["outcome"] != "pending" for b in body["progress"]["balloons"][:3]] == [True, True, False]


def test_too_many_batches_a_minute_are_refused_with_retry_after(started, settings):
    settings.GAME_EVENTS_RATE = 3
    gamer, session = started
    statuses = [gamer.send(session["session_id"], []).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = gamer.send(session["session_id"], [])
    assert response.json()["error"]["code"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_event_schema_is_served(alpha_client):
    response = alpha_client.get("/api/v1/game/event-schema/")
    assert response.status_code == 200
    assert response.json()["x-schema-name"] == "bart-events/1"
    assert alpha_client.get("/game/schemas/bart-events-1.json").status_code == 200


def test_a_batch_costs_a_fixed_number_of_queries_whatever_its_size(started, django_assert_num_queries):
    gamer, session = started
    events = simulate_session(session["balloons"], TargetPolicy(target=40, jitter=3), seed=5).events[:1001]
    assert len(events) > 500
    assert gamer.send(session["session_id"], events[:1]).json()["accepted"] == 1  # statements now prepared
    # The host's tenant look-up and two search_paths (django-tenants), then gate, insert and write-back,
    # inside a SAVEPOINT pair here (the test's transaction; BEGIN/COMMIT in production).
    with django_assert_num_queries(8):
        assert gamer.send(session["session_id"], events[1:]).json()["accepted"] == len(events) - 1
    with django_assert_num_queries(7):  # a retry: nothing new, so nothing to write back
        assert gamer.send(session["session_id"], events[1:]).json()["duplicates"] == len(events) - 1

"""The pure simulator produces valid, consistent bart-events/1 sessions, reproducibly."""

from __future__ import annotations

import hashlib
import json

from games.config import DEFAULT_GAME_CONFIG
from games.consistency import EventFacts, check_events
from games.event_schema import split_batch
from games.schedule import draw_schedule
from games.simulate import Par4Policy, TargetPolicy, batches, simulate_session

SCHEDULE = [b.as_dict() for b in draw_schedule("0" * 32, DEFAULT_GAME_CONFIG)]


def test_a_simulated_session_is_valid_and_fits_its_schedule():
    sim = simulate_session(SCHEDULE, TargetPolicy(target=40, jitter=5), seed=1)
    valid, rejected, repeats = split_batch(sim.events)
    assert (len(valid), rejected, repeats) == (len(sim.events), [], 0)
    assert [e["seq"] for e in sim.events] == list(range(len(sim.events)))
    facts = [
        EventFacts(e["event_id"], e["seq"], e["type"], e.get("balloon"), e["data"].get("pump", e["data"].get("pumps")))
        for e in sim.events
    ]
    points = {b["index"]: b["explosion_point"] for b in SCHEDULE}
    assert check_events(points, facts).event_flags == {}
    for index, (pumps, popped) in enumerate(zip(sim.pumps, sim.popped, strict=True)):
        assert popped == (pumps == points[index])


def test_the_same_seed_gives_the_same_events_and_another_seed_other_ones():
    one = simulate_session(SCHEDULE, TargetPolicy(), seed=4).events
    assert one == simulate_session(SCHEDULE, TargetPolicy(), seed=4).events
    assert one != simulate_session(SCHEDULE, TargetPolicy(), seed=5).events


def test_a_riskier_par4_agent_pumps_more():
    cautious = simulate_session(SCHEDULE, Par4Policy(gamma=0.3), seed=2)
    risky = simulate_session(SCHEDULE, Par4Policy(gamma=2.0), seed=2)
    assert sum(risky.pumps) > sum(cautious.pumps)


def test_a_quitter_plays_fewer_balloons_and_batches_cover_everything():
    sim = simulate_session(SCHEDULE, TargetPolicy(target=3), seed=3, balloons=4)
    assert len(sim.pumps) == 4 and sim.events[-1]["data"]["reason"] == "quit"
    assert [e for batch in batches(sim.events, 20) for e in batch] == sim.events


def _digest(events: list[dict]) -> str:
    return hashlib.sha256(json.dumps(events, sort_keys=True).encode()).hexdigest()


# Pinned before the traits simulator was made to use Par4Policy (#19): the one par4 generative
# model must keep producing exactly these sessions for this seed.
PAR4_AGENT = {"phi": 0.95, "eta": 0.02, "gamma": 1.2, "tau": 0.8}
PAR4_PUMPS = [
    int(n) for n in "22 34 1 21 3 24 21 31 30 31 3 36 28 39 40 37 18 44 1 46 46 52 46 53 60 51 49 38 58 3".split()
]
PAR4_EVENTS_SHA256 = "30c12cb11a0659901d17cb22d6210ff6c4f3b2aa429b4494017a68fe9d502b3f"


def test_a_par4_agent_plays_the_pinned_session_for_its_seed():
    sim = simulate_session(SCHEDULE, Par4Policy(**PAR4_AGENT), seed=7)
    assert sim.pumps == PAR4_PUMPS
    assert _digest(sim.events) == PAR4_EVENTS_SHA256

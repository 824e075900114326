"""The shipped scales: each validates, carries its citation and licence, keeps the published wording
and keying, and scores a hand-worked set of answers."""

from __future__ import annotations

import json

import pytest

from questionnaires.definition import validate_definition
from questionnaires.library import SCALES_DIR, UnknownScale, shipped_scale, shipped_scales
from questionnaires.scoring import score

# The published IPIP-NEO (300-item) keys: (item text, reverse keyed), in the inventory's order.
EXCITEMENT_SEEKING = [
    ("Love excitement.", False),
    ("Seek adventure.", False),
    ("Love action.", False),
    ("Enjoy being part of a loud crowd.", False),
    ("Enjoy being reckless.", False),
    ("Act wild and crazy.", False),
    ("Willing to try anything once.", False),
    ("Seek danger.", False),
    ("Would never go hang gliding or bungee jumping.", True),
    ("Dislike loud music.", True),
]
CAUTIOUSNESS = [
    ("Avoid mistakes.", False),
    ("Choose my words with care.", False),
    ("Stick to my chosen path.", False),
    ("Jump into things without thinking.", True),
    ("Make rash decisions.", True),
    ("Like to act on a whim.", True),
    ("Rush into things.", True),
    ("Do crazy things.", True),
    ("Act without thinking.", True),
    ("Often make last-minute plans.", True),
]
IPIP_ANCHORS = {
    1: "Very Inaccurate",
    2: "Moderately Inaccurate",
    3: "Neither Accurate Nor Inaccurate",
    4: "Moderately Accurate",
    5: "Very Accurate",
}
KEYS = ["ipip-neo-cautiousness", "ipip-neo-excitement-seeking"]


def test_at_least_two_scales_ship_one_per_file() -> None:
    assert [scale["key"] for scale in shipped_scales()] == KEYS
    assert sorted(path.stem for path in SCALES_DIR.glob("*.json")) == KEYS


@pytest.mark.parametrize("key", KEYS)
def test_every_shipped_scale_validates_and_carries_source_licence_and_version(key: str) -> None:
    scale = shipped_scale(key)
    with (SCALES_DIR / f"{key}.json").open(encoding="utf-8") as handle:
        assert validate_definition(json.load(handle)) == scale
    assert validate_definition(json.loads(json.dumps(scale))) == scale
    assert "Goldberg" in scale["source"] and "1999" in scale["source"]
    assert scale["licence"]["text"].startswith("Public domain")
    assert "ipip.ori.org" in scale["licence"]["url"]
    assert scale["version"] == "1.0.0"


@pytest.mark.parametrize(
    ("key", "published", "scale_key"),
    [
        ("ipip-neo-excitement-seeking", EXCITEMENT_SEEKING, "excitement_seeking"),
        ("ipip-neo-cautiousness", CAUTIOUSNESS, "cautiousness"),
    ],
)
def test_the_wording_and_keying_are_the_published_ones(key: str, published: list, scale_key: str) -> None:
    scale = shipped_scale(key)
    assert [(item["text"], item["reverse"]) for item in scale["items"]] == published
    assert all(item["anchors"] == IPIP_ANCHORS and item["points"] == 5 for item in scale["items"])
    (only,) = scale["scales"]
    assert only["key"] == scale_key
    assert only["items"] == [item["key"] for item in scale["items"]]
    assert (only["method"], only["min_answered"], only["subscales"]) == ("mean", 8, [])


def test_excitement_seeking_scores_a_hand_worked_example() -> None:
    scale = shipped_scale("ipip-neo-excitement-seeking")
    given = [5, 4, 4, 2, 3, 3, 5, 2, 1, 2]
    answers = {f"es{i:02d}": value for i, value in enumerate(given, start=1)}
    # es09 and es10 are reverse keyed: 1 -> 5, 2 -> 4.
    # 5 + 4 + 4 + 2 + 3 + 3 + 5 + 2 + 5 + 4 = 37; 37 / 10 = 3.7
    result = score(scale, answers).scales["excitement_seeking"]
    assert result == {"score": pytest.approx(3.7), "answered": 10, "items": 10, "reason": None}
    # Without es01 and es02: 28 / 8 = 3.5, still 8 answered of the 8 needed
    del answers["es01"], answers["es02"]
    assert score(scale, answers).scales["excitement_seeking"]["score"] == pytest.approx(3.5)
    # Without es03 as well: 7 answered, below 8, no score
    del answers["es03"]
    assert score(scale, answers).scales["excitement_seeking"] == {
        "score": None,
        "answered": 7,
        "items": 10,
        "reason": "7 of 10 items answered; at least 8 needed",
    }


def test_cautiousness_scores_a_hand_worked_example() -> None:
    scale = shipped_scale("ipip-neo-cautiousness")
    given = [4, 5, 3, 2, 1, 2, 2, 1, 1, 4]
    answers = {f"ca{i:02d}": value for i, value in enumerate(given, start=1)}
    # ca04..ca10 are reverse keyed: 2 -> 4, 1 -> 5, 2 -> 4, 2 -> 4, 1 -> 5, 1 -> 5, 4 -> 2.
    # 4 + 5 + 3 + 4 + 5 + 4 + 4 + 5 + 5 + 2 = 41; 41 / 10 = 4.1
    result = score(scale, answers).scales["cautiousness"]
    assert result == {"score": pytest.approx(4.1), "answered": 10, "items": 10, "reason": None}


@pytest.mark.parametrize("key", KEYS)
def test_the_score_stays_within_the_interpretation_range(key: str) -> None:
    scale = shipped_scale(key)
    (only,) = scale["scales"]
    for value in (1, 5):
        got = score(scale, {item["key"]: value for item in scale["items"]}).scales[only["key"]]["score"]
        assert 1 <= got <= 5


def test_an_unknown_scale_is_an_error_not_a_fallback() -> None:
    with pytest.raises(UnknownScale):
        shipped_scale("dospert")
    with pytest.raises(KeyError):  # UnknownScale is a KeyError
        shipped_scale("")


def test_callers_get_copies_so_the_cache_cannot_be_altered() -> None:
    first = shipped_scale("ipip-neo-cautiousness")
    first["items"].clear()
    shipped_scales()[0]["title"] = "changed"
    assert len(shipped_scale("ipip-neo-cautiousness")["items"]) == 10
    assert shipped_scales()[0]["title"] == "IPIP-NEO Cautiousness (C6)"

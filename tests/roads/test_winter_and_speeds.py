"""Speeds by road class with maxspeed overrides; the winter profile only ever slows trips."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest

from maas.errors import InvalidInput
from maas.roads import RoadNetwork, SpeedProfile, WinterProfile, load_network
from maas.roads.filtering import is_drivable, oneway_direction
from maas.roads.speeds import JAPAN_RURAL_KMH, parse_maxspeed


@pytest.fixture
def toyama(toyama_network: RoadNetwork) -> Iterator[RoadNetwork]:
    """The Toyama network, back in summer after the test."""
    yield toyama_network
    toyama_network.set_winter(False)


def test_winter_never_makes_a_trip_faster(toyama: RoadNetwork) -> None:
    """Every entry of a winter matrix is at least its summer value; most are slower."""
    locs = toyama.random_locations(60, seed=12)
    summer = toyama.durations(locs, locs)
    version = toyama.version
    assert toyama.set_winter(True) and toyama.version == version + 1
    winter = toyama.durations(locs, locs)
    assert (winter >= summer).all()
    off_diagonal = ~np.eye(len(locs), dtype=bool)
    assert (winter[off_diagonal] > summer[off_diagonal]).mean() > 0.9
    assert (winter[off_diagonal] <= 1.6 * summer[off_diagonal] + 1).all()


def test_winter_is_chosen_by_flag_or_date() -> None:
    """A December-March date selects winter; July does not; a flag wins outright."""
    assert load_network("demo", winter=dt.date(2025, 1, 15)).winter
    assert load_network("demo", winter=dt.date(2025, 12, 1)).winter
    assert not load_network("demo", winter=dt.date(2025, 7, 15)).winter
    assert load_network("demo", winter=True).info()["winter"] is True


def test_winter_profile_is_configurable_and_refuses_speedups() -> None:
    """Custom multipliers apply per class; a multiplier below 1 is refused."""
    slow = WinterProfile(multipliers={"trunk": 2.0}, default_multiplier=3.0)
    net = load_network("demo", winter=True, winter_profile=slow)
    for _, _, d in net.graph.edges(data=True):
        if d["highway"] == "trunk":
            assert d["travel_time"] == pytest.approx(2.0 * d["summer_travel_time"])
    with pytest.raises(InvalidInput, match=">= 1"):
        WinterProfile(multipliers={"residential": 0.9})


def test_maxspeed_overrides_the_class_default(bayreuth_network: RoadNetwork) -> None:
    """Unsimplified segments with a numeric maxspeed drive at it; others at the class speed."""
    tagged = plain = 0
    for _, _, d in bayreuth_network.graph.edges(data=True):
        if any(isinstance(d.get(k), list) for k in ("osmid", "highway", "maxspeed")):
            continue  # merged from several ways
        expected = parse_maxspeed(d.get("maxspeed")) or JAPAN_RURAL_KMH[d["highway"]]
        expected = min(max(expected, 5.0), 100.0)
        assert d["length"] / d["travel_time"] * 3.6 == pytest.approx(expected, rel=1e-9)
        tagged += "maxspeed" in d
        plain += "maxspeed" not in d
    assert tagged > 50 and plain > 50


def test_speed_profile_is_configurable() -> None:
    """Doubling every class speed halves the demo town's untagged travel times."""
    base = load_network("demo")
    fast = load_network(
        "demo", speeds=SpeedProfile(kmh={k: 2 * v for k, v in JAPAN_RURAL_KMH.items()})
    )
    a, b = base.random_locations(2, seed=1)
    assert fast.durations([a], [b])[0, 0] < base.durations([a], [b])[0, 0]
    with pytest.raises(InvalidInput):
        SpeedProfile(kmh={"trunk": 0.0})


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("50", 50.0),
        ("30 mph", 48.28032),
        ("40;60", 40.0),
        ("JP:nsl", None),
        ("walk", None),
        (None, None),
        (["30", "50"], 30.0),
        ("0", None),
    ],
)
def test_parse_maxspeed(value: object, kmh: float | None) -> None:
    """Numeric limits in km/h or mph, the lowest of several; symbolic values give None."""
    got = parse_maxspeed(value)
    assert got == (pytest.approx(kmh) if kmh is not None else None)


@pytest.mark.parametrize(
    ("tags", "drivable"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "track"}, False),
        ({"highway": "footway"}, False),
        ({"highway": "service", "service": "parking_aisle"}, False),
        ({"highway": "service"}, True),
        ({"highway": "tertiary", "access": "private"}, False),
        ({"highway": "tertiary", "access": "no", "motor_vehicle": "yes"}, True),
        ({"highway": "tertiary", "motor_vehicle": "no"}, False),
        ({"highway": "unclassified", "access": "destination"}, True),
        ({"highway": "primary", "area": "yes"}, False),
        ({"highway": "construction"}, False),
    ],
)
def test_drivable_filter(tags: dict[str, str], drivable: bool) -> None:
    """Van-usable classes pass; access tags decide, the most specific first."""
    assert is_drivable(tags) is drivable


def test_oneway_tags() -> None:
    """oneway=yes/-1, roundabouts and motorways set the direction; oneway=no wins."""
    assert oneway_direction({"highway": "residential"}) == 0
    assert oneway_direction({"highway": "residential", "oneway": "yes"}) == 1
    assert oneway_direction({"highway": "residential", "oneway": "-1"}) == -1
    assert oneway_direction({"highway": "primary", "junction": "roundabout"}) == 1
    assert oneway_direction({"highway": "motorway"}) == 1
    assert oneway_direction({"highway": "motorway", "oneway": "no"}) == 0

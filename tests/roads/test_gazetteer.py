"""The offline gazetteer: normalised matching, Japanese names first, road names placed on
their road."""

from __future__ import annotations

from maas.roads import RoadNetwork, load_network
from maas.roads.gazetteer import Gazetteer, NamedPlace, normalise


def test_matching_order_and_normalisation() -> None:
    g = Gazetteer([NamedPlace("Asahi", 43.0, 142.0, "hamlet"),
                   NamedPlace("旭団地", 43.0, 142.0, "road"),
                   NamedPlace("旭", 43.1, 142.1, "place"),
                   NamedPlace("あさひ診療所", 43.2, 142.2, "place")])
    assert [p.name for p in g.search("旭")] == ["旭", "旭団地"]
    assert [p.name for p in g.search("ASAHI")] == ["Asahi"]
    assert [p.name for p in g.search("あさひ")] == ["あさひ診療所"]
    assert normalise("２丁目 通") == "2丁目通"
    assert g.search("  ") == [] and g.search("nowhere") == []
    mixed = Gazetteer([NamedPlace("Clinic", 0, 0, "place"), NamedPlace("クリニック前", 0, 0,
                                                                       "road")])
    assert mixed.search("c")[0].name == "Clinic"  # romaji only matches romaji


def test_the_demo_towns_roads_are_in_it() -> None:
    network: RoadNetwork = load_network("demo")
    g = Gazetteer.of({"community_centre": (43.0131, 142.0281)}, network)
    road = g.search("駅前通")[0]
    assert road.kind == "road"
    located = network.snap(road.lat, road.lon, max_distance_m=5)
    assert located is not None
    assert g.search("community")[0].kind == "place"
    assert len(g.search("丁目", limit=50)) == 9

"""The synthetic demo town: deterministic, offline, Hokkaido-like, and marked synthetic."""

from __future__ import annotations

import json

import networkx as nx
from typer.testing import CliRunner

from cli import app
from maas.roads import RoadNetwork, load_network
from maas.roads.demo_town import build_ways

runner = CliRunner()


def test_demo_town_is_deterministic(demo_network: RoadNetwork) -> None:
    """Two builds give the same ways, nodes and edges."""
    assert build_ways() == build_ways()
    again = load_network("demo")
    assert again.info() == demo_network.info()
    assert list(again.graph.edges(keys=True)) == list(demo_network.graph.edges(keys=True))


def test_demo_town_says_it_is_synthetic(demo_network: RoadNetwork) -> None:
    """The network, its graph and its info all say synthetic."""
    assert demo_network.synthetic and demo_network.graph.graph["synthetic"] is True
    assert demo_network.info()["synthetic"] is True
    assert "synthetic" in demo_network.graph.graph["name"]


def test_demo_town_lies_near_43n_142e(demo_network: RoadNetwork) -> None:
    """Real-looking coordinates in central Hokkaido."""
    min_lon, min_lat, max_lon, max_lat = demo_network.info()["bbox"]
    assert 141.8 < min_lon < max_lon < 142.3 and 42.9 < min_lat < max_lat < 43.2


def test_demo_town_has_the_named_places_on_its_roads(demo_network: RoadNetwork) -> None:
    """Station, clinic, supermarket, town hall and depot snap within 60 m; hamlets too."""
    places = demo_network.graph.graph["places"]
    assert set(places) == {"station", "clinic", "supermarket", "town_hall", "depot"}
    for lat, lon in [*places.values(), *demo_network.graph.graph["hamlets"].values()]:
        assert demo_network.snap(lat, lon).snap_distance_m < 60


def test_demo_town_has_rural_structure(demo_network: RoadNetwork) -> None:
    """A trunk road, a residential grid, dead ends, a one-way loop and a mountain pass."""
    g = demo_network.graph
    assert nx.is_strongly_connected(g)
    classes = set()
    for _, _, d in g.edges(data=True):
        classes.update(d["highway"] if isinstance(d["highway"], list) else [d["highway"]])
    assert {"trunk", "residential", "unclassified", "tertiary", "secondary", "service"} <= classes
    dead_ends = [n for n in g.nodes if g.out_degree(n) == 1 and g.in_degree(n) == 1]
    assert len(dead_ends) >= 20
    assert any(d.get("oneway") is True for _, _, d in g.edges(data=True))
    pass_km = (
        sum(d["length"] for _, _, d in g.edges(data=True) if "secondary" in d["highway"]) / 2000
    )
    assert pass_km > 4
    assert 50 < demo_network.info()["km"] < 150


def test_cli_graph_info_json() -> None:
    """`maas graph info demo --json` prints one object with the required keys."""
    result = runner.invoke(app, ["graph", "info", "demo", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"nodes", "edges", "km", "bbox", "source"} <= set(data)
    assert data["synthetic"] is True and data["nodes"] > 50


def test_cli_graph_info_text_says_synthetic() -> None:
    """The human-readable info marks the demo town as synthetic."""
    result = runner.invoke(app, ["graph", "info", "demo"])
    assert result.exit_code == 0
    assert "SYNTHETIC" in result.output and "road km" in result.output


def test_cli_graph_matrix_is_seeded() -> None:
    """`maas graph matrix` gives an N x N matrix whose checksum depends only on the seed."""
    args = ["graph", "matrix", "demo", "--sample", "25", "--seed", "4", "--json"]
    first = json.loads(runner.invoke(app, args).output)
    second = json.loads(runner.invoke(app, args).output)
    assert first["size"] == [25, 25] and first["checksum"] == second["checksum"] > 0
    assert first["synthetic"] is True
    other = json.loads(runner.invoke(app, [*args[:-2], "5", "--json"]).output)
    assert other["checksum"] != first["checksum"]
    text = runner.invoke(app, args[:-1]).output
    assert "25 x 25" in text and "checksum" in text and "SYNTHETIC" in text

"""Loading real OSM extracts: stable counts, strong connectivity, formats, clipping, caching."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from maas.errors import InvalidInput, NetworkLoadError
from maas.roads import RoadNetwork, load_network
from maas.roads import loading as loading_module
from maas.settings import settings


def test_toyama_counts_are_stable(toyama_network: RoadNetwork) -> None:
    """The full Toyama extract always builds the same drivable graph."""
    info = toyama_network.info()
    assert (info["nodes"], info["edges"]) == (20448, 59931)
    assert info["km"] == pytest.approx(2822.1, abs=0.1)
    min_lon, min_lat, max_lon, max_lat = info["bbox"]
    assert 137.13 < min_lon < max_lon < 137.31 and 36.63 < min_lat < max_lat < 36.78
    assert info["synthetic"] is False


def test_bayreuth_counts_are_stable(bayreuth_network: RoadNetwork) -> None:
    """The north-Bayreuth villages always build the same drivable graph."""
    info = bayreuth_network.info()
    assert (info["nodes"], info["edges"]) == (767, 1773)
    assert info["km"] == pytest.approx(192.0, abs=0.1)


def test_graphs_are_strongly_connected(
    toyama_network: RoadNetwork, bayreuth_network: RoadNetwork
) -> None:
    """Every node can reach every other: no trip is stranded by the loader."""
    assert nx.is_strongly_connected(toyama_network.graph)
    assert nx.is_strongly_connected(bayreuth_network.graph)


def test_edges_carry_lengths_times_and_geometry(toyama_network: RoadNetwork) -> None:
    """Every edge has a positive length, a finite travel time and a geometry."""
    for _, _, data in toyama_network.graph.edges(data=True):
        assert data["length"] >= 0 and 0 <= data["travel_time"] < float("inf")
        assert data["geometry"].geom_type == "LineString"


def test_only_drivable_classes_are_kept(bayreuth_network: RoadNetwork) -> None:
    """Tracks, paths, footways and cycleways of the all-ways extract are left out."""
    classes = set()
    for _, _, data in bayreuth_network.graph.edges(data=True):
        hw = data["highway"]
        classes.update(hw if isinstance(hw, list) else [hw])
    assert classes.isdisjoint({"track", "path", "footway", "cycleway", "steps", "bridleway"})
    assert {"residential", "secondary"} <= classes


def test_pbf_gives_the_same_network(toyama_network: RoadNetwork, data_dir: Path) -> None:
    """The PBF export (all ways) and the XML extract (highways) build identical graphs."""
    pbf = load_network(data_dir / "osm" / "toyama.osm.pbf")
    a, b = toyama_network.graph, pbf.graph
    assert set(a.nodes) == set(b.nodes)
    edges_a = sorted((u, v, round(d["length"], 3)) for u, v, d in a.edges(data=True))
    edges_b = sorted((u, v, round(d["length"], 3)) for u, v, d in b.edges(data=True))
    assert edges_a == edges_b


def test_bbox_clip_keeps_a_connected_rural_area(data_dir: Path) -> None:
    """Clipping to Toyama's rural south leaves a smaller, strongly connected graph inside it."""
    bbox = (137.14, 36.64, 137.26, 36.67)
    net = load_network(data_dir / "osm" / "toyama.osm.bz2", polygon=bbox)
    assert 300 < net.info()["nodes"] < 5000
    assert nx.is_strongly_connected(net.graph)
    for _, d in net.graph.nodes(data=True):
        assert bbox[0] <= d["x"] <= bbox[2] and bbox[1] <= d["y"] <= bbox[3]


def test_geojson_polygon_clip(tmp_path: Path, data_dir: Path) -> None:
    """A GeoJSON service-area polygon clips like the same bbox."""
    area = tmp_path / "area.geojson"
    area.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},'
        ' "geometry": {"type": "Polygon", "coordinates": [[[11.50, 49.98], [11.58, 49.98],'
        " [11.58, 50.04], [11.50, 50.04], [11.50, 49.98]]]}}]}"
    )
    by_file = load_network(data_dir / "osm" / "north-bayreuth.osm.bz2", polygon=area)
    by_bbox = load_network(
        data_dir / "osm" / "north-bayreuth.osm.bz2", polygon=(11.50, 49.98, 11.58, 50.04)
    )
    assert set(by_file.graph.nodes) == set(by_bbox.graph.nodes)
    assert by_file.info()["nodes"] < 767


def test_second_load_comes_from_the_cache(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second load of the same file and settings reads the cache, not the file."""
    monkeypatch.setenv("MAAS_CACHE_DIR", str(tmp_path))
    settings.cache_clear()
    try:
        source = data_dir / "osm" / "north-bayreuth.osm.bz2"
        first = load_network(source)
        assert list((tmp_path / "graphs").glob("*.pkl"))

        def no_parsing(path: Path) -> None:
            raise AssertionError("parsed the file again")

        monkeypatch.setattr(loading_module, "read_osm_ways", no_parsing)
        second = load_network(source)
        assert second.info() == first.info()
        assert set(second.graph.edges(keys=True)) == set(first.graph.edges(keys=True))
        with pytest.raises(AssertionError, match="parsed the file again"):
            load_network(source, winter=False, speeds=None, cache=False)
    finally:
        settings.cache_clear()


def test_ways_with_missing_nodes_do_not_crash(tmp_path: Path) -> None:
    """A clipped extract whose ways name nodes it lacks loads the part it has."""
    osm = tmp_path / "clipped.osm"
    nodes = "".join(f'<node id="{i}" lat="{43.0 + i * 0.001}" lon="142.0"/>' for i in range(1, 5))
    osm.write_text(
        f'<?xml version="1.0"?><osm version="0.6">{nodes}'
        '<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="99"/><nd ref="3"/><nd ref="4"/>'
        '<tag k="highway" v="residential"/></way>'
        '<way id="11"><nd ref="98"/><nd ref="97"/><tag k="highway" v="primary"/></way>'
        "</osm>"
    )
    net = load_network(osm, cache=False)
    assert net.info()["nodes"] == 2  # the first run (1-2); 3-4 is as large, ties keep one
    assert nx.is_strongly_connected(net.graph)


def test_graphml_round_trip(tmp_path: Path, demo_network: RoadNetwork) -> None:
    """A graph saved as GraphML loads back to the same network (and stays synthetic)."""
    import osmnx as ox

    path = tmp_path / "demo.graphml"
    ox.save_graphml(demo_network.graph, path)
    again = load_network(path, cache=False)
    assert again.info() | {"source": "demo"} == demo_network.info()
    assert again.synthetic
    locs = demo_network.random_locations(15, seed=3)
    moved = [loc.__class__(loc.lat, loc.lon, loc.edge, loc.offset) for loc in locs]
    assert (again.durations(moved, moved) == demo_network.durations(locs, locs)).all()


def test_place_goes_through_the_same_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """A place download (stubbed with the demo town's raw graph) is filtered, timed, simplified."""
    import osmnx as ox

    from maas.roads import demo_town
    from maas.roads.speeds import SpeedProfile
    from maas.roads.winter import WinterProfile

    segments = demo_town.segments(SpeedProfile(), WinterProfile())
    raw = nx.MultiDiGraph(crs="epsg:4326")
    for node, (x, y) in segments.coords.items():
        raw.add_node(node, x=x, y=y)
    for u, v, data in segments.edges:
        keep = {k: data[k] for k in ("osmid", "highway", "name", "length", "oneway") if k in data}
        raw.add_edge(u, v, **keep)
    raw.add_edge(*list(raw.nodes)[:2], highway="footway", length=10.0)  # not for vans
    calls = []

    def fake_download(name: str, **kwargs: object) -> nx.MultiDiGraph:
        calls.append(name)
        return raw.copy()

    monkeypatch.setattr(ox, "graph_from_place", fake_download)
    net = load_network("place:Kitanosawa, Hokkaido", cache=False)
    assert calls == ["Kitanosawa, Hokkaido"]
    assert net.info()["nodes"] == load_network("demo").info()["nodes"]
    assert all(d["highway"] != "footway" for _, _, d in net.graph.edges(data=True))


def test_place_offline_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without network access a place name fails with a message saying so."""
    import osmnx as ox

    def offline(name: str, **kwargs: object) -> nx.MultiDiGraph:
        raise ConnectionError("Name or service not known")

    monkeypatch.setattr(ox, "graph_from_place", offline)
    with pytest.raises(NetworkLoadError, match="needs network access"):
        load_network("place:Biei, Hokkaido, Japan", cache=False)
    with pytest.raises(InvalidInput, match="place: needs a name"):
        load_network("place:")


def test_gzip_extract_loads(tmp_path: Path) -> None:
    """`.osm.gz` files are read like `.osm` ones."""
    import gzip

    xml = (
        '<?xml version="1.0"?><osm version="0.6">'
        '<node id="1" lat="43.0" lon="142.0"/><node id="2" lat="43.001" lon="142.0"/>'
        '<node id="3" lat="43.002" lon="142.001"/>'
        '<way id="5"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
        '<tag k="highway" v="tertiary"/><tag k="maxspeed" v="40"/></way></osm>'
    )
    path = tmp_path / "tiny.osm.gz"
    path.write_bytes(gzip.compress(xml.encode()))
    net = load_network(path, cache=False)
    assert net.info()["nodes"] == 2 and net.info()["edges"] == 2  # simplified to one road
    (_, _, data), *_ = net.graph.edges(data=True)
    assert data["length"] / data["travel_time"] * 3.6 == pytest.approx(40.0)

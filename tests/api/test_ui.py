"""``GET /v1/service/roads`` (the maps' roads, drawn offline) and the mounted pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routers.ui import mount_pages, roads_geojson
from maas.roads import RoadNetwork


def test_roads_are_geojson_lines_in_lon_lat_order(demo_network: RoadNetwork) -> None:
    collection = roads_geojson(demo_network)
    assert collection["type"] == "FeatureCollection"
    classes = {f["properties"]["class"]: f["geometry"] for f in collection["features"]}
    assert set(classes) == {"major", "minor"}
    lines = [line for g in classes.values() for line in g["coordinates"]]
    assert all(len(line) >= 2 for line in lines)
    xs = [demo_network.graph.nodes[n]["x"] for n in demo_network.graph.nodes]
    ys = [demo_network.graph.nodes[n]["y"] for n in demo_network.graph.nodes]
    for line in lines:
        for lon, lat in line:
            assert min(xs) - 0.05 <= lon <= max(xs) + 0.05
            assert min(ys) - 0.05 <= lat <= max(ys) + 0.05
    # one line per road, not one per direction
    edges = demo_network.graph.number_of_edges()
    assert len(lines) < edges


def test_pages_are_served() -> None:
    app = FastAPI()
    mount_pages(app)
    client = TestClient(app)
    for page in ("console", "driver"):
        r = client.get(f"/{page}/")
        assert r.status_code == 200
        assert '<div id="app">' in r.text
        assert client.get(f"/{page}/app.js").status_code == 200
        for sheet in ("../common/leaflet.css", "../common/style.css"):  # shared by both pages
            assert f'href="{sheet}"' in r.text
            assert client.get(f"/{page}/{sheet}").status_code == 200
    assert client.get("/", follow_redirects=False).headers["location"] == "/console/"

"""Smoke runs of the shipped real-town scenarios on the reference OSM extracts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from maas.settings import settings
from scenarios.config import load_scenario
from scenarios.run import run_scenario
from tests.scenarios.conftest import SCENARIOS


@pytest.fixture
def osm_data_dir(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """MAAS_DATA_DIR pointed at the OSM extracts, as the scenario files expect."""
    monkeypatch.setenv("MAAS_DATA_DIR", str(data_dir / "osm"))
    settings.cache_clear()
    yield data_dir / "osm"
    settings.cache_clear()


@pytest.mark.slow
def test_toyama_south_day_runs_inside_its_area(osm_data_dir: Path, tmp_path: Path) -> None:
    """A few dozen requests on toyama-south: counts add up, stops lie in the service area."""
    scenario = load_scenario(SCENARIOS / "toyama-south.yaml",
                             {"demand.requests": 30, "demand.exact_count": True})
    run = run_scenario(scenario, tmp_path)
    k = run.kpis
    assert k["synthetic_network"] is False
    assert k["served"] + k["rejected"] + k["cancelled"] + k["no_shows"] == 30
    assert k["served"] > 0 and k["vehicle_km"] > 0
    w, s, e, n = 137.14, 36.64, 137.26, 36.67
    for t in run.result.trips:
        for p in (t.origin, t.destination):
            assert w - 0.005 <= p.lon <= e + 0.005 and s - 0.005 <= p.lat <= n + 0.005


@pytest.mark.slow
def test_bayreuth_villages_day_runs(osm_data_dir: Path, tmp_path: Path) -> None:
    """The Bayreuth villages scenario (population grid, attractors) runs a small day."""
    scenario = load_scenario(SCENARIOS / "bayreuth-villages.yaml",
                             {"demand.requests": 20, "demand.exact_count": True})
    k = run_scenario(scenario, tmp_path).kpis
    assert k["requests"] == 20 and k["served"] > 0


def test_geojson_service_area_beside_the_scenario(tmp_path: Path) -> None:
    """A GeoJSON service area named relative to the scenario file clips the town to it."""
    import json

    from tests.scenarios.conftest import write_scenario

    w, s, e, n = 142.0, 43.0, 142.06, 43.03  # the centre and west of the demo valley
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    (tmp_path / "area.geojson").write_text(json.dumps(
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                           "coordinates": [ring]}}))
    path = write_scenario(tmp_path / "clipped.yaml", {"network.service_area": "area.geojson",
                                                      "demand.requests": 10})
    run = run_scenario(load_scenario(path), tmp_path / "out")
    assert run.kpis["requests"] == 10
    for t in run.result.trips:
        for p in (t.origin, t.destination):
            assert w - 0.002 <= p.lon <= e + 0.002 and s - 0.002 <= p.lat <= n + 0.002

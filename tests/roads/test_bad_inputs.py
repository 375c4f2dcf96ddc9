"""Bad sources give one clear error (typed in the core, a message at the CLI), never a traceback."""

from __future__ import annotations

import bz2
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from maas.errors import InvalidInput, MaasError, NetworkLoadError
from maas.roads import load_network

runner = CliRunner()


@pytest.fixture
def truncated_bz2(tmp_path: Path, data_dir: Path) -> Path:
    """The first 100 kB of the Bayreuth extract."""
    path = tmp_path / "truncated.osm.bz2"
    path.write_bytes((data_dir / "osm" / "north-bayreuth.osm.bz2").read_bytes()[:100_000])
    return path


def test_truncated_bz2_is_a_load_error(truncated_bz2: Path) -> None:
    """A cut-off download is reported as unreadable."""
    with pytest.raises(NetworkLoadError, match=r"cannot read .*truncated\.osm\.bz2"):
        load_network(truncated_bz2, cache=False)


def test_not_xml_is_a_load_error(tmp_path: Path) -> None:
    """A file that is not OSM XML is reported as unreadable."""
    path = tmp_path / "notes.osm"
    path.write_text("these are not the roads you are looking for\n")
    with pytest.raises(NetworkLoadError, match=r"cannot read .*notes\.osm"):
        load_network(path, cache=False)


def test_empty_file_is_a_load_error(tmp_path: Path) -> None:
    """An empty file is reported, whatever the compression suffix."""
    for name in ("empty.osm", "empty.osm.bz2", "empty.osm.pbf"):
        path = tmp_path / name
        path.write_bytes(b"")
        with pytest.raises(NetworkLoadError, match=name.replace(".", r"\.")):
            load_network(path, cache=False)


def test_no_drivable_roads_is_a_load_error(tmp_path: Path) -> None:
    """An extract of footpaths only has nothing a van can drive."""
    path = tmp_path / "paths.osm.bz2"
    xml = (
        '<?xml version="1.0"?><osm version="0.6">'
        '<node id="1" lat="43.0" lon="142.0"/><node id="2" lat="43.001" lon="142.0"/>'
        '<way id="5"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>'
    )
    path.write_bytes(bz2.compress(xml.encode()))
    with pytest.raises(NetworkLoadError, match="no drivable roads"):
        load_network(path, cache=False)


def test_geojson_that_is_not_a_polygon_is_invalid(tmp_path: Path) -> None:
    """A service area given as a line is refused, naming what was found."""
    area = tmp_path / "line.geojson"
    area.write_text('{"type": "LineString", "coordinates": [[142.0, 43.0], [142.1, 43.1]]}')
    with pytest.raises(InvalidInput, match=r"no Polygon or MultiPolygon.*LineString"):
        load_network("demo", polygon=area)


def test_service_area_without_roads_is_a_load_error() -> None:
    """A service area that misses the town entirely is reported."""
    with pytest.raises(NetworkLoadError, match="no drivable roads inside the service area"):
        load_network("demo", polygon=(10.0, 10.0, 10.1, 10.1))


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    """A wrong path or an unknown file type says what the loader accepts."""
    with pytest.raises(NetworkLoadError, match="no such file"):
        load_network(tmp_path / "nowhere.osm")
    odd = tmp_path / "roads.csv"
    odd.write_text("a,b\n")
    with pytest.raises(NetworkLoadError, match="not an OSM file"):
        load_network(odd)


@pytest.mark.parametrize("kind", ["truncated", "not-xml", "line-geojson"])
def test_cli_prints_a_message_not_a_traceback(
    kind: str, tmp_path: Path, truncated_bz2: Path
) -> None:
    """`maas graph info` on a bad input exits 1 with `error: ...` and no traceback."""
    if kind == "truncated":
        args = ["graph", "info", str(truncated_bz2)]
    elif kind == "not-xml":
        bad = tmp_path / "bad.osm"
        bad.write_text("{}")
        args = ["graph", "info", str(bad)]
    else:
        area = tmp_path / "line.geojson"
        area.write_text('{"type": "LineString", "coordinates": [[142.0, 43.0], [142.1, 43.1]]}')
        args = ["graph", "info", "demo", "--polygon", str(area)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "error:" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, MaasError)

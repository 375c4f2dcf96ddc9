"""Loading a town's drivable road graph from OSM files, Overpass, GraphML or the demo town.

Every source goes through one pipeline: keep drivable ways, split them into directed segments
with lengths and travel times (summer and winter), clip to the service area, keep the largest
strongly connected part, simplify (osmnx), and wrap the result in a ``RoadNetwork``.
OSM XML (``.osm``, ``.osm.bz2``, ``.osm.gz``) and PBF (``.osm.pbf``) files are both read with
pyosmium, so the two formats of one extract give the same network.
"""

from __future__ import annotations

import ast
import datetime as dt
import gc
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias, cast

import networkx as nx
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import LineString, MultiPolygon, Polygon, box, shape
from shapely.geometry.base import BaseGeometry

from maas.errors import InvalidInput, NetworkLoadError
from maas.roads import cache as graph_cache
from maas.roads.addresses import read_addresses
from maas.roads.filtering import closed_days, is_drivable, oneway_direction
from maas.roads.network import RoadNetwork
from maas.roads.snapping import EARTH_RADIUS_M
from maas.roads.speeds import SpeedProfile
from maas.roads.winter import WinterProfile, days_text

#: Tags kept on edges (everything the filter, the speeds and a map need).
EDGE_TAGS = ("name", "ref")
#: Edge attribute: the days a seasonal closure shuts the edge (``winter.days_text``).
WINTER_CLOSED = "winter_closed"
#: Way tags a seasonal closure is read from (also asked of Overpass for place: sources).
SEASONAL_TAGS = (
    "motorcar:conditional",
    "motor_vehicle:conditional",
    "vehicle:conditional",
    "access:conditional",
    "seasonal",
)

PolygonArg: TypeAlias = str | Path | tuple[float, float, float, float] | BaseGeometry | None

_OSM_FORMATS = {
    ".osm": "osm",
    ".xml": "osm",
    ".osm.bz2": "osm.bz2",
    ".osm.gz": "osm.gz",
    ".osm.pbf": "pbf",
    ".pbf": "pbf",
}


@dataclass(frozen=True)
class RawWay:
    """An OSM way as read: node ids, their (lon, lat) (None where the extract lacks the node)."""

    id: int
    nodes: Sequence[int]
    coords: Sequence[tuple[float, float] | None]
    tags: dict[str, str]


# ---------------------------------------------------------------------------- polygons
def service_area(polygon: PolygonArg) -> Polygon | MultiPolygon | None:
    """A service-area polygon from a GeoJSON file, a bbox ``(min_lon, min_lat, max_lon,
    max_lat)`` or a shapely geometry (lon/lat)."""
    if polygon is None:
        return None
    if isinstance(polygon, BaseGeometry):
        geom: BaseGeometry = polygon
    elif isinstance(polygon, tuple | list):
        if len(polygon) != 4:
            msg = f"a bbox is (min_lon, min_lat, max_lon, max_lat), got {polygon!r}"
            raise InvalidInput(msg)
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in polygon)
        if not (min_lon < max_lon and min_lat < max_lat):
            msg = f"bbox {polygon!r} is empty: give (min_lon, min_lat, max_lon, max_lat)"
            raise InvalidInput(msg)
        geom = box(min_lon, min_lat, max_lon, max_lat)
    else:
        geom = _read_geojson_polygon(Path(polygon))
    if geom.geom_type not in {"Polygon", "MultiPolygon"} or geom.is_empty:
        msg = f"service area must be a Polygon or MultiPolygon, not {geom.geom_type}"
        raise InvalidInput(msg)
    return geom  # type: ignore[return-value]


def _read_geojson_polygon(path: Path) -> BaseGeometry:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"service-area file {path} does not exist"
        raise InvalidInput(msg) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"service-area file {path} is not GeoJSON: {exc}"
        raise InvalidInput(msg) from None
    if not isinstance(doc, dict):
        msg = f"service-area file {path} is not a GeoJSON object"
        raise InvalidInput(msg)
    if doc.get("type") == "FeatureCollection":
        geoms = [f.get("geometry") for f in doc.get("features", []) if isinstance(f, dict)]
    elif doc.get("type") == "Feature":
        geoms = [doc.get("geometry")]
    else:
        geoms = [doc]
    shapes = []
    for g in geoms:
        try:
            shapes.append(shape(g))
        except Exception as exc:
            msg = f"service-area file {path} holds an unreadable geometry: {exc}"
            raise InvalidInput(msg) from None
    polygons = [s for s in shapes if s.geom_type in {"Polygon", "MultiPolygon"}]
    if not polygons:
        kinds = sorted({s.geom_type for s in shapes}) or ["nothing"]
        msg = (
            f"service-area file {path} holds no Polygon or MultiPolygon (found {', '.join(kinds)})"
        )
        raise InvalidInput(msg)
    return shapely.union_all(polygons)


# ---------------------------------------------------------------------------- readers
def osm_format(path: Path) -> str | None:
    """pyosmium's format name for a file, by its suffix (None if not an OSM file)."""
    name = path.name.lower()
    for suffix in sorted(_OSM_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return _OSM_FORMATS[suffix]
    return None


def read_osm_ways(path: Path) -> list[RawWay]:
    """Drivable ways of an OSM XML or PBF file, with node locations (pyosmium)."""
    import osmium

    fmt = osm_format(path)
    if fmt is None:
        msg = f"{path}: not an OSM file (expected .osm, .osm.bz2, .osm.gz or .osm.pbf)"
        raise NetworkLoadError(msg)
    ways: list[RawWay] = []
    try:
        processor = (
            osmium.FileProcessor(osmium.io.File(str(path), fmt), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for entity in processor:
            way = cast(osmium.osm.Way, entity)
            tags = {t.k: t.v for t in way.tags}
            if not is_drivable(tags):
                continue
            refs, coords = [], []
            for nd in way.nodes:
                refs.append(nd.ref)
                loc = nd.location
                coords.append((loc.lon, loc.lat) if loc.valid() else None)
            ways.append(RawWay(way.id, refs, coords, tags))
    except NetworkLoadError:
        raise
    except Exception as exc:
        msg = f"cannot read {path} as {fmt}: {exc}"
        raise NetworkLoadError(msg) from None
    return ways


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


@dataclass
class Segments:
    """Directed road segments before simplification: node coordinates and attributed edges."""

    coords: dict[int, tuple[float, float]]
    edges: list[tuple[int, int, dict[str, Any]]]

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph) -> Segments:
        """The segments of an osmnx-style graph (Overpass download, GraphML)."""
        coords = {n: (float(d["x"]), float(d["y"])) for n, d in graph.nodes(data=True)}
        return cls(coords, [(u, v, dict(d)) for u, v, d in graph.edges(data=True)])


def segment_ways(ways: Iterable[RawWay], speeds: SpeedProfile, winter: WinterProfile) -> Segments:
    """Directed segments of the drivable ways with lengths and summer and winter times.

    Segments whose end nodes the extract lacks are dropped (the way is split there). A way
    closed for part of the year carries the closed days in ``winter_closed``.
    """
    coords: dict[int, tuple[float, float]] = {}
    edges: list[tuple[int, int, dict[str, Any]]] = []
    for way in ways:
        tags = way.tags
        if not is_drivable(tags):
            continue
        direction = oneway_direction(tags)
        highway = tags["highway"]
        # the posted limit of each direction (maxspeed:forward/backward win over maxspeed)
        posted_fwd = tags.get("maxspeed:forward", tags.get("maxspeed"))
        posted_bwd = tags.get("maxspeed:backward", tags.get("maxspeed"))
        kmh_fwd = speeds.speed_kmh(highway, posted_fwd)
        kmh_bwd = speeds.speed_kmh(highway, posted_bwd)
        factor = winter.multiplier(highway)
        base = {"osmid": way.id, "highway": highway, "oneway": direction != 0}
        base.update({k: tags[k] for k in EDGE_TAGS if k in tags})
        seasonal = _seasonal_closure(tags, winter)
        if seasonal:
            base[WINTER_CLOSED] = seasonal
        fwd_extra = {"maxspeed": posted_fwd} if posted_fwd is not None else {}
        bwd_extra = {"maxspeed": posted_bwd} if posted_bwd is not None else {}
        for i in range(len(way.nodes) - 1):
            a, b = way.nodes[i], way.nodes[i + 1]
            ca, cb = way.coords[i], way.coords[i + 1]
            if ca is None or cb is None or a == b:
                continue
            coords[a], coords[b] = ca, cb
            length = _haversine_m(ca, cb)
            for tail, head, kmh, extra, used in (
                (a, b, kmh_fwd, fwd_extra, direction >= 0),
                (b, a, kmh_bwd, bwd_extra, direction <= 0),
            ):
                if not used:
                    continue
                tt = length / (kmh / 3.6)
                attrs = {**base, **extra, "reversed": tail == b, "length": length}
                attrs.update(speed_kph=kmh, travel_time=tt, winter_travel_time=tt * factor)
                edges.append((tail, head, attrs))
    return Segments(coords, edges)


def finish_graph(
    segments: Segments,
    polygon: Polygon | MultiPolygon | None,
    source: str,
    *,
    simplify: bool = True,
) -> nx.MultiDiGraph:
    """Clip to the service area, keep the largest strongly connected part, simplify.

    Clipping and the strongly connected part are computed on arrays (scipy) before any
    networkx graph is built, so only the kept part is ever materialised.
    """
    import osmnx as ox

    ids = np.fromiter(segments.coords, dtype=np.int64, count=len(segments.coords))
    index = {n: i for i, n in enumerate(ids.tolist())}
    xy = np.array([segments.coords[n] for n in ids.tolist()], dtype=float).reshape(-1, 2)
    tails = np.array([index[u] for u, _, _ in segments.edges], dtype=np.int64)
    heads = np.array([index[v] for _, v, _ in segments.edges], dtype=np.int64)
    keep = np.ones(len(tails), dtype=bool)
    if polygon is not None and len(ids):
        inside = shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])
        keep &= inside[tails] & inside[heads]
    if not keep.any():
        where = " inside the service area" if polygon is not None else ""
        msg = f"{source}: no drivable roads{where}"
        raise NetworkLoadError(msg)
    adjacency = coo_matrix(
        (np.ones(int(keep.sum())), (tails[keep], heads[keep])), shape=(len(ids), len(ids))
    ).tocsr()
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    used = np.zeros(len(ids), dtype=bool)
    used[tails[keep]] = True
    used[heads[keep]] = True
    sizes = np.bincount(labels[used])
    largest = int(np.argmax(sizes))
    if sizes[largest] < 2:
        msg = f"{source}: no two drivable roads connect (largest strongly connected part: 1 node)"
        raise NetworkLoadError(msg)
    keep &= (labels[tails] == largest) & (labels[heads] == largest)
    graph = nx.MultiDiGraph(crs="epsg:4326", source=source)
    members = np.nonzero(labels == largest)[0]
    graph.add_nodes_from(
        (int(ids[i]), {"x": float(xy[i, 0]), "y": float(xy[i, 1])}) for i in members
    )
    graph.add_edges_from(edge for edge, k in zip(segments.edges, keep, strict=True) if k)
    if simplify:
        graph = ox.simplify_graph(
            graph,
            edge_attr_aggs={"length": sum, "travel_time": sum, "winter_travel_time": sum},
            # a seasonally closed stretch never merges with an open one
            edge_attrs_differ=[WINTER_CLOSED],
        )
    for u, v, data in graph.edges(data=True):
        data.setdefault("winter_travel_time", data["travel_time"])
        data["summer_travel_time"] = float(data["travel_time"])
        if "geometry" not in data:
            nu, nv = graph.nodes[u], graph.nodes[v]
            data["geometry"] = LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
    graph.graph["simplified"] = True
    return graph


def _seasonal_closure(tags: dict[str, str], winter: WinterProfile) -> str:
    """The days a way's tags close it (``days_text``), "" when it is open all year."""
    if not any(key in tags for key in SEASONAL_TAGS):
        return ""
    return days_text(closed_days(tags, winter.months))


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def retime_graph(
    graph: nx.MultiDiGraph, speeds: SpeedProfile, winter: WinterProfile
) -> nx.MultiDiGraph:
    """Travel times for a graph that came with lengths and tags only (Overpass, GraphML).

    Ways the van may not use (by the tags the graph kept) are dropped first. Edges that
    already carry summer and winter times (a GraphML file this package wrote) keep them.
    """
    drop = []
    for u, v, k, data in graph.edges(keys=True, data=True):
        tags = {
            key: str(_first(val))
            for key, val in data.items()
            if isinstance(_first(val), str | int | float) and key != "length"
        }
        if "highway" not in tags or not is_drivable(tags):
            drop.append((u, v, k))
            continue
        length = float(data["length"])
        data["length"] = length
        seasonal = _seasonal_closure(tags, winter)
        if seasonal:
            data[WINTER_CLOSED] = seasonal
        if "summer_travel_time" in data and "winter_travel_time" in data:
            data["travel_time"] = float(data["summer_travel_time"])
            data["winter_travel_time"] = float(data["winter_travel_time"])
            continue
        kmh = speeds.speed_kmh(tags["highway"], data.get("maxspeed"))
        data["speed_kph"] = kmh
        data["travel_time"] = length / (kmh / 3.6)
        data["winter_travel_time"] = data["travel_time"] * winter.multiplier(tags["highway"])
    graph.remove_edges_from(drop)
    return graph


def _saved_attributes(attrs: dict[str, Any]) -> dict[str, Any]:
    """Graph attributes a GraphML file kept as text (synthetic flag, named places)."""
    out: dict[str, Any] = {}
    if "synthetic" in attrs:
        out["synthetic"] = attrs["synthetic"] in (True, "True", "true")
    for key in ("name", "places", "hamlets", "addresses"):
        value = attrs.get(key)
        if isinstance(value, str) and key != "name":
            try:
                value = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                continue
        if value is not None:
            out[key] = value
    return out


def _addresses_of(path: Path, graph: nx.MultiDiGraph) -> list[tuple[str, float, float]]:
    """The file's addresses (``maas.roads.addresses``) within the built network's extent
    (kept on the graph, so a cached graph has them too)."""
    fmt = osm_format(path)
    xs = [float(d["x"]) for _, d in graph.nodes(data=True)]
    ys = [float(d["y"]) for _, d in graph.nodes(data=True)]
    if fmt is None or not xs:
        return []
    try:
        return read_addresses(path, fmt, (min(xs), min(ys), max(xs), max(ys)))
    except Exception as exc:
        msg = f"cannot read the addresses of {path}: {exc}"
        raise NetworkLoadError(msg) from None


def _place_graph(name: str) -> nx.MultiDiGraph:
    import osmnx as ox

    wanted = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = wanted + [t for t in SEASONAL_TAGS if t not in wanted]
    try:
        return ox.graph_from_place(name, network_type="drive", simplify=False, retain_all=True)
    except Exception as exc:
        msg = (
            f"cannot download the roads of place {name!r} through Overpass "
            f"(this needs network access): {exc}"
        )
        raise NetworkLoadError(msg) from None
    finally:
        ox.settings.useful_tags_way = wanted


def _graphml_graph(path: Path) -> nx.MultiDiGraph:
    import osmnx as ox

    try:
        return ox.load_graphml(path)
    except Exception as exc:
        msg = f"cannot read {path} as GraphML: {exc}"
        raise NetworkLoadError(msg) from None


# ---------------------------------------------------------------------------- entry point
def build_graph(
    source: str,
    *,
    polygon: PolygonArg = None,
    speeds: SpeedProfile | None = None,
    winter_profile: WinterProfile | None = None,
    cache: bool = True,
) -> nx.MultiDiGraph:
    """The finished (clipped, strongly connected, simplified) graph of a source."""
    from maas.roads import demo_town

    speeds = speeds or SpeedProfile()
    winter_profile = winter_profile or WinterProfile()
    area = service_area(polygon)
    settings_key = (
        speeds.cache_key(),
        winter_profile.cache_key(),
        area.wkt if area is not None else "",
    )
    if source == "demo":
        graph = finish_graph(demo_town.segments(speeds, winter_profile), area, "demo")
        graph.graph.update(demo_town.graph_attributes())
        return graph
    if source.startswith("place:"):
        name = source.removeprefix("place:").strip()
        if not name:
            msg = "place: needs a name, e.g. place:Biei, Hokkaido, Japan"
            raise InvalidInput(msg)
        key = graph_cache.cache_key("place", name, *settings_key)
        cached = graph_cache.load_cached(key) if cache else None
        if cached is not None:
            return cached
        raw = retime_graph(_place_graph(name), speeds, winter_profile)
        graph = finish_graph(Segments.from_graph(raw), area, source)
    else:
        path = Path(source)
        if not path.is_file():
            msg = f"{source}: no such file (give an OSM file, a .graphml, 'demo' or place:NAME)"
            raise NetworkLoadError(msg)
        key = graph_cache.cache_key(graph_cache.file_digest(path), path.name, *settings_key)
        cached = graph_cache.load_cached(key) if cache else None
        if cached is not None:
            return cached
        if path.name.lower().endswith(".graphml"):
            raw = retime_graph(_graphml_graph(path), speeds, winter_profile)
            graph = finish_graph(
                Segments.from_graph(raw), area, source, simplify=not raw.graph.get("simplified")
            )
            graph.graph.update(_saved_attributes(raw.graph))
        else:
            ways = read_osm_ways(path)
            graph = finish_graph(segment_ways(ways, speeds, winter_profile), area, source)
            graph.graph["addresses"] = _addresses_of(path, graph)
    if cache:
        graph_cache.store_cached(key, graph)
    return graph


def load_network(
    source: str | Path,
    polygon: PolygonArg = None,
    winter: bool | dt.date | None = False,
    speeds: SpeedProfile | None = None,
    cache: bool = True,
    winter_profile: WinterProfile | None = None,
) -> RoadNetwork:
    """Load a town's road network ready for routing.

    ``source``: an OSM file (``.osm``, ``.osm.bz2``, ``.osm.gz``, ``.osm.pbf``), a GraphML
    file, ``"demo"`` (the synthetic town, offline) or ``"place:NAME"`` (Overpass, online).
    ``polygon``: a service area to clip to (GeoJSON file, bbox or shapely polygon).
    ``winter``: a flag, or a date (winter speeds if it falls in the profile's months;
    seasonal closures whose days contain it). See ``maas.roads.winter``.
    Built graphs are cached by the file's content and every setting.
    """
    winter_profile = winter_profile or WinterProfile()
    # Building a graph makes a few hundred thousand small objects that all stay alive: the
    # cyclic garbage collector's repeated passes over them would cost a third of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        graph = build_graph(
            str(source), polygon=polygon, speeds=speeds, winter_profile=winter_profile, cache=cache
        )
        return RoadNetwork(graph, source=str(source), winter=winter, winter_profile=winter_profile)
    finally:
        if collecting:
            gc.enable()

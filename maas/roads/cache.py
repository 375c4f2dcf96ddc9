"""On-disk cache of built road graphs, keyed by the source's content and the build settings."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import shapely

from maas.settings import settings

_BUILDERS = ("cache.py", "loading.py", "addresses.py", "filtering.py", "speeds.py", "winter.py",
             "demo_town.py")


def _build_version() -> str:
    """A digest of the code that builds graphs: a change to it retires old cache entries."""
    digest = hashlib.sha256()
    for name in _BUILDERS:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


BUILD_VERSION = _build_version()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cache_key(*parts: str) -> str:
    """One key from the source digest and every setting that shapes the graph."""
    return hashlib.sha256("\x1f".join((BUILD_VERSION, *parts)).encode()).hexdigest()[:32]


def cache_dir() -> Path:
    """Where built graphs are kept (``MAAS_CACHE_DIR``/graphs)."""
    return settings().cache_dir / "graphs"


def _pack(graph: nx.MultiDiGraph) -> dict[str, object]:
    """The graph with its edge geometries as one WKB array (shapely reads those in bulk,
    several times faster than one pickled geometry at a time)."""
    bare = graph.copy()
    datas = [d for nbrs in bare._adj.values() for keyed in nbrs.values() for d in keyed.values()]
    geoms = [d.pop("geometry", None) for d in datas]
    return {"graph": bare, "geometry_wkb": shapely.to_wkb(np.array(geoms, dtype=object))}


def _unpack(packed: dict[str, object]) -> nx.MultiDiGraph:
    graph = packed["graph"]
    assert isinstance(graph, nx.MultiDiGraph)
    geoms = shapely.from_wkb(packed["geometry_wkb"])
    # graph._adj: the adjacency dicts, several times faster to walk than graph.edges()
    datas = [d for nbrs in graph._adj.values() for keyed in nbrs.values() for d in keyed.values()]
    for data, geom in zip(datas, geoms, strict=True):
        if geom is not None:
            data["geometry"] = geom
    return graph


def load_cached(key: str) -> nx.MultiDiGraph | None:
    """The cached graph for ``key``, or None (a damaged entry counts as missing)."""
    path = cache_dir() / f"{key}.pkl"
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            return _unpack(pickle.load(fh))
    except Exception:
        return None


def store_cached(key: str, graph: nx.MultiDiGraph) -> None:
    """Write ``graph`` under ``key`` atomically; a cache that cannot be written is skipped."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(_pack(graph), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{key}.pkl")
    except OSError:
        return

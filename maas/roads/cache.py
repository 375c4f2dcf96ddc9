"""On-disk cache of built road graphs, keyed by the source's content and the build settings."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import networkx as nx

from maas.settings import settings

#: Bump when the graph building changes, so old cache entries are not reused.
BUILD_VERSION = "roads-1"


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


def load_cached(key: str) -> nx.MultiDiGraph | None:
    """The cached graph for ``key``, or None (a damaged entry counts as missing)."""
    path = cache_dir() / f"{key}.pkl"
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            graph = pickle.load(fh)
    except Exception:
        return None
    return graph if isinstance(graph, nx.MultiDiGraph) else None


def store_cached(key: str, graph: nx.MultiDiGraph) -> None:
    """Write ``graph`` under ``key`` atomically; a cache that cannot be written is skipped."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{key}.pkl")
    except OSError:
        return

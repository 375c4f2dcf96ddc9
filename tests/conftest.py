"""Shared fixtures: the reference data directory (never copied into the project)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def reference_data_dir() -> Path:
    """``MAAS_DATA_DIR`` or ``../shared/data`` beside the project; a missing one is an error."""
    path = Path(os.environ.get("MAAS_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        msg = f"reference data not found at {path}: set MAAS_DATA_DIR"
        raise RuntimeError(msg)
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The reference data directory (OSM extracts, DARP and PDPTW instances, GTFS)."""
    return reference_data_dir()


# Road networks, loaded once per session. They are mutable (closures, winter): a test that
# changes one restores it (``net.apply_closures([])``, ``net.set_winter(False)``) before it ends.
@pytest.fixture(scope="session")
def demo_network():  # type: ignore[no-untyped-def]
    """The synthetic demo town (offline)."""
    from maas.roads import load_network

    return load_network("demo")


@pytest.fixture(scope="session")
def toyama_network(data_dir: Path):  # type: ignore[no-untyped-def]
    """The full Toyama extract (about 25k nodes): the large-graph reference."""
    from maas.roads import load_network

    return load_network(data_dir / "osm" / "toyama.osm.bz2")


@pytest.fixture(scope="session")
def bayreuth_network(data_dir: Path):  # type: ignore[no-untyped-def]
    """Villages north of Bayreuth: a rural service area of a depopulated town's size."""
    from maas.roads import load_network

    return load_network(data_dir / "osm" / "north-bayreuth.osm.bz2")

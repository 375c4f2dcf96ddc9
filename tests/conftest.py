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

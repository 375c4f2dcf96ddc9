"""Trip data for the public: origin-destination counts by JIS X 0410 square and hour band,
with small cells merged upward or suppressed.

What is counted: completed rides of a month that carry a rider id (a phone ride without an
account cannot be told apart from another rider's, so it cannot be counted towards k and
is left out; the metadata says how many). Each ride has a key: the square of its origin,
the square of its destination (both at the chosen level, 500 m or 1 km) and the band of
its local boarding hour.

The rule, per *block* (the origin and destination squares one level coarser, and the band):
if every fine cell of the block holds at least ``k`` distinct riders, the fine cells are
published; otherwise the block is published as one coarse cell if it holds at least ``k``
distinct riders; otherwise its rides are suppressed. A ride is therefore in at most one
published cell (no fine cell is ever also inside a published coarse one, so nothing can be
learned by subtracting), and whether a block publishes fine, coarse or nothing depends on
that block's rides only. So removing one rider changes only the blocks of their own rides,
and a cell published both with and without them differs by at most their own rides in it.

Published: month, squares, level, band, rides, people carried. Never: rider ids, dates,
times finer than the band, or the count of distinct riders.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from maas.errors import InvalidInput
from maas.history.day import DayRecord
from maas.history.month import Month
from maas.publish.mesh import MeshLevel, coarser, mesh_code, parent

SCHEMA: Final = "maas.open-data.od-counts"
VERSION: Final = 1
DEFAULT_K: Final = 5
DEFAULT_LICENSE: Final = "CC-BY-4.0"
LICENSE_URLS: Final = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
}


class OpenDataError(InvalidInput):
    """Bad open-data settings (k, band, level, license); the message names the field."""

    code = "bad_open_data"


@dataclass(frozen=True, slots=True)
class Ride:
    """What one completed ride contributes: who (never published), where, when, how many."""

    rider_id: str
    origin_lat: float
    origin_lon: float
    destination_lat: float
    destination_lon: float
    hour: int  # local hour of boarding, 0-23
    people: int


@dataclass(frozen=True, slots=True, order=True)
class CellKey:
    """A published cell: squares of one level and an hour band ``[start, end)``."""

    origin: str
    destination: str
    level: MeshLevel
    band_start: int
    band_end: int

    @property
    def band(self) -> str:
        """``"07-09"``."""
        return f"{self.band_start:02d}-{self.band_end:02d}"


@dataclass(frozen=True, slots=True)
class Cell:
    """Counts of one published cell (``riders`` stays inside: it is never written)."""

    key: CellKey
    rides: int
    people: int
    riders: int


@dataclass(frozen=True)
class ODTable:
    """The publishable cells and what was left out."""

    cells: tuple[Cell, ...]
    k: int
    level: MeshLevel
    band_hours: int
    rides_in: int
    suppressed_rides: int
    rides_without_rider: int

    def by_key(self) -> dict[CellKey, Cell]:
        """Cells by key."""
        return {c.key: c for c in self.cells}


def rides_of(days: Iterable[DayRecord]) -> tuple[list[Ride], int]:
    """Completed rides with a rider id, and how many completed rides had none."""
    out: list[Ride] = []
    without = 0
    for day in days:
        tz = ZoneInfo(day.timezone)
        for b in day.bookings:
            if b.status != "completed" or b.picked_up_at is None:
                continue
            if not b.rider_id:
                without += 1
                continue
            out.append(Ride(b.rider_id, b.origin_lat, b.origin_lon, b.destination_lat,
                            b.destination_lon, b.picked_up_at.astimezone(tz).hour, b.people))
    return out, without


def _check(k: int, band_hours: int, level: MeshLevel) -> MeshLevel:
    if k < 2:
        msg = f"k: {k} must be at least 2 (k = 1 publishes single riders)"
        raise OpenDataError(msg)
    if band_hours < 1 or 24 % band_hours:
        msg = f"band_hours: {band_hours} must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)"
        raise OpenDataError(msg)
    if level not in ("500m", "1km"):
        msg = f"level: {level!r} must be 500m or 1km"
        raise OpenDataError(msg)
    up = coarser(level)
    assert up is not None
    return up


def od_table(rides: Sequence[Ride], *, k: int = DEFAULT_K, level: MeshLevel = "1km",
             band_hours: int = 3, rides_without_rider: int = 0) -> ODTable:
    """The publishable cells of ``rides`` (pure: the same rides give the same table)."""
    up = _check(k, band_hours, level)
    blocks: dict[tuple[str, str, int], dict[tuple[str, str], list[Ride]]] = defaultdict(
        lambda: defaultdict(list))
    for r in rides:
        o, d = mesh_code(r.origin_lat, r.origin_lon, level), \
            mesh_code(r.destination_lat, r.destination_lon, level)
        band = r.hour // band_hours * band_hours
        blocks[(parent(o), parent(d), band)][(o, d)].append(r)
    cells: list[Cell] = []
    suppressed = 0

    def cell(key: CellKey, group: Sequence[Ride]) -> Cell:
        return Cell(key, len(group), sum(r.people for r in group),
                    len({r.rider_id for r in group}))

    for (po, pd, band), fine in blocks.items():
        end = band + band_hours
        fine_cells = [cell(CellKey(o, d, level, band, end), g) for (o, d), g in fine.items()]
        if all(c.riders >= k for c in fine_cells):
            cells.extend(fine_cells)
            continue
        whole = [r for g in fine.values() for r in g]
        coarse = cell(CellKey(po, pd, up, band, end), whole)
        if coarse.riders >= k:
            cells.append(coarse)
        else:
            suppressed += coarse.rides
    return ODTable(tuple(sorted(cells, key=lambda c: c.key)), k, level, band_hours,
                   len(rides), suppressed, rides_without_rider)


DICTIONARY: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("month", "string YYYY-MM", "Month of the service dates counted.",
     "集計対象の運行月"),
    ("origin_mesh", "string (digits)", "JIS X 0410 grid square of the pickup: 9 digits = "
     "500 m (2分の1地域メッシュ), 8 = 1 km (基準地域メッシュ), 6 = 10 km (第2次地域区画).",
     "乗車地の地域メッシュコード"),
    ("destination_mesh", "string (digits)", "JIS X 0410 grid square of the drop-off, "
     "same level as origin_mesh.", "降車地の地域メッシュコード"),
    ("mesh_level", "500m | 1km | 10km", "Level of both squares: cells with fewer than k "
     "distinct riders are merged into the coarser square, or left out.", "メッシュの階層"),
    ("hour_band", "string HH-HH", "Local boarding time band [start, end), e.g. 06-09.",
     "乗車時刻帯"),
    ("rides", "integer", "Completed rides in the cell (延べ利用回数).", "利用回数"),
    ("people", "integer", "People carried on those rides, walking and in wheelchairs "
     "(延べ利用者数).", "利用者数（延べ）"),
)


def write_open_data(table: ODTable, out: Path, *, area: str, month: Month,
                    license_id: str = DEFAULT_LICENSE, attribution: str = "",
                    license_url: str | None = None) -> list[Path]:
    """``od_counts.csv``, ``data_dictionary.csv`` and ``metadata.json`` in ``out``."""
    url = license_url or LICENSE_URLS.get(license_id)
    if url is None:
        msg = (f"license: {license_id!r} has no known URL (known: "
               f"{', '.join(LICENSE_URLS)}): give license_url")
        raise OpenDataError(msg)
    out.mkdir(parents=True, exist_ok=True)
    counts = out / "od_counts.csv"
    with counts.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([name for name, *_ in DICTIONARY])
        for c in table.cells:
            w.writerow([str(month), c.key.origin, c.key.destination, c.key.level, c.key.band,
                        c.rides, c.people])
    dictionary = out / "data_dictionary.csv"
    with dictionary.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["field", "type", "description", "description_ja"])
        w.writerows(DICTIONARY)
    meta = out / "metadata.json"
    meta.write_text(json.dumps(metadata(table, area=area, month=month, license_id=license_id,
                                        license_url=url, attribution=attribution),
                               ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [counts, dictionary, meta]


def metadata(table: ODTable, *, area: str, month: Month, license_id: str, license_url: str,
             attribution: str) -> Mapping[str, object]:
    """The dataset's description: licence, the privacy rule, what was left out."""
    return {
        "schema": SCHEMA, "version": VERSION, "area": area, "month": str(month),
        "license": license_id, "license_url": license_url,
        "attribution": attribution or f"{area} on-demand transport",
        "files": {"od_counts.csv": "origin-destination counts",
                  "data_dictionary.csv": "the fields of od_counts.csv"},
        "privacy": {
            "k": table.k,
            "rule": "every published cell counts at least k distinct riders; a block of "
                    "fine cells with any cell below k is merged into one coarser cell, or "
                    "suppressed if that too is below k; a ride is in at most one cell",
            "mesh_level": table.level, "hour_band_hours": table.band_hours,
            "not_published": ["rider ids", "dates", "times finer than the hour band",
                              "counts of distinct riders"],
        },
        "rides_counted": table.rides_in,
        "rides_published": table.rides_in - table.suppressed_rides,
        "rides_suppressed": table.suppressed_rides,
        "rides_without_rider_id": table.rides_without_rider,
        "cells": len(table.cells),
    }

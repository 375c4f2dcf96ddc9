"""A deterministic synthetic Hokkaido-style rural town (offline demo; says it is synthetic).

Kitanosawa (北の沢, invented) lies in a valley running south-west to north-east near
43.0 N 142.0 E: a national route along the valley floor, a compact centre with a small
street grid (station with a one-way forecourt loop, clinic, supermarket, town hall), a
farm road on the far bank joined by two bridges, side roads up tributary valleys to hamlets
with dead-end spurs, a depot yard, and one mountain pass with switchbacks to a hamlet beyond
the ridge. The pass closes for the winter (``motor_vehicle:conditional=no @ (Nov 15-Apr 30)``,
冬期通行止め); a longer river road round the end of the ridge, continuing the national route,
keeps the hamlet reachable (and the town strongly connected) while it is closed. Ways carry
OSM-style tags and go through the same pipeline as real extracts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from maas.roads.snapping import EARTH_RADIUS_M
from maas.roads.speeds import SpeedProfile
from maas.roads.winter import WinterProfile

if TYPE_CHECKING:
    from maas.roads.loading import Segments

TOWN_NAME = "Kitanosawa (synthetic)"
CENTRE_LAT, CENTRE_LON = 43.0105, 142.0321
AXIS_DEG = 32.0  # valley axis, degrees north of east

_KY = math.pi / 180.0 * EARTH_RADIUS_M
_KX = _KY * math.cos(math.radians(CENTRE_LAT))


def to_lonlat(s: float, d: float) -> tuple[float, float]:
    """(lon, lat) of a point ``s`` m along the valley axis and ``d`` m to its left (north-west)."""
    a = math.radians(AXIS_DEG)
    east = s * math.cos(a) - d * math.sin(a)
    north = s * math.sin(a) + d * math.cos(a)
    return round(CENTRE_LON + east / _KX, 7), round(CENTRE_LAT + north / _KY, 7)


def trunk_lateral(s: float) -> float:
    """The national route meanders on the valley floor, straight through the centre."""
    fade = min(1.0, max(0.0, (abs(s) - 700.0) / 900.0))
    return fade * (140.0 * math.sin(s / 1700.0) + 50.0 * math.sin(s / 530.0 + 1.0))


# (name, romaji, branch s, side (+1 north-west / -1 south-east), length m, bend, highway)
HAMLETS: tuple[tuple[str, str, float, int, float, float, str], ...] = (
    ("奥沢", "Okusawa", -8200.0, 1, 3600.0, 0.35, "unclassified"),
    ("清水", "Shimizu", -5600.0, 1, 2400.0, -0.25, "unclassified"),
    ("東沢", "Higashisawa", -2600.0, 1, 4200.0, 0.2, "tertiary"),
    ("旭", "Asahi", 2600.0, 1, 3000.0, -0.3, "unclassified"),
    ("二股", "Futamata", 4800.0, -1, 5200.0, 0.25, "tertiary"),
    ("中島", "Nakajima", 7400.0, -1, 2000.0, -0.2, "unclassified"),
    ("西の沢", "Nishinosawa", 9800.0, 1, 3800.0, 0.3, "unclassified"),
)

TRUNK_START, TRUNK_END = -10_000.0, 12_000.0
PASS_BRANCH = 10_800.0
GRID_S = (-600.0, -450.0, -300.0, -150.0, 0.0, 150.0, 300.0, 450.0, 600.0)
GRID_L = (-300.0, -150.0, 0.0, 150.0, 300.0)
FARM_FROM, FARM_TO, FARM_L = -7000.0, -1400.0, -750.0
#: The pass's seasonal closure, as Hokkaido road administrators announce it.
PASS_WINTER_CLOSURE = "no @ (Nov 15-Apr 30)"


class _Builder:
    """Collects OSM-style nodes and ways; equal (s, d) points share one node."""

    def __init__(self) -> None:
        self.coords: dict[int, tuple[float, float]] = {}
        self._ids: dict[tuple[float, float], int] = {}
        self.ways: list[tuple[int, list[int], dict[str, str]]] = []

    def node(self, s: float, d: float) -> int:
        key = (round(s, 1), round(d, 1))
        if key not in self._ids:
            nid = 9_000_000_001 + len(self._ids)
            self._ids[key] = nid
            self.coords[nid] = to_lonlat(s, d)
        return self._ids[key]

    def way(self, points: list[tuple[float, float]], **tags: str) -> list[int]:
        ids = [self.node(s, d) for s, d in points]
        self.ways.append((8_000_000_001 + len(self.ways), ids, dict(tags)))
        return ids


def _trunk(b: _Builder) -> None:
    stops = {
        round(TRUNK_START + 250.0 * i, 1) for i in range(int((TRUNK_END - TRUNK_START) / 250) + 1)
    }
    stops |= {h[2] for h in HAMLETS} | set(GRID_S) | {FARM_FROM, FARM_TO, PASS_BRANCH, 1500.0}
    ordered = sorted(stops)
    pieces: list[list[float]] = [[]]
    for s in ordered:
        pieces[-1].append(s)
        if s in (-900.0, 900.0):  # speed limit changes at the edge of the centre
            pieces.append([s])
    for piece in pieces:
        central = all(abs(s) <= 900.0 for s in piece)
        b.way(
            [(s, trunk_lateral(s)) for s in piece],
            highway="trunk",
            ref="452",
            name="国道452号",
            maxspeed="40" if central else "60",
        )


def _centre(b: _Builder) -> None:
    names = {-300.0: "南二条通", -150.0: "南一条通", 150.0: "北一条通", 300.0: "北二条通"}
    for lat in GRID_L:
        if lat == 0.0:
            continue
        b.way([(s, lat) for s in GRID_S], highway="residential", name=names[lat])
    for i, s in enumerate(GRID_S):
        b.way([(s, lat) for lat in GRID_L], highway="residential", name=f"{i + 1}丁目通")
    # station road and the one-way forecourt loop in front of the station
    b.way([(0.0, 300.0), (0.0, 380.0)], highway="tertiary", name="駅前通")
    b.way(
        [(0.0, 380.0), (40.0, 400.0), (0.0, 430.0), (-40.0, 400.0), (0.0, 380.0)],
        highway="service",
        oneway="yes",
        name="駅前ロータリー",
    )
    # depot yard beside the national route
    b.way(
        [(1500.0, trunk_lateral(1500.0)), (1500.0, -120.0), (1560.0, -160.0)],
        highway="service",
        name="車庫",
    )


def _farm_road(b: _Builder) -> None:
    pts = [(FARM_FROM, trunk_lateral(FARM_FROM)), (FARM_FROM + 250.0, -400.0)]
    s = FARM_FROM + 500.0
    while s < FARM_TO - 400.0:
        pts.append((s, FARM_L + 60.0 * math.sin(s / 800.0)))
        s += 300.0
    pts += [(FARM_TO - 250.0, -400.0), (FARM_TO, trunk_lateral(FARM_TO))]
    b.way(pts[:2], highway="unclassified", name="上流橋", bridge="yes")
    b.way(pts[1:-1], highway="unclassified", name="川向農道")
    b.way(pts[-2:], highway="unclassified", name="下流橋", bridge="yes")


def _hamlets(b: _Builder) -> dict[str, tuple[float, float]]:
    ends: dict[str, tuple[float, float]] = {}
    for name, romaji, s0, side, length, bend, highway in HAMLETS:
        l0 = trunk_lateral(s0)
        pts = [(s0, l0)]
        steps = max(4, int(length / 200.0))
        for i in range(1, steps + 1):
            t = i / steps
            pts.append(
                (s0 + bend * length * t * t + 80.0 * math.sin(7.0 * t), l0 + side * length * t)
            )
        b.way(pts, highway=highway, name=f"{name}線")
        se, le = pts[-1]
        # farmsteads: short dead-end spurs off the last stretch, and one loop lane
        for j, frac in enumerate((0.55, 0.75, 0.9)):
            sp, lp = pts[int(frac * steps)]
            dirn = 1 if j % 2 == 0 else -1
            b.way(
                [
                    (sp, lp),
                    (sp + dirn * 180.0, lp + side * 40.0),
                    (sp + dirn * 320.0, lp + side * 30.0),
                ],
                highway="service" if j else "residential",
            )
        ends[romaji] = to_lonlat(se, le)[::-1]
        a, c = pts[-3], pts[-1]
        b.way(
            [a, (a[0] + 150.0, a[1] + side * 90.0), (c[0] + 150.0, c[1] - side * 10.0), c],
            highway="residential",
            name=f"{name}団地",
        )
    return ends


def _mountain_pass(b: _Builder) -> tuple[float, float]:
    s, d = PASS_BRANCH, trunk_lateral(PASS_BRANCH)
    pts = [(s, d), (s + 150.0, d - 300.0)]
    s, d = pts[-1]
    # switchbacks up the slope
    for i in range(6):
        s += 350.0 if i % 2 == 0 else -300.0
        d -= 120.0
        pts.append((s, d))
        pts.append((s + (40.0 if i % 2 == 0 else -40.0), d - 60.0))
        d -= 60.0
    # over the ridge and down to the hamlet beyond
    for _ in range(8):
        s += 250.0
        d -= 280.0
        pts.append((s, d))
    b.way(
        pts,
        highway="secondary",
        name="道道鹿越峠線",
        maxspeed="40",
        **{"motor_vehicle:conditional": PASS_WINTER_CLOSURE},
    )
    end = pts[-1]
    # the year-round way round: the river road from the end of the national route
    start = (TRUNK_END, trunk_lateral(TRUNK_END))
    b.way(
        [
            start,
            (13000.0, 200.0),
            (14200.0, 100.0),
            (15300.0, -400.0),
            (16000.0, -1300.0),
            (16100.0, -2400.0),
            (15600.0, -3300.0),
            (14800.0, -3900.0),
            (13900.0, -3900.0),
            end,
        ],
        highway="tertiary",
        name="道道鹿越川線",
    )
    b.way(
        [end, (end[0] + 200.0, end[1] - 60.0), (end[0] + 380.0, end[1] + 20.0)],
        highway="residential",
        name="峠下",
    )
    return to_lonlat(*end)[::-1]


def build_ways() -> tuple[
    dict[int, tuple[float, float]],
    list[tuple[int, list[int], dict[str, str]]],
    dict[str, tuple[float, float]],
]:
    """Node coordinates, ways and hamlet positions of the town (same output every call)."""
    b = _Builder()
    _trunk(b)
    _centre(b)
    _farm_road(b)
    hamlets = _hamlets(b)
    hamlets["Togeshita"] = _mountain_pass(b)
    return b.coords, b.ways, hamlets


def places() -> dict[str, tuple[float, float]]:
    """Named places of the centre as ``{name: (lat, lon)}`` (buildings just off the road)."""
    spots = {
        "station": (0.0, 445.0),
        "clinic": (-420.0, -205.0),
        "supermarket": (415.0, 40.0),
        "town_hall": (-120.0, 175.0),
        "depot": (1560.0, -180.0),
    }
    return {name: to_lonlat(s, d)[::-1] for name, (s, d) in spots.items()}


def graph_attributes() -> dict[str, Any]:
    """Graph-level attributes marking the town as synthetic and naming its places."""
    _, _, hamlets = build_ways()
    return {
        "synthetic": True,
        "name": TOWN_NAME,
        "places": places(),
        "hamlets": hamlets,
    }


def segments(speeds: SpeedProfile, winter: WinterProfile) -> Segments:
    """The town's directed road segments (input of the common pipeline)."""
    from maas.roads.loading import RawWay, segment_ways

    coords, ways, _ = build_ways()
    raw = [RawWay(wid, refs, [coords[r] for r in refs], tags) for wid, refs, tags in ways]
    return segment_ways(raw, speeds, winter)

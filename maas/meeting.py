"""Meeting points on the road network and the places a rider may be met at.

``place_meeting_points`` snaps a service file's meeting points (listed, and the GTFS stops
it names) onto the network once; ``MeetingPoints.options`` then answers, for one end of one
ride, where a van may meet the rider: the door (door-to-door riders, and riders with no
point in reach when the policy says so), or up to ``policy.candidates`` nearest points
within the day's walk limit, each with the walk in metres and seconds. The dispatcher picks
among those (``solver.dispatch.search``); the API and the simulator both ask here, so one
policy decides for both.

Walks are measured as the crow flies on a local plane (a town is small enough): a road-graph
walk would need a walking network the engine does not load.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from maas.domain import Location
from maas.errors import InvalidInput, OffNetworkError
from maas.service.definition import ServiceDefinition
from maas.service.meeting import MeetingPointSpec, MeetingPolicy

Snap = Callable[[float, float], Location]


@dataclass(frozen=True, slots=True)
class Walk:
    """A place a van may meet a rider: where it stops (``location``), how far the rider
    walks there from the asked point (``walk_m``; at ``walk_s`` seconds), and which meeting
    point it is (``point_id`` None: the rider's own door)."""

    location: Location
    walk_m: int = 0
    walk_s: int = 0
    point_id: str | None = None
    name: str = ""
    lat: float | None = None  # the point as listed (the van stops at ``location``)
    lon: float | None = None

    @property
    def at_door(self) -> bool:
        """Whether this is the rider's own door (no meeting point)."""
        return self.point_id is None


@dataclass(frozen=True, slots=True)
class MeetingPoint:
    """A meeting point placed on the network."""

    id: str
    name: str
    lat: float
    lon: float
    location: Location


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A meeting point the network refused (too far from a drivable road), and why."""

    id: str
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class OutOfReach:
    """No meeting point within the walk limit of the asked point (``nearest_m``: the walk
    to the nearest one, None when the service has none)."""

    limit_m: float
    nearest_m: int | None
    nearest_name: str | None


class MeetingPoints:
    """The placed meeting points of one service and its policy (immutable after building)."""

    def __init__(self, policy: MeetingPolicy, points: Sequence[MeetingPoint],
                 unplaced: Sequence[Unplaced] = ()) -> None:
        self.policy = policy
        self.points = tuple(points)
        self.unplaced = tuple(unplaced)
        if policy.uses_points and not self.points:
            msg = ("meeting_points: no meeting point could be placed on the road network"
                   + (f" ({self.unplaced[0].name}: {self.unplaced[0].reason})"
                      if self.unplaced else ""))
            raise InvalidInput(msg)
        self._lat0 = float(np.mean([p.lat for p in points])) if points else 0.0
        self._tree = cKDTree(np.array([self._xy(p.lat, p.lon) for p in points])) \
            if points else None

    def _xy(self, lat: float, lon: float) -> tuple[float, float]:
        return lon * 111_320 * math.cos(math.radians(self._lat0)), lat * 110_540

    def nearest(self, lat: float, lon: float, limit_m: float, k: int
                ) -> list[tuple[MeetingPoint, float]]:
        """Up to ``k`` points within ``limit_m`` of ``(lat, lon)``, nearest first."""
        if self._tree is None:
            return []
        count = min(k, len(self.points))
        dist, index = self._tree.query(self._xy(lat, lon), k=count,
                                       distance_upper_bound=limit_m)
        dists, idx = np.atleast_1d(dist), np.atleast_1d(index)
        return [(self.points[int(i)], float(d)) for d, i in zip(dists, idx, strict=True)
                if np.isfinite(d)]

    def options(self, lat: float, lon: float, door: Location, day: dt.date,
                flags: Iterable[str]) -> tuple[Walk, ...] | OutOfReach:
        """Where a rider asking at ``(lat, lon)`` (snapped: ``door``) holding ``flags`` may
        be met on ``day``: the door alone, the nearest points in reach, or ``OutOfReach``
        when none is in reach and the policy refuses such rides."""
        policy = self.policy
        if policy.door_to_door_for(flags):
            return (Walk(door),)
        limit = policy.walk_limit(day)
        found = self.nearest(lat, lon, limit, policy.candidates)
        if found:
            return tuple(Walk(p.location, round(m), policy.walk_seconds(m, day), p.id, p.name,
                              p.lat, p.lon) for p, m in found)
        if policy.out_of_reach == "door_to_door":
            return (Walk(door),)
        near = self.nearest(lat, lon, math.inf, 1)
        return OutOfReach(limit, round(near[0][1]) if near else None,
                          near[0][0].name if near else None)


def place_meeting_points(policy: MeetingPolicy, snap: Snap,
                         gtfs: Sequence[tuple[str, str, float, float]] = ()) -> MeetingPoints:
    """Snap the policy's listed points and the GTFS stops ``(stop_id, name, lat, lon)`` (the
    caller reads them from the feed: ``maas.transit``) onto the network; points the network
    refuses are kept in ``unplaced``, never silently dropped."""
    placed: list[MeetingPoint] = []
    off: list[Unplaced] = []
    for p in listed_points(policy, gtfs):
        try:
            placed.append(MeetingPoint(p.id, p.name, p.lat, p.lon, snap(p.lat, p.lon)))
        except OffNetworkError as exc:
            off.append(Unplaced(p.id, p.name, str(exc)))
    return MeetingPoints(policy, placed, off)


def listed_points(policy: MeetingPolicy, gtfs: Sequence[tuple[str, str, float, float]] = ()
                  ) -> list[MeetingPointSpec]:
    """The policy's listed points, then the GTFS stops ``(stop_id, name, lat, lon)`` as points
    ``gtfs-{stop_id}`` (a listed point of that id wins), as the service file gives them."""
    listed = list(policy.points)
    seen = {p.id for p in listed}
    return [*listed, *(MeetingPointSpec(f"gtfs-{s}", n, la, lo) for s, n, la, lo in gtfs
                       if f"gtfs-{s}" not in seen)]


def service_point_specs(svc: ServiceDefinition) -> list[MeetingPointSpec]:
    """Every meeting point of a service file (listed, and the GTFS stops it names), not
    placed on a network: what a published feed lists."""
    return listed_points(svc.meeting, _gtfs_stops(svc))


def _gtfs_stops(svc: ServiceDefinition) -> list[tuple[str, str, float, float]]:
    policy = svc.meeting
    if not (policy.from_gtfs or policy.gtfs_stops):
        return []
    from maas.transit import load_service_feed

    feed = load_service_feed(svc)
    assert feed is not None  # the service file checks a transit section exists
    wanted = list(feed.stops) if policy.from_gtfs else list(policy.gtfs_stops)
    feed.check_stops(wanted, f"{svc.origin}: meeting_points.gtfs_stops")
    return [(s, feed.stops[s].name, feed.stops[s].lat, feed.stops[s].lon) for s in wanted]


def service_meeting_points(svc: ServiceDefinition, snap: Snap) -> MeetingPoints:
    """The meeting points of a service file on the network ``snap`` places points on; the
    GTFS stops it names come from its ``transit.feed`` (read with ``maas.transit``)."""
    return place_meeting_points(svc.meeting, snap, _gtfs_stops(svc))

"""Stops placed on the road network: candidate meeting points and transfer points.

The snap is a callable (``RoadNetwork.snap`` or a cached one) so that this module needs no
network type; a stop it refuses (too far from a drivable road) is reported, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from maas.domain import Location
from maas.errors import InvalidInput, OffNetworkError
from maas.transit.feed import TransitFeed, TransitStop

Snap = Callable[[float, float], Location]


@dataclass(frozen=True, slots=True)
class OffNetworkStop:
    """A stop the snap refused, and why (its distance to the road when known)."""

    stop: TransitStop
    reason: str
    distance_m: float | None = None


@dataclass(frozen=True)
class SnappedStops:
    """Stops on the network (``locations`` by stop id), which are transfer points, and the
    stops off it."""

    stops: Mapping[str, TransitStop]
    locations: Mapping[str, Location]
    transfer_stops: frozenset[str]
    off_network: tuple[OffNetworkStop, ...]

    def meeting_points(self) -> list[tuple[TransitStop, Location]]:
        """Every placed stop with its location, in feed order."""
        return [(self.stops[s], loc) for s, loc in self.locations.items()]

    def transfer_points(self) -> list[tuple[TransitStop, Location]]:
        """The placed transfer stops with their locations."""
        return [(self.stops[s], loc) for s, loc in self.locations.items()
                if s in self.transfer_stops]


def snap_stops(feed: TransitFeed, snap: Snap, transfer_stops: Iterable[str] = (),
               *, only: Iterable[str] | None = None) -> SnappedStops:
    """Place the feed's stops (or ``only`` those) with ``snap``; ``transfer_stops`` must be
    stops of the feed (``TransitError`` naming the missing ones)."""
    transfers = tuple(transfer_stops)
    feed.check_stops(transfers, "transit.transfer_stops")
    wanted = list(feed.stops) if only is None else list(only)
    feed.check_stops(wanted, "stops")
    locations: dict[str, Location] = {}
    off: list[OffNetworkStop] = []
    for stop_id in wanted:
        stop = feed.stops[stop_id]
        try:
            loc = snap(stop.lat, stop.lon)
        except OffNetworkError as exc:
            off.append(OffNetworkStop(stop, str(exc), exc.distance_m))
            continue
        except InvalidInput as exc:
            off.append(OffNetworkStop(stop, str(exc)))
            continue
        locations[stop_id] = loc
    return SnappedStops({s: feed.stops[s] for s in wanted}, locations, frozenset(transfers),
                        tuple(off))


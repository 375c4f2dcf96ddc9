"""Public transport in: a GTFS-JP (or plain GTFS) feed read with ``gtfs-kit``.

- ``feed``: ``load_feed(path)`` -> ``TransitFeed`` (stops with their names, the timetable);
- ``timetable``: ``Timetable.departures(stop_id, date, after=None)`` by service date
  (``calendar.txt`` and ``calendar_dates.txt``);
- ``stops``: ``snap_stops`` places stops on a road network through a snap callable and
  reports the stops it cannot place.
"""

from maas.transit.feed import TransitError, TransitFeed, TransitStop, load_feed, load_service_feed
from maas.transit.stops import OffNetworkStop, SnappedStops, snap_stops
from maas.transit.timetable import Departure, Timetable

__all__ = [
    "Departure",
    "OffNetworkStop",
    "SnappedStops",
    "Timetable",
    "TransitError",
    "TransitFeed",
    "TransitStop",
    "load_feed",
    "load_service_feed",
    "snap_stops",
]

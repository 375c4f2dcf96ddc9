"""Snapping of request coordinates onto the road network, remembered per worker.

Riders ask again and again from the same places (home, the station, the clinic), and a snap
(a spatial-index query and a projection) costs more than looking it up. Handing back the
same ``Location`` object also lets the road network's own caches, which know locations by
identity, hit. Derived data only: keyed by the network's ``version``, which bumps whenever
closures or the season change which roads are open, so a snap never outlives the roads it
was made on; a failed snap (off the network) is not remembered.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from maas.domain import Location

if TYPE_CHECKING:
    from maas.roads import RoadNetwork


class SnapCache:
    """``network.snap`` with a bounded least-recently-used memory of exact coordinates."""

    def __init__(self, network: RoadNetwork, max_entries: int = 8192) -> None:
        self.network = network
        self.max_entries = max_entries
        self._version: int | None = None
        self._entries: OrderedDict[tuple[float, float], Location] = OrderedDict()

    def snap(self, lat: float, lon: float) -> Location:
        """The network's snap of ``(lat, lon)``; raises what ``network.snap`` raises."""
        version = self.network.version
        if version != self._version:
            self._entries.clear()
            self._version = version
        key = (lat, lon)
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        location: Location = self.network.snap(lat, lon)
        self._entries[key] = location
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return location

"""Road networks: real OSM towns (and a synthetic demo town) as routable graphs.

The API the rest of the engine codes against::

    from maas.roads import load_network, RoadNetwork, Closure, SpeedProfile, WinterProfile

    net = load_network("demo" | path | "place:NAME",
                       polygon=None | "area.geojson" | (min_lon, min_lat, max_lon, max_lat),
                       winter=False | True | datetime.date, speeds=None, cache=True)
    net.graph            # nx.MultiDiGraph; edges: "length" (m), "travel_time" (s, float,
                         # inf while closed), "geometry" (lon/lat LineString)
    net.synthetic        # True for the demo town; net.source: str
    net.info()           # {"nodes", "edges", "km", "bbox", "source", "synthetic", "winter",
                         #  "seasonal_closed_km"}
    net.version          # bumps on every change of travel times (closures, winter)
    net.snap(lat, lon, max_distance_m=500.0) -> Location    # nearest point of the nearest
                         # open drivable edge; OffNetworkError names the point and distance
    net.snap_many([(lat, lon), ...]) -> list[Location]       # one spatial-index query
    net.durations(origins, destinations) -> int64 seconds    # TravelTimeSource protocol
    net.distances(origins, destinations) -> int64 metres along the fastest path
    net.path(a, b) -> [(lat, lon), ...]                      # polyline of the fastest path
    net.apply_closures([Closure(id, geometry=..., edges=...)]) -> set of changed (u, v, key)
                         # sets the ACTIVE closure set (others reopen); idempotent
    net.set_winter(True | False | datetime.date)             # switch the winter profile
    net.random_locations(n, seed) -> list[Location]          # seeded points on open roads

A ``Location`` lies on a directed edge ``(u, v, key)`` at ``offset`` (fraction from ``u``).
Travel between locations is exact: leave through the rest of the edge (or back along the
reverse edge of a two-way road), arrive likewise; pairs on one road may drive straight along
it. Float seconds are summed and rounded once, so node-to-node values equal networkx's
Dijkstra rounded. A pair that closures cut apart gets ``UNREACHABLE``.

Seasonal closures (冬期通行止め): ways tagged closed for part of the year
(``motor_vehicle:conditional=no @ (Dec-Mar)``, ``access:conditional=no @ (Nov 15-Apr 30)``,
``seasonal=summer``; the exact list is in ``maas.roads.winter``) close with the winter
profile: ``winter=True`` closes every one that touches the winter months, a date closes
those whose days contain it (speeds follow the profile's months separately). They add to
the operator's ``apply_closures`` (an edge is open only when neither closes it; the
changed set ``apply_closures`` returns leaves out edges the season already closes), bump
``version`` when they change anything and only ever remove roads, so no trip gets faster.
The demo town's pass closes Nov 15-Apr 30; a longer river road keeps the hamlet beyond it
(Togeshita) reachable. ``maas graph info SOURCE --winter`` (or ``--date YYYY-MM-DD``)
reports the km closed for the season.

The demo town (``load_network("demo")``) has ``graph.graph["places"]`` =
``{"station" | "clinic" | "supermarket" | "town_hall" | "depot": (lat, lon)}`` and
``graph.graph["hamlets"]`` (hamlet name -> (lat, lon)); ``graph.graph["synthetic"]`` is True.
"""

from maas.roads.closures import Closure
from maas.roads.loading import load_network
from maas.roads.matrix import UNREACHABLE
from maas.roads.network import RoadNetwork
from maas.roads.speeds import SpeedProfile
from maas.roads.winter import WinterProfile

__all__ = [
    "UNREACHABLE",
    "Closure",
    "RoadNetwork",
    "SpeedProfile",
    "WinterProfile",
    "load_network",
]

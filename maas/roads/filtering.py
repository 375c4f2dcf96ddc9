"""Which OSM ways a van may drive, and in which direction.

A van (Hiace class) uses public roads from motorways down to residential streets and
ordinary service roads. Tracks, paths, footways, cycleways, bus-only ways, roads under
construction, parking aisles, driveways and private or closed ways are left out.
"""

from __future__ import annotations

from collections.abc import Mapping

#: ``highway`` values a van may use.
DRIVABLE_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
    }
)

#: ``service=*`` sub-kinds of ``highway=service`` a van does not drive through.
EXCLUDED_SERVICE: frozenset[str] = frozenset(
    {"parking_aisle", "driveway", "drive-through", "emergency_access", "private", "alley"}
)

#: ``access``-style values that forbid a van.
_FORBIDDEN = frozenset({"no", "private", "agricultural", "forestry", "delivery", "emergency"})
#: Values of a more specific tag that re-allow a van where ``access`` forbids it.
_ALLOWED = frozenset({"yes", "designated", "permissive", "destination", "customers"})


def is_drivable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these OSM tags is open to a passenger van."""
    highway = tags.get("highway")
    if highway not in DRIVABLE_HIGHWAYS:
        return False
    if tags.get("area") == "yes":
        return False
    if highway == "service" and tags.get("service") in EXCLUDED_SERVICE:
        return False
    # The most specific tag that is present decides: motorcar > motor_vehicle > vehicle > access.
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        value = tags.get(key)
        if value is None:
            continue
        value = value.split(";")[0].strip()
        if value in _FORBIDDEN:
            return False
        if value in _ALLOWED:
            return True
    return True


def oneway_direction(tags: Mapping[str, str]) -> int:
    """Driving direction along the way's node order: 1 forward only, -1 backward only, 0 both."""
    value = (tags.get("oneway") or "").strip().lower()
    if value in {"yes", "true", "1"}:
        return 1
    if value in {"-1", "reverse"}:
        return -1
    if value in {"no", "false", "0", "reversible", "alternating"}:
        return 0
    if tags.get("junction") in {"roundabout", "circular"}:
        return 1
    if tags.get("highway") == "motorway":
        return 1
    return 0

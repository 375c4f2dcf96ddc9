"""Which OSM ways a van may drive, and in which direction.

A van (Hiace class) uses public roads from motorways down to residential streets and
ordinary service roads. Tracks, paths, footways, cycleways, bus-only ways, roads under
construction, parking aisles, driveways and private or closed ways are left out. A way
closed only for part of the year (a pass closed in winter) is kept; ``closed_days`` says
when it is closed (see ``maas.roads.winter`` for the tags read).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from maas.roads.winter import (
    DAYS_IN_YEAR,
    WINTER_MONTHS,
    condition_days,
    month_days,
    parse_conditional,
)

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
#: Access keys from the most specific (a van is a motorcar) to the most general.
ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")
_CONDITIONAL_KEYS = tuple(f"{key}:conditional" for key in ACCESS_KEYS)
_SEASONS = frozenset({"spring", "summer", "autumn", "fall", "winter"})


def _decision(value: str | None) -> int:
    """-1 forbids a van, 1 allows it, 0 leaves the decision to a more general key."""
    if value is None:
        return 0
    value = value.split(";")[0].strip().lower()
    return -1 if value in _FORBIDDEN else 1 if value in _ALLOWED else 0


def is_drivable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these OSM tags is open to a passenger van."""
    highway = tags.get("highway")
    if highway not in DRIVABLE_HIGHWAYS:
        return False
    if tags.get("area") == "yes":
        return False
    if highway == "service" and tags.get("service") in EXCLUDED_SERVICE:
        return False
    if any(key in tags for key in _CONDITIONAL_KEYS) or "seasonal" in tags:
        return not closed_days(tags).all()
    # The most specific tag that is present decides: motorcar > motor_vehicle > vehicle > access.
    for key in ACCESS_KEYS:
        decision = _decision(tags.get(key))
        if decision:
            return decision > 0
    return True


def closed_days(
    tags: Mapping[str, str], winter_months: Iterable[int] = WINTER_MONTHS
) -> np.ndarray:
    """Which days of the (leap) year the access tags close a way to a van (366 booleans).

    Each access key's plain value holds all year; its ``:conditional`` date rules override
    it on their days (the last matching rule wins); on each day the most specific key that
    decides wins. ``seasonal=summer`` closes the way in ``winter_months``. Rules whose
    condition is not a date are ignored.
    """
    decided = np.zeros(DAYS_IN_YEAR, dtype=np.int8)
    for key in ACCESS_KEYS:
        state = np.full(DAYS_IN_YEAR, _decision(tags.get(key)), dtype=np.int8)
        for value, condition in parse_conditional(tags.get(f"{key}:conditional", "")):
            days = condition_days(condition, winter_months)
            decision = _decision(value)
            if days is not None and decision:
                state[days] = decision
        decided = np.where(decided == 0, state, decided)
    closed = decided < 0
    seasons = {s.strip().lower() for s in tags.get("seasonal", "").split(";")}
    if seasons and seasons <= _SEASONS and "winter" not in seasons:
        closed |= month_days(winter_months)  # exists only outside winter
    return closed


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

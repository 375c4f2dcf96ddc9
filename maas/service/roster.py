"""The fleet roster: which vans drive on a date, with which shift and break.

Each van has a weekly pattern (a shift per weekday, or none); per-date overrides take a van
off (garage, inspection) or give it another shift. Shifts and breaks are wall seconds from
the local midnight of the service date (a shift may pass 24:00); ``vehicles_for`` turns them
into the engine's day-seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from maas.domain import Break, Location, TimeWindow, Vehicle, VehicleType
from maas.service.clock import wall_to_day_seconds

Snap = Callable[[float, float], Location]  # (lat, lon) -> a point on the road network


@dataclass(frozen=True, slots=True)
class Point:
    """A point in degrees."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class BreakSpec:
    """A driver break of ``duration`` seconds that must start between ``earliest`` and
    ``latest`` (wall seconds)."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True, slots=True)
class ShiftSpec:
    """A shift from ``start`` to ``end`` (wall seconds), with an optional break."""

    start: int
    end: int
    break_: BreakSpec | None = None


@dataclass(frozen=True, slots=True)
class CargoSpec:
    """A van's cargo space for parcels: ``kg`` payload and ``litres`` volume, plus
    ``folded_seats`` seats folded away for the day, each giving ``litres_per_seat``."""

    kg: int
    litres: int
    folded_seats: int = 0
    litres_per_seat: int = 0

    def van_type(self, name: str, seats: int, wheelchair_places: int) -> VehicleType:
        """The engine's van type: folded seats are cargo litres, no longer seats."""
        return VehicleType(name=name, seats=seats - self.folded_seats,
                           wheelchair_places=wheelchair_places, cargo_kg=self.kg,
                           cargo_litres=self.litres + self.folded_seats * self.litres_per_seat)


@dataclass(frozen=True, slots=True)
class VanSpec:
    """One van of the fleet. ``week`` maps weekday (0 = Monday) to its shift; a missing
    weekday is a day off. ``depot`` is resolved at load time (own, else the fleet's)."""

    id: str
    name: str
    seats: int
    wheelchair_places: int
    depot: Point
    week: Mapping[int, ShiftSpec]
    model: str = "van"
    cargo: CargoSpec | None = None


@dataclass(frozen=True, slots=True)
class RosterOverride:
    """On ``first``..``last`` (inclusive), van ``van`` is off (``shift`` None) or works
    ``shift`` instead of its weekly one."""

    van: str
    first: date
    last: date
    shift: ShiftSpec | None
    reason: str = ""

    def covers(self, d: date) -> bool:
        """Whether this override applies on ``d``."""
        return self.first <= d <= self.last


@dataclass(frozen=True, slots=True)
class Fleet:
    """The vans and the per-date overrides (later overrides win)."""

    vans: tuple[VanSpec, ...]
    overrides: tuple[RosterOverride, ...] = ()

    def shift_on(self, van: VanSpec, d: date) -> ShiftSpec | None:
        """The shift ``van`` works on ``d`` (None: not rostered)."""
        shift = van.week.get(d.weekday())
        for o in self.overrides:
            if o.van == van.id and o.covers(d):
                shift = o.shift
        return shift

    def rostered(self, d: date) -> tuple[tuple[VanSpec, ShiftSpec], ...]:
        """Vans with a shift on ``d``, in fleet order."""
        out = []
        for van in self.vans:
            shift = self.shift_on(van, d)
            if shift is not None:
                out.append((van, shift))
        return tuple(out)


def vehicles_for(
    fleet: Fleet, tz: ZoneInfo, d: date, snap: Snap, operating: bool = True
) -> tuple[Vehicle, ...]:
    """Engine vans rostered on ``d``: shifts and breaks in day-seconds, depots snapped.

    A day the service does not run has no vans (``operating`` False).
    """
    if not operating:
        return ()

    def sec(clock_s: int) -> int:
        return wall_to_day_seconds(tz, d, clock_s)

    vehicles = []
    depots: dict[Point, Location] = {}  # one snap per depot point
    for van, shift in fleet.rostered(d):
        if van.depot not in depots:
            depots[van.depot] = snap(van.depot.lat, van.depot.lon)
        brk = None
        if shift.break_ is not None:
            b = shift.break_
            brk = Break(TimeWindow(sec(b.earliest), sec(b.latest)), b.duration)
        vehicles.append(Vehicle(
            id=van.id,
            type=(VehicleType(name=van.model, seats=van.seats,
                              wheelchair_places=van.wheelchair_places) if van.cargo is None
                  else van.cargo.van_type(van.model, van.seats, van.wheelchair_places)),
            depot=depots[van.depot],
            shift=TimeWindow(sec(shift.start), sec(shift.end)),
            break_=brk,
        ))
    return tuple(vehicles)

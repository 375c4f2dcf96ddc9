"""What a simulated day leaves behind: one record per trip, per van leg and per stop visit.

The simulator writes these; KPIs, ``trips.csv``, the report and the map only read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from maas.domain import Location, Request
from solver.dispatch.connections import Connection


class TripStatus(StrEnum):
    """How a request ended (the four add up to all requests)."""

    SERVED = "served"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


@dataclass(slots=True)
class TripRecord:
    """One request from ask to drop-off (mutable while the day runs, read-only after)."""

    request_id: str
    purpose: str
    prebooked: bool
    passengers: int
    wheelchairs: int
    origin: Location
    destination: Location
    requested_at: int
    desired_pickup: int
    direct_seconds: int
    direct_metres: int
    status: TripStatus = TripStatus.REJECTED
    reject_reason: str | None = None
    vehicle_id: str | None = None
    booking: Request | None = None  # the committed request carrying the promise
    pickup_at: int | None = None  # boarding starts
    boarded_at: int | None = None  # boarding ends: the ride starts
    dropoff_at: int | None = None  # alighting starts: the ride ends
    picked_by: str | None = None  # the van that boarded the rider
    ride_metres: int = 0
    walk_metres: int = 0  # from home to the meeting point (stop-based service)
    shared: bool = False
    connect: Connection | None = None  # the train this ride catches or meets
    train_delay_s: int = 0  # how late the train this ride meets came in
    missed_train: bool = False  # the van left before the late train's rider was there

    @property
    def connection_made(self) -> bool | None:
        """For a ride to a departure: the rider was off the van (alighting done) by the
        departure, so caught the train (None for other rides)."""
        c = self.connect
        if c is None or c.kind != "departure":
            return None
        alight = self.booking.alight if self.booking is not None else 0
        return self.dropoff_at is not None and self.dropoff_at + alight <= c.at

    @property
    def connection_buffer_kept(self) -> bool | None:
        """For a ride to a departure: dropped off by departure - buffer, as planned."""
        c = self.connect
        if c is None or c.kind != "departure":
            return None
        return self.dropoff_at is not None and self.dropoff_at <= c.at - c.buffer

    @property
    def ride_seconds(self) -> int | None:
        """Time on board, from the end of boarding to the start of alighting."""
        if self.boarded_at is None or self.dropoff_at is None:
            return None
        return self.dropoff_at - self.boarded_at

    @property
    def wait_seconds(self) -> int | None:
        """How long after the wished time the van started boarding the rider."""
        if self.pickup_at is None:
            return None
        return max(0, self.pickup_at - self.desired_pickup)

    @property
    def promise_kept(self) -> bool | None:
        """Whether pickup, drop-off and ride time stayed inside the promise (served only)."""
        if self.status is not TripStatus.SERVED or self.booking is None:
            return None
        ride = self.ride_seconds
        assert self.pickup_at is not None and self.dropoff_at is not None and ride is not None
        b = self.booking
        return (
            b.pickup.contains(self.pickup_at)
            and self.dropoff_at <= b.dropoff.latest
            and ride <= b.max_ride
        )


@dataclass(frozen=True, slots=True)
class Leg:
    """A van driving from one place to the next, with ``load`` riders (places) on board."""

    vehicle_id: str
    depart: int
    arrive: int
    origin: Location
    destination: Location
    metres: int
    load: int
    riders: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StopVisit:
    """A van at a stop: ``kind`` is pickup, dropoff, no_show or depot."""

    vehicle_id: str
    request_id: str
    kind: str
    arrive: int
    start: int
    end: int
    location: Location


class ParcelStatus(StrEnum):
    """What became of a parcel by the end of the day."""

    DELIVERED = "delivered"
    RETURNED = "returned"
    UNDELIVERED = "undelivered"  # still waiting, or on a van at closing
    REFUSED = "refused"


@dataclass(slots=True)
class ParcelRecord:
    """A parcel's day."""

    id: str
    source: str
    kg: int
    litres: int
    handed_in_at: int
    deliver_by: int | None = None
    status: ParcelStatus = ParcelStatus.UNDELIVERED
    refuse_reason: str | None = None
    picked_up_at: int | None = None
    delivered_at: int | None = None
    vehicle_id: str | None = None
    origin: Location | None = None
    destination: Location | None = None
    direct_metres: int | None = None  # the drive from pickup to delivery


@dataclass(frozen=True, slots=True)
class ParcelFigures:
    """The day's parcel figures that need the road network (``scenarios.parcels``): km of
    a separate delivery round, km the vans drove for parcels, minutes parcel stops added
    to riders' waits and rides, and how many riders they touched."""

    truck_km: float = 0.0
    van_km: float = 0.0
    wait_minutes_added: float = 0.0
    ride_minutes_added: float = 0.0
    riders_affected: int = 0


@dataclass(slots=True)
class SimulationResult:
    """Everything a run produced, in simulated seconds."""

    scenario_name: str
    seed: int
    synthetic_network: bool
    shift: tuple[int, int]
    vehicle_ids: tuple[str, ...]
    depot: Location
    trips: list[TripRecord] = field(default_factory=list)
    legs: list[Leg] = field(default_factory=list)
    visits: list[StopVisit] = field(default_factory=list)
    promise_at_risk: int = 0
    connection_at_risk: int = 0
    reassigned_at_stop: int = 0  # stops re-planned to another van while a van stood there
    replans: int = 0
    # Disaster mode (issue 16): the evacuation rides (one record per registered rider in
    # the hazard zones, served or not), when the event began and ended, the ordinary rides
    # it affected or bumped; welfare alerts raised by flagged riders' no-shows.
    evacuations: list[TripRecord] = field(default_factory=list)
    needs_help: frozenset[str] = frozenset()
    disaster_at: int | None = None
    disaster_ended_at: int | None = None
    affected_by_disaster: tuple[str, ...] = ()
    welfare_alerts: int = 0
    parcels: list[ParcelRecord] = field(default_factory=list)
    parcel_figures: ParcelFigures = field(default_factory=ParcelFigures)
    late_trains: dict[str, int] = field(default_factory=dict)  # trip_id -> seconds late
    delays_announced: bool = False

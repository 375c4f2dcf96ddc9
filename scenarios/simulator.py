"""A discrete-event simulation of one service day in simulated seconds.

The simulator owns no dispatch logic: every decision (offers, the plan, re-planning, what
happens at a stop) is the ``solver.dispatch.Dispatcher``'s, driven through its pure
``offer``/``apply`` functions exactly as the API drives it. The simulator plays the world
around it: riders who ask, accept or decline, cancel and fail to show up, and vans that
follow the live plan's head stop with noisy travel times and report back.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from maas.domain import (
    Location,
    Request,
    RideTimePolicy,
    StopKind,
    TimeWindow,
    Vehicle,
    VehicleType,
)
from maas.errors import MaasError
from maas.evaluation import leg_durations
from maas.meeting import MeetingPoints, OutOfReach, Walk
from maas.service import BookingCheck, check_booking
from maas.service.clock import clock_to_seconds, from_day_seconds, to_day_seconds
from maas.travel import TravelTimeSource
from scenarios.config import Scenario
from scenarios.demand import TripDemand
from scenarios.evacuation import declaration
from scenarios.parcels import ParcelDemand, parcel_figures
from scenarios.records import (
    Leg,
    ParcelRecord,
    ParcelStatus,
    SimulationResult,
    StopVisit,
    TripRecord,
    TripStatus,
)
from scenarios.trains import train_delays
from solver.dispatch import (
    BookingStatus,
    Dispatcher,
    DispatchPolicy,
    DispatchState,
    Offer,
    Rejection,
    RejectionReason,
    RideAsk,
    events,
    outcomes,
)
from solver.dispatch.margin import early_departure
from solver.dispatch.planning import no_show_deadline
from solver.dispatch.policy import policy_for_day
from solver.dispatch.state import Evacuee, ParcelAsk

DISABLED = 10**9  # "never" for re-optimisation triggers

Progress = Callable[[float], None]


class SimulationError(MaasError):
    """The simulated world and the dispatcher's state no longer agree."""

    code = "simulation_error"


# Where a van is a few metres after leaving ``a`` for ``b`` (its first position report on the
# way), or None when that cannot be told (then time passing tells the dispatcher instead).
Locate = Callable[[Location, Location], Location | None]


def dispatch_policy(scenario: Scenario, service_area: tuple[float, ...] | None) -> DispatchPolicy:
    """The dispatcher's policy: the service file's for the scenario's date, else the one the
    scenario's own promises and shift make."""
    svc = scenario.service_definition
    if svc is not None and scenario.date is not None:
        return policy_for_day(svc, scenario.date)  # its own noise and transit rules
    assert scenario.fleet is not None
    p, (start, end) = scenario.policy, scenario.fleet.shift_seconds
    every = p.reoptimise_every_minutes
    box = None
    if service_area is not None and len(service_area) == 4:
        box = (service_area[0], service_area[1], service_area[2], service_area[3])
    return DispatchPolicy(
        pickup_window=int(p.pickup_window_minutes * 60),
        max_wait=int(p.max_wait_minutes * 60),
        no_show_wait=int(p.no_show_wait_minutes * 60),
        ride_time=RideTimePolicy(int(p.ride_time_base_minutes * 60), p.max_detour_factor),
        operating_hours=TimeWindow(start, end),
        reoptimise_every_s=int(every * 60) if every else DISABLED,
        reoptimise_every_bookings=10 if every else DISABLED,
        reoptimise_time_limit_s=p.reoptimise_solver_seconds,
        reoptimise_iterations=p.reoptimise_iterations,
        rescue_iterations=p.rescue_iterations or None,
        prebook_time_limit_s=p.prebook_solver_seconds,
        service_area=box,
        travel_time_margin=p.travel_time_margin,
        seed=scenario.demand.seed,
        **_connection_rules(scenario),
    )


def _connection_rules(scenario: Scenario) -> dict[str, Any]:
    """The connection policy of a scenario without a service file: the road noise the
    dispatcher plans with is the simulated day's; buffer and confidence from ``transit``."""
    t = scenario.transit
    rules: dict[str, Any] = {"travel_time_noise": scenario.simulation.travel_time_noise}
    if t is not None:
        rules.update(connection_buffer=round(t.buffer_minutes * 60),
                     connection_confidence=t.confidence)
    return rules


def fleet(scenario: Scenario, depot: Location) -> tuple[Vehicle, ...]:
    """The scenario's own vans (``fleet`` section), all starting their shift at the depot."""
    f = scenario.fleet
    if f is None:
        msg = "a scenario with a service file takes its vans from the roster (vehicles_for)"
        raise SimulationError(msg)
    start, end = f.shift_seconds
    van = VehicleType(name="van", seats=f.seats, wheelchair_places=f.wheelchair_places)
    return tuple(
        Vehicle(id=f"v{i + 1}", type=van, depot=depot, shift=TimeWindow(start, end))
        for i in range(f.vehicles)
    )


@dataclass(slots=True)
class _Van:
    """Where a van physically is and what it is doing."""

    id: str
    position: Location
    free_at: int
    depot: Location
    shift: tuple[int, int]
    busy: bool = False  # driving or serving: the van will report back by itself
    target: Location | None = None
    wake_at: int | None = None
    onboard: set[str] = field(default_factory=set)
    load: int = 0
    home: bool = True  # at the depot, shift not begun or finished


@dataclass(order=True, slots=True)
class _Event:
    time: int
    seq: int
    kind: str = field(compare=False)
    payload: Any = field(compare=False, default=None)


class Simulation:
    """One day: feed the dispatcher the world's events in time order, record what happens."""

    def __init__(
        self,
        scenario: Scenario,
        travel: TravelTimeSource,
        demand: Sequence[TripDemand],
        depot: Location,
        seed: int,
        synthetic: bool = False,
        service_area: tuple[float, ...] | None = None,
        locate: Locate | None = None,
        vehicles: Sequence[Vehicle] | None = None,
        parcels: Sequence[ParcelDemand] = (),
        meeting: MeetingPoints | None = None,
        registered: Sequence[Evacuee] = (),
    ) -> None:
        self.scenario = scenario
        self.registered = tuple(registered)
        self.evac: dict[str, TripRecord] = {}  # evacuation rides (disaster mode)
        # Riders whose no-show is a welfare signal: a seeded share, drawn apart from the
        # demand so that the demand itself stays as it was.
        share = scenario.simulation.welfare_share
        flags = np.random.default_rng([scenario.demand.seed, 16]).random(len(demand))
        self.welfare = {t.id for t, u in zip(sorted(demand, key=lambda t: t.id), flags,
                                               strict=True) if u < share}
        self.parcel_demand = {p.id: p for p in parcels}
        self.parcels: dict[str, ParcelRecord] = {}
        # Late trains (transit.delays): drawn apart from the demand, seeded.
        self.late_trains = train_delays(scenario, list(demand))
        # The service file's meeting points: each ask carries the places in reach and the
        # dispatcher picks, as in the live service (api.meeting).
        self.meeting = meeting
        self._walks: dict[str, tuple[tuple[Walk, ...], tuple[Walk, ...]] | None] = {}
        self.service = scenario.service_definition
        self.locate = locate
        self.travel = travel
        self.demand = {t.id: t for t in demand}
        self.policy = dispatch_policy(scenario, service_area)
        self.dispatcher = Dispatcher(travel, self.policy)
        # The vans: the service's roster for the date (each its own depot, shift and break),
        # else the scenario's identical fleet.
        vans = tuple(vehicles) if vehicles is not None else fleet(scenario, depot)
        if not vans:
            msg = "no van is rostered for the day"
            raise SimulationError(msg)
        self.shift = (min(v.shift.earliest for v in vans), max(v.shift.latest for v in vans))
        self.cutoff = scenario.prebook_cutoff_seconds
        self.state = DispatchState.empty(scenario.name, vans, self.cutoff)
        self.vans = {
            v.id: _Van(v.id, v.depot, v.shift.earliest, v.depot,
                       (v.shift.earliest, v.shift.latest))
            for v in vans
        }
        self.rng = np.random.default_rng([seed, 7])  # travel-time noise stream
        self.noise = scenario.simulation.travel_time_noise
        self.queue: list[_Event] = []
        self.now = self.cutoff
        self._seq = 0
        self._schedule_cache: tuple[int, Any] | None = None
        self._leg_cache: dict[tuple[Location, Location], tuple[int, int]] = {}
        self.result = SimulationResult(
            scenario_name=scenario.name, seed=seed, synthetic_network=synthetic,
            shift=self.shift, vehicle_ids=tuple(self.vans), depot=depot,
        )
        self.trips: dict[str, TripRecord] = {}

    # ---------------------------------------------------------------- time and travel

    def _push(self, time: int, kind: str, payload: Any = None) -> None:
        self._seq += 1
        heapq.heappush(self.queue, _Event(int(time), self._seq, kind, payload))

    def _leg(self, a: Location, b: Location) -> tuple[int, int]:
        """Noise-free (seconds, metres) along the fastest path."""
        key = (a, b)
        if key not in self._leg_cache:
            if a == b:
                self._leg_cache[key] = (0, 0)
            else:
                secs = int(self.travel.durations([a], [b])[0, 0])
                metres = int(self.travel.distances([a], [b])[0, 0])
                self._leg_cache[key] = (secs, metres)
        return self._leg_cache[key]

    def _noisy(self, seconds: int) -> int:
        if seconds <= 0 or self.noise <= 0:
            return seconds
        return max(1, round(seconds * math.exp(self.rng.normal(0.0, self.noise))))

    def _apply(self, event: Any) -> list[Any]:
        self.state, outs = self.dispatcher.apply(self.state, event)
        changed: set[str] = set()
        for out in outs:
            if isinstance(out, outcomes.PromiseAtRisk):
                self.result.promise_at_risk += 1
            elif isinstance(out, outcomes.ConnectionAtRisk):
                self.result.connection_at_risk += 1
            elif isinstance(out, outcomes.Reoptimised) and out.improved:
                self.result.replans += 1
            elif isinstance(out, outcomes.PlanChanged):
                changed.update(out.vehicle_ids)
            elif isinstance(out, outcomes.BookingConfirmed) and out.booking.evacuation:
                self._evacuation_booked(out.booking.id, out.booking.request,
                                        out.booking.vehicle_id)
            elif isinstance(out, outcomes.BookingBumped) and out.booking_id in self.trips:
                self.trips[out.booking_id].reject_reason = out.reason.value
            elif isinstance(out, outcomes.WelfareAlert):
                self.result.welfare_alerts += 1
        if changed:
            self._wake_idle_vans(changed)
        return outs

    def _schedule(self) -> Any:
        """The dispatcher's timing of the live plan (cached per state version)."""
        if self._schedule_cache is None or self._schedule_cache[0] != self.state.version:
            self._schedule_cache = (self.state.version, self.dispatcher.schedule(self.state))
        return self._schedule_cache[1]

    # ---------------------------------------------------------------- the day

    def run(self, progress: Progress | None = None) -> SimulationResult:
        """Simulate the whole day and return its records."""
        start, end = self.shift
        for t in self.demand.values():
            direct_s, direct_m = self._leg(t.origin, t.destination)
            self.trips[t.id] = TripRecord(
                request_id=t.id, purpose=t.purpose, prebooked=t.prebooked,
                passengers=t.passengers, wheelchairs=t.wheelchairs, origin=t.origin,
                destination=t.destination, requested_at=t.requested_at,
                desired_pickup=t.desired_pickup, direct_seconds=direct_s, direct_metres=direct_m,
                walk_metres=t.walk_metres, connect=t.connect,
            )
            if not t.prebooked:
                self._push(t.requested_at, "ask", t.id)
            if t.cancel_at is not None:
                self._push(t.cancel_at, "cancel", t.id)
        for p in self.parcel_demand.values():
            self.parcels[p.id] = ParcelRecord(
                p.id, p.source, p.kg, p.litres, p.handed_in_at, origin=p.origin,
                destination=p.destination, direct_metres=self._leg(p.origin, p.destination)[1])
            self._push(p.handed_in_at, "ship", p.id)
        self._push(self.cutoff, "prebook")
        self._push_delay_reports()
        for van in self.vans.values():
            self._push(van.shift[0], "wake", van.id)
            self._push(van.shift[1], "wake", van.id)
        flood = self.scenario.disaster
        if flood is not None:
            self._push(clock_to_seconds(flood.at), "disaster")
            if flood.ends_at is not None:
                self._push(clock_to_seconds(flood.ends_at), "disaster_end")
        every = int(self.scenario.simulation.tick_minutes * 60)
        for tick in range(start, end + 1, every):
            self._push(tick, "tick")
        span = max(1, end - self.cutoff)
        budget = 1_000 * (len(self.demand) + len(self.parcels) + len(self.vans)) + 100_000
        while self.queue:
            budget -= 1
            if budget < 0:
                msg = f"the day makes no progress at {self.now} s (event budget spent)"
                raise SimulationError(msg)
            ev = heapq.heappop(self.queue)
            self.now = ev.time
            if progress:
                progress(min(1.0, (ev.time - self.cutoff) / span))
            handler = getattr(self, f"_on_{ev.kind}")
            handler(ev.time, ev.payload)
        self._finish()
        return self.result

    def _finish(self) -> None:
        for rec in self.trips.values():
            booking = self.state.bookings.get(rec.request_id)
            if booking is not None and booking.status is BookingStatus.CANCELLED:
                rec.status = TripStatus.CANCELLED
            elif booking is not None and booking.status is BookingStatus.NO_SHOW:
                rec.status = TripStatus.NO_SHOW
            elif rec.dropoff_at is not None:
                rec.status = TripStatus.SERVED
            elif booking is not None:
                # Confirmed but never completed: count it against the service, with a reason.
                rec.status = TripStatus.REJECTED
                rec.reject_reason = f"not_completed_{booking.status.value}"
        self.result.trips = sorted(self.trips.values(), key=lambda r: r.request_id)
        for rec in self.evac.values():
            if rec.dropoff_at is not None:
                rec.status = TripStatus.SERVED
            else:
                rec.reject_reason = rec.reject_reason or (
                    "not_picked_up" if rec.booking is not None else "no_van")
        self.result.evacuations = sorted(self.evac.values(), key=lambda r: r.request_id)

        if self.parcels:
            self._finish_parcels()

    # ---------------------------------------------------------------- disaster mode

    def _on_disaster(self, now: int, _: Any) -> None:
        """The flood: roads close at once; evacuation rides for the registered riders."""
        for e in self.registered:
            self.evac[e.id] = TripRecord(
                request_id=e.id, purpose="evacuation", prebooked=False,
                passengers=e.passengers, wheelchairs=e.wheelchairs, origin=e.origin,
                destination=e.origin, requested_at=now, desired_pickup=now, direct_seconds=0,
                direct_metres=0)
        self.result.needs_help = frozenset(e.id for e in self.registered if e.needs_help)
        self.result.disaster_at = now
        for out in self._apply(declaration(self.scenario, self.travel, self.registered, now)):
            if isinstance(out, outcomes.DisasterStarted):
                self.result.affected_by_disaster = out.affected

    def _on_disaster_end(self, now: int, _: Any) -> None:
        self.result.disaster_ended_at = now
        self._apply(events.DisasterEnded("flood", now))

    def _evacuation_booked(self, booking_id: str, request: Request, vehicle_id: str) -> None:
        rec = self.evac[booking_id]
        rec.booking, rec.vehicle_id, rec.destination = request, vehicle_id, request.destination
        rec.direct_seconds, rec.direct_metres = self._leg(request.origin, request.destination)

    def _record(self, request_id: str) -> TripRecord:
        """The record of an ordinary trip or an evacuation ride."""
        found = self.trips.get(request_id)
        return found if found is not None else self.evac[request_id]

    def _finish_parcels(self) -> None:
        done = {BookingStatus.COMPLETED: ParcelStatus.DELIVERED,
                BookingStatus.RETURNED: ParcelStatus.RETURNED}
        for rec in self.parcels.values():
            booking = self.state.bookings.get(rec.id)
            if booking is None:
                rec.status = ParcelStatus.REFUSED
            else:
                rec.status = done.get(booking.status, ParcelStatus.UNDELIVERED)
                rec.deliver_by = booking.request.dropoff.latest
        self.result.parcels = sorted(self.parcels.values(), key=lambda r: r.id)
        wished = {t.id: t.desired_pickup for t in self.demand.values()}
        self.result.parcel_figures = parcel_figures(
            self.result, self.travel, self.parcels,
            {p.id: p.origin for p in self.parcel_demand.values()},
            {p.id: p.destination for p in self.parcel_demand.values()},
            self.result.depot, wished)

    # ---------------------------------------------------------------- parcels

    def _on_ship(self, now: int, parcel_id: str) -> None:
        p = self.parcel_demand[parcel_id]
        ask = ParcelAsk(p.origin, p.destination, p.kg, p.litres, now=now,
                        shipper_id=f"shipper-{p.source}")
        for out in self._apply(events.ShipParcel(parcel_id, ask, now)):
            if isinstance(out, outcomes.BookingRejected):
                self.parcels[parcel_id].refuse_reason = out.reason.value

    # ---------------------------------------------------------------- riders

    def _ask(self, trip: TripDemand, now: int, pickup_after: int | None) -> RideAsk:
        c = trip.connect
        arrive_before = None
        if c is not None and self.scenario.transit is not None \
                and self.scenario.transit.mode == "arrive_by":
            # The baseline: a plain arrive-by ride (pickup-after for a return), no margin.
            if c.kind == "departure":
                arrive_before, pickup_after = c.at - c.buffer, None
            else:
                pickup_after = max(pickup_after or 0, c.at + c.buffer)
            c = None
        walks = self._walks_of(trip) or ((), ())
        return RideAsk(
            origin=trip.origin, destination=trip.destination, passengers=trip.passengers,
            wheelchairs=trip.wheelchairs, pickup_after=pickup_after, now=now,
            rider_id=trip.id, board=trip.board, alight=trip.alight,
            welfare=trip.id in self.welfare,
            arrive_before=arrive_before, connect=c,
            origin_walks=walks[0], destination_walks=walks[1],
        )

    def _walks_of(self, trip: TripDemand) -> tuple[tuple[Walk, ...], tuple[Walk, ...]] | None:
        """Where the service may meet this rider at each end (empty: the door), or None
        when a stop-based service has no meeting point in reach and refuses the ride."""
        if self.meeting is None or self.scenario.date is None:
            return ((), ())
        if trip.id not in self._walks:
            day = self.scenario.date
            ends: list[tuple[Walk, ...]] = []
            for loc in (trip.origin, trip.destination):
                found = self.meeting.options(loc.lat, loc.lon, loc, day, trip.flags)
                if isinstance(found, OutOfReach):
                    self._walks[trip.id] = None
                    return None
                ends.append(() if all(w.at_door for w in found) else found)
            self._walks[trip.id] = (ends[0], ends[1])
        return self._walks[trip.id]

    def _walked(self, trip_id: str, ask: RideAsk) -> None:
        """Record the walk of the places a booking was made at."""
        self.trips[trip_id].walk_metres = sum(
            w.walk_m for w in (ask.pickup_walk, ask.dropoff_walk) if w is not None)

    def _on_prebook(self, now: int, _: Any) -> None:
        prebooked = sorted((t for t in self.demand.values() if t.prebooked),
                           key=lambda t: (t.desired_pickup, t.id))
        for t in [t for t in prebooked if self._walks_of(t) is None]:
            self.trips[t.id].reject_reason = RejectionReason.NO_MEETING_POINT.value
        prebooked = [t for t in prebooked if self._walks_of(t) is not None]
        if not prebooked:
            return
        batch = events.PrebookBatch(
            asks=tuple(self._ask(t, now, t.desired_pickup) for t in prebooked),
            now=now, booking_ids=tuple(t.id for t in prebooked),
        )
        asks = dict(zip(batch.booking_ids, batch.asks, strict=True))
        for out in self._apply(batch):
            if isinstance(out, outcomes.BookingConfirmed):
                self._confirmed(out.booking.id, out.booking.request, out.booking.vehicle_id)
                if self.meeting is not None:  # the batch plans at the nearest places
                    nearest = self.dispatcher.variants(asks[out.booking.id])[:1]
                    if nearest:
                        self._walked(out.booking.id, nearest[0][0])
            elif isinstance(out, outcomes.BookingRejected) and out.booking_id in self.trips:
                self.trips[out.booking_id].reject_reason = out.reason.value

    def _booking_rules(self, trip: TripDemand, now: int, wanted: int | None) -> tuple[int | None,
                                                                                   str | None]:
        """With a service file, its booking rules come first, as in the live service: a rider
        told the next bookable time takes it when it is within the maximum wait of the wished
        one. Returns (the pickup to ask for, None) or (None, the refusal code)."""
        svc, day = self.service, self.scenario.date
        if svc is None or day is None:
            return wanted, None
        asked = now if wanted is None else wanted
        check = check_booking(svc, from_day_seconds(svc.tz, day, now),
                              from_day_seconds(svc.tz, day, asked))
        if isinstance(check, BookingCheck):
            return wanted, None
        nxt = check.next_bookable
        if nxt is None:
            return None, check.code
        secs = to_day_seconds(svc.tz, day, nxt)
        if secs - trip.desired_pickup > self.policy.max_wait:
            return None, check.code
        return secs, None

    def _on_ask(self, now: int, trip_id: str) -> None:
        trip = self.demand[trip_id]
        rec = self.trips[trip_id]
        wanted, refused = self._booking_rules(trip, now, None if trip.asap else trip.desired_pickup)
        if refused is not None:
            rec.reject_reason = refused
            return
        if self._walks_of(trip) is None:
            rec.reject_reason = RejectionReason.NO_MEETING_POINT.value
            return
        answer = self.dispatcher.offer(self.state, self._ask(trip, now, wanted))
        if isinstance(answer, Rejection):
            alternative = answer.alternative
            max_wait = self.policy.max_wait
            if alternative is None or alternative - trip.desired_pickup > max_wait:
                rec.reject_reason = answer.reason.value
                return
            # The rider hears the earliest alternative and asks again for it.
            answer = self.dispatcher.offer(self.state, self._ask(trip, now, alternative))
            if isinstance(answer, Rejection):
                rec.reject_reason = answer.reason.value
                return
        assert isinstance(answer, Offer)
        if trip.decline_draw < self.scenario.simulation.decline_rate:
            rec.reject_reason = "declined_by_rider"
            return
        for out in self._apply(events.ConfirmOffer(answer, trip_id, now)):
            if isinstance(out, outcomes.BookingConfirmed):
                self._confirmed(trip_id, out.booking.request, out.booking.vehicle_id)
                if self.meeting is not None:
                    self._walked(trip_id, answer.ask)
            elif isinstance(out, outcomes.BookingRejected):
                rec.reject_reason = out.reason.value

    def _confirmed(self, trip_id: str, request: Request, vehicle_id: str) -> None:
        rec = self.trips[trip_id]
        rec.booking, rec.vehicle_id, rec.reject_reason = request, vehicle_id, None

    def _on_cancel(self, now: int, trip_id: str) -> None:
        booking = self.state.bookings.get(trip_id)
        if booking is None or booking.status is not BookingStatus.CONFIRMED:
            return  # never booked, or already on board: nothing to cancel
        if trip_id in self.state.arrivals:
            return  # the van stands at the pickup: the rider boards (or is a no-show)
        self._apply(events.CancelBooking(trip_id, now))

    def _on_tick(self, now: int, _: Any) -> None:
        self._apply(events.Tick(now))

    # ---------------------------------------------------------------- vans

    def _head(self, van_id: str) -> tuple[Any, Location] | None:
        stops = self.state.plan.route(van_id).stops
        if not stops:
            return None
        stop = stops[0]
        booking = self.state.bookings[stop.request_id]
        request = booking.request
        loc = request.origin if stop.kind is StopKind.PICKUP else \
            (booking.return_to or request.destination)
        return stop, loc

    def _wake_idle_vans(self, vehicle_ids: set[str]) -> None:
        """After a plan change, the idle vans concerned look at their routes again (now)."""
        for van in (self.vans[v] for v in sorted(vehicle_ids) if v in self.vans):
            when = max(van.free_at, self.now)
            if not van.busy and (van.wake_at is None or van.wake_at > when):
                van.wake_at = when
                self._push(when, "wake", van.id)

    def _on_wake(self, now: int, van_id: str) -> None:
        van = self.vans[van_id]
        if van.wake_at is not None and van.wake_at <= now:
            van.wake_at = None
        if van.home and now < van.shift[0]:
            return
        if van.busy:
            return
        head = self._head(van_id)
        if head is None:
            if now >= van.shift[1] and van.position != van.depot:
                self._drive(van, van.depot, now, None)
            return
        stop, loc = head
        if loc == van.position:
            self._serve(van, stop, now)
            return
        travel, _ = self._leg(van.position, loc)
        # The driver leaves when the dispatcher's schedule says: its arrival minus its own
        # (margin-padded) time for the leg, not the road model's bare time.
        planned_leg = leg_durations(self.dispatcher.travel, [(van.position, loc)])[0]
        depart = self._planned_departure(van_id, planned_leg, now)
        # The driver leaves early by two noise deviations of the leg (``early_departure``:
        # the dispatcher locks the head stop from then on) and waits, if need be,
        # at the next stop: a slow road then less often breaks a promise. Riders on board
        # ride no longer for it (they would wait on board here instead, and one dropped at
        # the next stop alights sooner); a rider boarding there boards at once only where
        # the dispatcher finds that harmless (else it holds the boarding, ``board_from``).
        depart = max(now, depart - early_departure(travel, self.noise))
        if depart > now:
            # Wait where it is (the plan delays departure to keep ride times short).
            van.wake_at = depart
            self._push(depart, "wake", van_id)
            return
        self._drive(van, loc, now, stop)

    def _planned_departure(self, van_id: str, travel: int, now: int) -> int:
        report = self._schedule()
        timed = report.schedules.get(van_id) if report is not None else None
        if not timed:
            return now
        return max(now, int(timed[0].arrival) - travel)

    def _drive(self, van: _Van, target: Location, now: int, stop: Any) -> None:
        seconds, metres = self._leg(van.position, target)
        actual = self._noisy(seconds)
        riders = tuple(sorted(r for r in van.onboard if r in self.trips))
        self.result.legs.append(Leg(van.id, now, now + actual, van.position, target, metres,
                                    van.load, riders))
        for rid in riders:
            self._record(rid).ride_metres += metres
            if len(riders) > 1:
                self._record(rid).shared = True
        van.busy, van.target, van.home = True, target, False
        if stop is not None:
            # The van reports its position just after setting off: the dispatcher re-times
            # the route from there and locks the head stop once its plan says the van left.
            ping = self.locate(van.position, target) if self.locate else None
            if ping is not None and ping != van.position:
                self._apply(events.VehicleMoved(van.id, ping, now))
            else:
                self._apply(events.Tick(now))  # time passing re-times and locks instead
        self._push(now + actual, "arrive", van.id)

    def _on_arrive(self, now: int, van_id: str) -> None:
        van = self.vans[van_id]
        assert van.target is not None
        van.position, van.free_at, van.busy, van.target = van.target, now, False, None
        if van.position == van.depot and now >= van.shift[1] and self._head(van_id) is None:
            van.home = True
            self.result.visits.append(StopVisit(van.id, "", "depot", now, now, now, van.position))
            return
        head = self._head(van_id)
        if head is None or head[1] != van.position:
            # Not at its next stop (the plan changed on the way): report where it is.
            self._apply(events.VehicleMoved(van.id, van.position, now))
        self._on_wake(now, van_id)  # at its stop, the "arrived" report re-times the route

    def _push_delay_reports(self) -> None:
        """The operator's reports of the late trains, when the scenario announces them."""
        delays = self.scenario.transit.delays if self.scenario.transit is not None else None
        self.result.late_trains = dict(self.late_trains)
        if delays is None or not delays.announced:
            return
        self.result.delays_announced = True
        arrivals = {t.connect.trip_id: t.connect.at for t in self.demand.values()
                    if t.connect is not None and t.connect.kind == "arrival"}
        before = round(delays.announce_minutes_before * 60)
        for trip_id in sorted(self.late_trains):
            self._push(max(0, arrivals[trip_id] - before), "train_delay", trip_id)

    def _on_train_delay(self, now: int, trip_id: str) -> None:
        for out in self._apply(events.TrainDelayed(trip_id, self.late_trains[trip_id], now)):
            if isinstance(out, outcomes.ConnectionMoved) and out.booking_id in self.trips:
                # The rider was told the moved window: that is the promise now.
                self.trips[out.booking_id].booking = self.state.bookings[out.booking_id].request

    def _off_the_train(self, trip: TripDemand | None) -> int | None:
        """When a rider coming off a late train is at the pickup (None: not such a rider)."""
        c = None if trip is None else trip.connect
        if c is None or c.kind != "arrival" or c.trip_id not in self.late_trains:
            return None
        return c.at + self.late_trains[c.trip_id] + max(c.buffer, 0)

    def _serve(self, van: _Van, stop: Any, now: int) -> None:
        request = self.state.bookings[stop.request_id].request
        van.busy = True
        if not (stop.kind is StopKind.PICKUP and request.id in self.state.arrivals):
            # The driver reports arriving at once, early or not.
            self._report(events.StopReported(van.id, request.id, stop.kind, "arrived", now))
            if not self._still_assigned(van.id, request.id):
                self._reassigned(van, now)
                return
        booking = self.state.bookings[stop.request_id]
        held = booking.board_from
        if stop.kind is StopKind.PICKUP and held is not None and held > now:
            # Early where boarding at once would break the rider's ride limit: the
            # dispatcher holds the boarding to the plan's time (the driver's manifest shows
            # it), and the driver waits for it at the stop.
            self._push(held, "board", (van.id, request.id))
            return
        arrived = self.state.arrivals.get(request.id, now)
        if booking.is_parcel:
            self._serve_parcel(van, stop, now)
            return
        rec = self._record(stop.request_id)
        if stop.kind is StopKind.PICKUP:
            trip = self.demand.get(request.id)  # evacuees always come
            if self._off_the_train(trip) is not None:
                self._on_train_wait(now, (van.id, request.id, arrived))
                return
            self._pick_up(van, request, rec, arrived, now,
                          bool(trip is not None and trip.no_show))
        else:
            start = max(now, request.dropoff.earliest)
            end = start + request.alight
            rec.dropoff_at = start
            self.result.visits.append(
                StopVisit(van.id, request.id, "dropoff", now, start, end, van.position))
            self._push(end, "stop_done", (van.id, request.id, "dropped_off", stop.kind))

    def _on_board(self, now: int, payload: tuple[str, str]) -> None:
        """The held boarding time of a van waiting at a pickup: it boards the rider now,
        unless the stop was planned away meanwhile."""
        van_id, request_id = payload
        van = self.vans[van_id]
        head = self._head(van_id)
        if not self._still_assigned(van_id, request_id) or head is None \
                or head[0].request_id != request_id:
            self._reassigned(van, now)
            return
        self._serve(van, head[0], now)

    def _pick_up(self, van: _Van, request: Request, rec: TripRecord, arrived: int, now: int,
                 no_show: bool) -> None:
        """The rider boards (from the window's start), or the driver waits as the operator's
        rule says and reports the no-show."""
        start = max(now, request.pickup.earliest)
        if no_show:
            gave_up = no_show_deadline(request, arrived, self.policy.no_show_wait)
            self.result.visits.append(
                StopVisit(van.id, request.id, "no_show", arrived, start, gave_up, van.position))
            self._push(max(now, gave_up), "stop_done",
                       (van.id, request.id, "no_show", StopKind.PICKUP))
            return
        end = start + request.board
        rec.pickup_at, rec.boarded_at, rec.picked_by = start, end, van.id
        rec.vehicle_id = van.id
        self.result.visits.append(
            StopVisit(van.id, request.id, "pickup", arrived, start, end, van.position))
        self._push(end, "stop_done", (van.id, request.id, "picked_up", StopKind.PICKUP))

    def _on_train_wait(self, now: int, payload: tuple[str, str, int]) -> None:
        """A van waits at the station for a rider coming off a late train: it boards the
        rider once the train is in, or gives up at the no-show time of the window in force
        then (a delay reported while it waits moves that window, and the van stays)."""
        van_id, request_id, arrived = payload
        van, trip, rec = self.vans[van_id], self.demand[request_id], self._record(request_id)
        booking = self.state.bookings[request_id]
        ready = self._off_the_train(trip)
        assert ready is not None and rec.connect is not None
        rec.train_delay_s = self.late_trains[rec.connect.trip_id]
        gave_up = no_show_deadline(booking.request, arrived, self.policy.no_show_wait)
        if ready <= now or (trip.no_show and gave_up <= now):
            self._pick_up(van, booking.request, rec, arrived, now, trip.no_show)
        elif gave_up <= now:  # the late train is not in by the no-show time: the van leaves
            rec.missed_train = True
            self._pick_up(van, booking.request, rec, arrived, now, True)
        else:
            self._push(min(ready, gave_up), "train_wait", payload)

    def _serve_parcel(self, van: _Van, stop: Any, now: int) -> None:
        """A parcel handed over at its pickup, delivered, found nobody home, or brought
        back: the handling time, then the driver's report."""
        booking = self.state.bookings[stop.request_id]
        request, rec = booking.request, self.parcels[stop.request_id]
        if stop.kind is StopKind.PICKUP:
            start = max(now, request.pickup.earliest)
            end, what, kind = start + request.board, "picked_up", "pickup"
            rec.picked_up_at, rec.vehicle_id = start, van.id
        else:
            start = max(now, request.dropoff.earliest)
            end = start + request.alight
            nobody = self.parcel_demand[request.id].nobody_home
            if booking.return_to is not None:
                what, kind = "dropped_off", "return"
            elif nobody:
                what, kind = "not_home", "not_home"
            else:
                what, kind = "dropped_off", "dropoff"
                rec.delivered_at = start
        self.result.visits.append(StopVisit(van.id, request.id, kind, now, start, end,
                                            van.position))
        self._push(end, "stop_done", (van.id, request.id, what, stop.kind))

    def _on_stop_done(self, now: int, payload: tuple[str, str, str, StopKind]) -> None:
        van_id, request_id, what, kind = payload
        van = self.vans[van_id]
        if request_id in self.parcels:
            self._parcel_done(van, request_id, what, kind, now)
            return
        rec = self._record(request_id)
        if not self._still_assigned(van_id, request_id):
            # Re-planned away while the van stood at the pickup: the boarding did not happen.
            if rec.picked_by == van_id:
                rec.pickup_at = rec.boarded_at = rec.picked_by = None
            self.result.visits = [v for v in self.result.visits
                                  if not (v.vehicle_id == van_id and v.request_id == request_id)]
            self._reassigned(van, now)
            return
        if what == "picked_up":
            van.onboard.add(request_id)
            van.load += rec.passengers + rec.wheelchairs
        elif what == "dropped_off":
            van.onboard.discard(request_id)
            van.load -= rec.passengers + rec.wheelchairs
        van.busy, van.free_at = False, now
        # Reported when boarding (alighting) ends: the ride is measured from the end of boarding.
        report = events.StopReported(van_id, request_id, kind, what, now)  # type: ignore[arg-type]
        self._report(report)
        self._on_wake(now, van_id)

    def _parcel_done(self, van: _Van, parcel_id: str, what: str, kind: StopKind,
                     now: int) -> None:
        rec = self.parcels[parcel_id]
        if not self._still_assigned(van.id, parcel_id):
            if rec.vehicle_id == van.id and kind is StopKind.PICKUP:
                rec.picked_up_at = rec.vehicle_id = None
            mine = [k for k, v in enumerate(self.result.visits)
                    if v.vehicle_id == van.id and v.request_id == parcel_id]
            if mine:  # the handling that did not happen
                del self.result.visits[mine[-1]]
            self._reassigned(van, now)
            return
        if what == "picked_up":
            van.onboard.add(parcel_id)
        elif what == "dropped_off":
            van.onboard.discard(parcel_id)
        van.busy, van.free_at = False, now
        report = events.StopReported(van.id, parcel_id, kind, what, now)  # type: ignore[arg-type]
        self._report(report)
        self._on_wake(now, van.id)

    def _still_assigned(self, van_id: str, request_id: str) -> bool:
        """Whether the live plan still gives this booking to this van."""
        booking = self.state.bookings.get(request_id)
        if booking is None or not booking.active:
            return False
        vehicle = self.state.vehicle(van_id)
        onboard = vehicle is not None and request_id in vehicle.onboard
        return onboard or self.state.plan.vehicle_of(request_id) == van_id

    def _reassigned(self, van: _Van, now: int) -> None:
        """The dispatcher gave the stop the van stands at to another van: it drives on."""
        self.result.reassigned_at_stop += 1
        van.busy, van.free_at = False, now
        self._on_wake(now, van.id)

    def _report(self, event: events.StopReported) -> None:
        """Apply a van's stop report; the dispatcher refusing one means the two worlds
        disagree, which would otherwise send the van round the same stop for ever."""
        for out in self._apply(event):
            if isinstance(out, outcomes.EventRejected):
                msg = (f"the dispatcher refused {event.what} of {event.booking_id} by "
                       f"{event.vehicle_id} at {event.at} s: {out.message}")
                raise SimulationError(msg)


def simulate(
    scenario: Scenario,
    travel: TravelTimeSource,
    demand: Sequence[TripDemand],
    depot: Location,
    seed: int,
    synthetic: bool = False,
    service_area: tuple[float, ...] | None = None,
    progress: Progress | None = None,
    locate: Locate | None = None,
    vehicles: Sequence[Vehicle] | None = None,
    parcels: Sequence[ParcelDemand] = (),
    meeting: MeetingPoints | None = None,
    registered: Sequence[Evacuee] = (),
) -> SimulationResult:
    """Run one simulated day of ``scenario`` on ``travel`` with this demand (``vehicles``:
    the service roster of the day, else the scenario's own fleet; ``parcels``: the
    parcels shipped that day; ``meeting``: the service file's meeting points, placed on
    the network; ``registered``: the riders a disaster's evacuation fetches)."""
    sim = Simulation(scenario, travel, demand, depot, seed, synthetic, service_area, locate,
                     vehicles, parcels, meeting, registered)
    return sim.run(progress)

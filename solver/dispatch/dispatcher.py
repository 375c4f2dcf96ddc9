"""``Dispatcher``: offers (a pure query) and event transitions (a pure function of state and
event), the one dispatch logic the API and the simulator share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from maas.domain import Location, Plan, Problem, Request, Route, Stop, StopKind, Vehicle
from maas.evaluation import PlanReport, evaluate, leg_durations
from maas.meeting import Walk
from maas.travel import TravelTimeSource
from solver.dispatch import events as ev
from solver.dispatch import outcomes as oc
from solver.dispatch.connections import delayed, shifted, with_connection
from solver.dispatch.evacuation import evacuate
from solver.dispatch.events import Event
from solver.dispatch.margin import PaddedTravel, early_departure
from solver.dispatch.offers import desired_pickup, search_request
from solver.dispatch.outcomes import Outcome
from solver.dispatch.parcels import (
    bumpable,
    mark_waiting,
    parcel_request,
    place_parcels,
    shed,
    waiting_parcels,
    without_parcels,
)
from solver.dispatch.planning import (
    PlanningCache,
    at_risk,
    changed_vehicles,
    evaluate_route,
    lock_head,
    no_show_deadline,
    no_show_reserve,
    planning_problem,
    replace_vehicle,
    without_request,
)
from solver.dispatch.planning import with_vehicles as _with_vehicles
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.prebook import prebook
from solver.dispatch.reoptimise import relaxed, reoptimise
from solver.dispatch.repair import repair
from solver.dispatch.rescue import View as RescueView
from solver.dispatch.rescue import enabled as rescue_enabled
from solver.dispatch.rescue import rescue_confirmation, rescue_offer
from solver.dispatch.search import (
    alternatives,
    find_offer_among,
    offer_alternatives,
    place,
)
from solver.dispatch.state import (
    Alternative,
    Booking,
    BookingStatus,
    DisasterMode,
    DispatchState,
    Evacuee,
    Offer,
    ParcelAsk,
    Rejection,
    RejectionReason,
    RideAsk,
)
from solver.insertion import RouteMemo, insert

# Any travel time beyond ten days means "no open road" (road sources use a large sentinel).
UNREACHABLE_S = 10 * 86_400

Handler = Callable[[DispatchState, Any], tuple[DispatchState, list[Outcome]]]


class Dispatcher:
    """Offers, confirmations and re-planning of one service area on one travel-time source.

    ``travel`` is normally a ``maas.roads.RoadNetwork``; its active closures are set from the
    state before every use, so dispatchers sharing a state behave as one. With a policy
    ``travel_time_margin`` > 0, plans use travel times stretched by that share.
    """

    def __init__(self, travel: TravelTimeSource, policy: DispatchPolicy | None = None) -> None:
        self.policy = policy if policy is not None else DispatchPolicy()
        self.roads = travel
        # Everything the dispatcher plans and judges uses the padded times (see margin.py).
        margin = self.policy.travel_time_margin
        self.travel: TravelTimeSource = PaddedTravel(travel, margin) if margin > 0 else travel
        # Planning requests of bookings seen before, for the life of this dispatcher.
        self.planning = PlanningCache()
        # Timed routes of the live plan between offers (each offer builds its own problem):
        # for the life of this dispatcher, as ``planning``.
        self.routes = RouteMemo()
        self._handlers: dict[type, Handler] = {
            ev.ConfirmOffer: self._confirm,
            ev.CancelBooking: self._cancel,
            ev.VehicleMoved: self._vehicle_moved,
            ev.StopReported: self._stop_reported,
            ev.RoadClosed: self._road_closed,
            ev.RoadReopened: self._road_reopened,
            ev.Tick: self._tick,
            ev.AddVehicle: self._add_vehicle,
            ev.PrebookBatch: self._prebook,
            ev.DisasterDeclared: self._declare,
            ev.DisasterEnded: self._end_disaster,
            ev.ShipParcel: self._ship,
            ev.TrainDelayed: self._train_delayed,
        }

    # ------------------------------------------------------------------ queries

    def offer(self, state: DispatchState, ask: RideAsk) -> Offer | Rejection:
        """The rider's best feasible insertion of ``ask`` as an offer (soonest pickup, or
        for an appointment the latest departure arriving in time, with the estimated pickup
        and drop-off), or a rejection with a reason code and up to ``policy.alternatives``
        servable times before and after the asked one.

        An ask with meeting points (``origin_walks``/``destination_walks``) is searched at
        every pair of its places (``variants``) and offered at the best one; refusals and
        alternatives are those of the nearest pair."""
        self._sync_closures(state)
        paused = _paused(state)
        if paused is not None:
            return paused
        outside = self._outside_area(ask)
        if outside is not None:
            return outside
        unfit = self._unfit(state, ask)
        if unfit is not None:
            return unfit
        now = max(ask.now, state.now)
        variants = [(replace(a, now=now), d) for a, d in self.variants(ask)]
        if not variants:
            msg = "no open road connects the origin and the destination (a road is closed)"
            return Rejection(RejectionReason.UNREACHABLE, msg)
        variants = [(with_connection(a, self.policy, d), d) for a, d in variants]
        ask, direct = variants[0]
        problem = self._offer_problem(state, now)
        hours = self.policy.operating_hours

        def refuse(reason: RejectionReason, message: str, before: bool = True,
                   after: bool = True) -> Rejection:
            alts = alternatives(problem, state.plan, ask, direct, self.travel, self.policy,
                                hours, before, after, self.routes)
            first = next((a.pickup_after for a in alts
                          if a.pickup_after is not None and a.pickup >= desired_pickup(ask)),
                         None)
            if first is None and ask.arrive_before is not None and alts:
                first = alts[0].pickup_after
            return Rejection(reason, message, first, alts)

        if ask.arrive_before is not None:
            wanted = ask.arrive_before
            if wanted > hours.latest:
                return refuse(RejectionReason.OUTSIDE_HOURS,
                              f"arrivals are served until {hours.latest} s")
            if wanted - direct < hours.earliest:
                opening = replace(ask, arrive_before=None, pickup_after=hours.earliest)
                alts = alternatives(problem, state.plan, opening, direct, self.travel,
                                    self.policy, hours, before=False, memo=self.routes)
                return Rejection(RejectionReason.OUTSIDE_HOURS,
                                 f"arrivals are served from {hours.earliest + direct} s on "
                                 "this trip", alts[0].pickup_after if alts else None, alts)
        else:
            wanted = desired_pickup(ask)
            if wanted > hours.latest:
                return refuse(RejectionReason.OUTSIDE_HOURS,
                              f"pickups are served until {hours.latest} s", after=False)
            if wanted < hours.earliest:
                return refuse(RejectionReason.OUTSIDE_HOURS,
                              f"pickups are served from {hours.earliest} s", before=False)
        found = find_offer_among(problem, state.plan, variants, self.travel, self.policy,
                                 state.area, state.version, self.routes)
        if found is not None:
            return found
        parcels = bumpable(state)
        if parcels:  # a rider comes first: parcels not collected yet make room
            found = find_offer_among(problem, without_parcels(state.plan, parcels), variants,
                                     self.travel, self.policy, state.area, state.version,
                                     self.routes)
            if found is not None:
                return found
        if rescue_enabled(self.policy) and not state.at_risk:
            # No insertion fits: a short solve may make room (rescue.py), from the plan as
            # it stands at ``now``.
            rescued = rescue_offer(problem, state.plan, ask, direct, self.travel, self.policy,
                                   state.area, state.version, self._rescue_view(state, now))
            if rescued is not None:
                return rescued
        return refuse(RejectionReason.NO_CAPACITY,
                      "every van that could carry this ride is busy at the asked time")

    def _offer_problem(self, state: DispatchState, now: int, extra: Sequence[Request] = ()
                       ) -> Problem:
        """The problem offers and confirmations insert into. While a promise is at risk
        (a late van), each broken promise is widened to what the plan does now: a new rider
        may then ride on that van as long as nobody is made later than the plan already
        has them, instead of the van dropping out of offers for the rest of its route."""
        problem = planning_problem(state, self.policy, now, cache=self.planning)
        if state.at_risk:
            problem = relaxed(problem, state.plan, self.travel)
        if extra:
            problem = Problem({**problem.requests, **{r.id: r for r in extra}},
                              problem.vehicles, problem.weights)
        return problem

    def offer_alternatives(self, state: DispatchState, ask: RideAsk, offer: Offer
                           ) -> tuple[Alternative, ...]:
        """Other times the rider could take beside ``offer`` (the answer of ``offer`` for the
        same ``ask`` on the same ``state``): earlier than asked and later than offered, or
        for an appointment earlier arrivals (``search.offer_alternatives``)."""
        self._sync_closures(state)
        now = max(ask.now, state.now)
        # At meeting points: the times of the places the offer chose.
        ask = replace(offer.ask if ask.origin_walks or ask.destination_walks else ask, now=now)
        problem = self._offer_problem(state, now)
        return offer_alternatives(problem, state.plan, ask, offer, self._direct(ask),
                                  self.travel, self.policy, self.policy.operating_hours,
                                  self.routes)

    def schedule(self, state: DispatchState) -> PlanReport:
        """``maas.evaluation.evaluate`` of the live plan on the vans' reported clocks: the
        planned time of every stop, and whether every promise is kept."""
        self._sync_closures(state)
        problem = planning_problem(state, self.policy, None, cache=self.planning)
        return evaluate(problem, state.plan, self.travel)

    # ------------------------------------------------------------------ transitions

    def apply(self, state: DispatchState, event: Event) -> tuple[DispatchState, list[Outcome]]:
        """Apply one event. Returns the new state (``version`` + 1 if anything changed; the
        same object otherwise) and what happened."""
        handler = self._handlers.get(type(event))
        if handler is None:
            msg = f"unknown event type {type(event).__name__}"
            raise TypeError(msg)
        self._sync_closures(state)
        new, outcomes = handler(state, event)
        if new is not state:
            new = replace(new, version=state.version + 1)
        return new, outcomes

    def _confirm(self, state: DispatchState, e: ev.ConfirmOffer
                 ) -> tuple[DispatchState, list[Outcome]]:
        bid = e.booking_id
        if bid in state.bookings:
            return state, [oc.BookingRejected(RejectionReason.DUPLICATE_BOOKING,
                                              f"booking {bid} exists already", bid)]
        if e.now > e.offer.expires_at:
            return state, [oc.BookingRejected(RejectionReason.OFFER_EXPIRED,
                                              "the offer has expired: ask again", bid)]
        paused = _paused(state)
        if paused is not None:
            return state, [oc.BookingRejected(paused.reason, paused.message, bid)]
        now = max(state.now, e.now)
        request = e.offer.request(bid)
        if request.pickup.latest < now:
            return state, [oc.BookingRejected(RejectionReason.TOO_LATE,
                                              "the pickup window has passed", bid)]
        planned = no_show_reserve(request, self.policy.no_show_wait)
        problem = self._offer_problem(state, now, [planned])
        base, bumped = state.plan, []
        ins = place(problem, base, planned, self.travel, self.policy, e.offer.vehicle_id,
                    self.routes)
        if ins is None and (parcels := bumpable(state)):
            # The rider first: confirm on the plan without the parcels not collected yet,
            # then put back those that still fit.
            base = without_parcels(state.plan, parcels)
            ins = place(problem, base, planned, self.travel, self.policy, e.offer.vehicle_id,
                        self.routes)
            bumped = parcels
        if ins is None and rescue_enabled(self.policy) and not state.at_risk:
            # A rescued offer: its solve, run again on this state (nothing is remembered).
            rescued = rescue_confirmation(self._offer_problem(state, now), state.plan, e.offer,
                                          planned, self.travel, self.policy,
                                          self._rescue_view(state, now))
            if rescued is not None:
                return self._confirmed(state, e, request, rescued.plan, rescued.vehicle_id,
                                       now)
        if ins is None:
            return state, [oc.BookingRejected(RejectionReason.NO_LONGER_FEASIBLE,
                                              "the plan changed: no van can keep this offer "
                                              "any more", bid)]
        plan = insert(base, ins, bid)
        if not evaluate_route(problem, plan, ins.vehicle_id, self.travel).feasible:
            return state, [oc.BookingRejected(RejectionReason.NO_LONGER_FEASIBLE,
                                              "the plan changed: the offer no longer fits", bid)]
        booking = _booking(e, request, ins.vehicle_id, now)
        bookings = {**state.bookings, bid: booking}
        out: list[Outcome] = [oc.BookingConfirmed(booking)]
        if bumped:
            plan, placed = place_parcels(problem, plan, [problem.requests[p] for p in bumped],
                                         self.travel)
            left = [p for p in bumped if p not in placed]
            bookings = mark_waiting(_with_vehicles(bookings, plan), left)
            out += [oc.ParcelDeferred(p) for p in left]
        new = replace(state, plan=plan, bookings=bookings, now=now,
                      confirmed_since_reoptimise=state.confirmed_since_reoptimise + 1)
        changed = changed_vehicles(state.plan, plan) if bumped else (ins.vehicle_id,)
        return new, [*out, oc.PlanChanged(changed)]

    def _rescue_view(self, state: DispatchState, now: int) -> RescueView:
        """For the vans a rescue solves: the problem and plan at ``now`` with the head of
        each van that has left for it locked, as a re-check at ``now`` would (a rescue must
        neither re-order a van already driving nor judge it as standing still at ``now``;
        the state may date from before the van left)."""
        def view(vans: Sequence[str]) -> tuple[Problem, Plan]:
            there = self._lock_departed(state, now, vans)
            return self._offer_problem(there, now), there.plan
        return view

    def _confirmed(self, state: DispatchState, e: ev.ConfirmOffer, request: Request,
                   plan: Plan, vehicle_id: str, now: int
                   ) -> tuple[DispatchState, list[Outcome]]:
        """``e``'s booking confirmed on ``plan`` (a rescued plan: other riders may have
        moved between vans, and their bookings follow)."""
        bid = e.booking_id
        bookings = _with_vehicles({**state.bookings, bid: _booking(e, request, vehicle_id, now)},
                                  plan)
        new = replace(state, plan=plan, bookings=bookings, now=now,
                      confirmed_since_reoptimise=state.confirmed_since_reoptimise + 1)
        return new, [oc.BookingConfirmed(bookings[bid]),
                     oc.PlanChanged(changed_vehicles(state.plan, plan))]

    def _cancel(self, state: DispatchState, e: ev.CancelBooking
                ) -> tuple[DispatchState, list[Outcome]]:
        booking = state.bookings.get(e.booking_id)
        if booking is None:
            return state, [oc.EventRejected(RejectionReason.UNKNOWN_BOOKING,
                                            f"no booking {e.booking_id}")]
        if booking.status is BookingStatus.CANCELLED:
            return state, [oc.BookingCancelled(booking.id)]  # idempotent
        if booking.status is not BookingStatus.CONFIRMED:
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            f"booking {booking.id} is {booking.status}: "
                                            "it can no longer be cancelled")]
        vid = state.plan.vehicle_of(booking.id)
        plan = without_request(state.plan, booking.id)
        bookings = {**state.bookings,
                    booking.id: replace(booking, status=BookingStatus.CANCELLED)}
        new = replace(state, plan=plan, bookings=bookings, now=max(state.now, e.now),
                      at_risk=state.at_risk - {booking.id})
        out: list[Outcome] = [oc.BookingCancelled(booking.id)]
        if vid is not None:
            out.append(oc.PlanChanged((vid,)))
        return new, out

    def _vehicle_moved(self, state: DispatchState, e: ev.VehicleMoved
                       ) -> tuple[DispatchState, list[Outcome]]:
        vehicle = state.vehicle(e.vehicle_id)
        if vehicle is None:
            return state, [_unknown_vehicle(e.vehicle_id)]
        if vehicle.available_at is not None and e.at < vehicle.available_at:
            return state, []  # older than what the van last said: a late, out-of-order report
        # The head stop gets locked by the re-check once the plan says the van has left for
        # it; a report alone does not lock it (GPS jitter at a depot is not a departure).
        moved = replace(vehicle, position=e.position, available_at=e.at)
        new = replace(state, vehicles=replace_vehicle(state.vehicles, moved),
                      now=max(state.now, e.at), silent=state.silent - {vehicle.id})
        return self._recheck(new, [vehicle.id], [])

    def _stop_reported(self, state: DispatchState, e: ev.StopReported
                       ) -> tuple[DispatchState, list[Outcome]]:
        vehicle = state.vehicle(e.vehicle_id)
        if vehicle is None:
            return state, [_unknown_vehicle(e.vehicle_id)]
        booking = state.bookings.get(e.booking_id)
        if booking is None:
            return state, [oc.EventRejected(RejectionReason.UNKNOWN_BOOKING,
                                            f"no booking {e.booking_id}")]
        if booking.vehicle_id != vehicle.id or not booking.active:
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            f"booking {booking.id} is {booking.status} on "
                                            f"{booking.vehicle_id}, not active on {vehicle.id}")]
        expected = StopKind.DROPOFF if booking.status is BookingStatus.ONBOARD \
            else StopKind.PICKUP
        needs = {"arrived": expected, "picked_up": StopKind.PICKUP,
                 "no_show": StopKind.PICKUP, "dropped_off": StopKind.DROPOFF,
                 "not_home": StopKind.DROPOFF}
        if e.what == "not_home" and (not booking.is_parcel or booking.return_to is not None):
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            f"booking {booking.id}: not_home is for a parcel's "
                                            "delivery (not its return)")]
        if e.kind is not expected or needs[e.what] is not expected:
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            f"booking {booking.id} is {booking.status}: "
                                            f"{e.what} at its {e.kind} does not fit")]
        now = max(state.now, e.at)
        state = replace(state, silent=state.silent - {vehicle.id}) if vehicle.id in state.silent \
            else state
        req = booking.request
        place = req.origin if expected is StopKind.PICKUP else \
            (booking.return_to or req.destination)
        at_stop = replace(vehicle, position=place, available_at=e.at)
        bookings = dict(state.bookings)
        plan = state.plan
        out: list[Outcome] = []
        if e.what == "arrived":
            plan = _to_head(plan, vehicle.id, Stop(booking.id, expected, locked=True))
            there = replace(state, plan=plan, vehicles=replace_vehicle(state.vehicles, at_stop),
                            now=now)
            new = replace(there, arrivals={**state.arrivals, booking.id: e.at})
            if expected is StopKind.PICKUP and not booking.is_parcel:
                new = self._hold_boarding(there, new, booking, e.at)
            return self._recheck(new, [vehicle.id], out)
        if e.what == "picked_up":
            plan = without_request(plan, booking.id, [StopKind.PICKUP])
            at_stop = replace(at_stop, onboard=(*vehicle.onboard, booking.id))
            bookings[booking.id] = replace(booking, status=BookingStatus.ONBOARD,
                                           picked_up_at=e.at)
            out.append(oc.RiderPickedUp(booking.id, e.at))
        elif e.what == "dropped_off":
            plan = without_request(plan, booking.id, [StopKind.DROPOFF])
            at_stop = replace(at_stop,
                              onboard=tuple(r for r in vehicle.onboard if r != booking.id))
            done = BookingStatus.RETURNED if booking.return_to is not None \
                else BookingStatus.COMPLETED
            bookings[booking.id] = replace(booking, status=done, dropped_off_at=e.at)
            out.append(oc.RiderDroppedOff(booking.id, e.at))
        elif e.what == "not_home":
            returning = replace(booking, return_to=self._return_point(booking, vehicle),
                                return_by=vehicle.shift.latest)
            bookings[booking.id] = returning
            mid = replace(state, plan=without_request(plan, booking.id, [StopKind.DROPOFF]),
                          bookings=bookings, vehicles=replace_vehicle(state.vehicles, at_stop),
                          now=now)
            plan, left = self._return_leg(mid, returning, vehicle.id)
            bookings = mark_waiting(bookings, left)
            out += [oc.ParcelReturning(booking.id, vehicle.id), oc.PlanChanged((vehicle.id,)),
                    *(oc.ParcelDeferred(p) for p in left)]
        else:  # no_show
            arrived = state.arrivals.get(booking.id, e.at)
            may_leave = no_show_deadline(req, arrived, self.policy.no_show_wait)
            if e.at < may_leave:
                return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                                f"a no-show can be reported from {may_leave} s"
                                                f" ({self.policy.no_show_wait} s after the "
                                                "window opens)")]
            plan = without_request(plan, booking.id)
            bookings[booking.id] = replace(booking, status=BookingStatus.NO_SHOW)
            out += [oc.RiderNoShow(booking.id), oc.PlanChanged((vehicle.id,))]
            if booking.welfare:  # a welfare signal, never a penalty (issue 16)
                out.append(oc.WelfareAlert(booking.id, booking.rider_id, e.at))
        arrivals = {k: t for k, t in state.arrivals.items() if k != booking.id}
        new = replace(state, plan=plan, bookings=bookings, arrivals=arrivals, now=now,
                      vehicles=replace_vehicle(state.vehicles, at_stop),
                      at_risk=state.at_risk - ({booking.id} if e.what != "picked_up" else set()))
        return self._recheck(new, [vehicle.id], out)

    def _hold_boarding(self, there: DispatchState, arrived: DispatchState, booking: Booking,
                       at: int) -> DispatchState:
        """``arrived`` (the van reported at the pickup at ``at``), with the boarding held to
        the plan's time when the van is early and boarding at once would break the plan.

        The plan may begin a pickup later than the van gets there: the no-show reserve, or a
        later stop's window that would otherwise keep the rider waiting on board. Boarding
        at once is the rule (the ride then counts from the arrival) unless that breaks the
        van's plan, typically this rider's ride limit, while boarding at the plan's time
        keeps it: then the rider boards at that time (``Booking.board_from``, the driver's
        manifest shows it) and the limit counts from it. A driver who boards earlier all
        the same reports "picked_up" sooner, and the limit counts from that report.
        """
        vid = booking.vehicle_id
        before = planning_problem(there, self.policy, there.now, cache=self.planning)
        sched = evaluate_route(before, there.plan, vid, self.travel).schedules.get(vid)
        if not sched or sched[0].stop.request_id != booking.id:
            return arrived
        planned = int(sched[0].start)
        if planned <= max(at, booking.request.pickup.earliest) \
                or planned > booking.request.pickup.latest:
            return arrived
        now_ok = planning_problem(arrived, self.policy, arrived.now, cache=self.planning)
        if evaluate_route(now_ok, arrived.plan, vid, self.travel).feasible:
            return arrived
        held = replace(arrived, bookings={**arrived.bookings,
                                          booking.id: replace(booking, board_from=planned)})
        later = planning_problem(held, self.policy, held.now, cache=self.planning)
        return held if evaluate_route(later, held.plan, vid, self.travel).feasible else arrived

    def _road_closed(self, state: DispatchState, e: ev.RoadClosed
                     ) -> tuple[DispatchState, list[Outcome]]:
        cid = _closure_id(e.closure)
        closures = (*(c for c in state.closures if _closure_id(c) != cid), e.closure)
        new = replace(state, closures=closures, now=max(state.now, e.now))
        self._sync_closures(new)
        checked, out = self._recheck(new, [v.id for v in new.vehicles], [])
        affected = tuple(sorted(checked.at_risk - state.at_risk))
        return checked, [oc.BookingsAffected(cid, affected), *out]

    def _road_reopened(self, state: DispatchState, e: ev.RoadReopened
                       ) -> tuple[DispatchState, list[Outcome]]:
        closures = tuple(c for c in state.closures if _closure_id(c) != e.closure_id)
        if len(closures) == len(state.closures):
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            f"no active closure {e.closure_id}")]
        new = replace(state, closures=closures, now=max(state.now, e.now))
        self._sync_closures(new)
        checked, out = self._recheck(new, [v.id for v in new.vehicles], [])
        affected = tuple(sorted(checked.at_risk - state.at_risk))
        return checked, [oc.BookingsAffected(e.closure_id, affected), *out]

    def _tick(self, state: DispatchState, e: ev.Tick) -> tuple[DispatchState, list[Outcome]]:
        now = max(state.now, e.now)
        new = state if now == state.now else replace(state, now=now)
        new, out = self._silent_vans(new)
        new, out = self._recheck(new, [v.id for v in new.vehicles], out)
        new, out = self._place_waiting(new, out)
        due = (now - new.last_reoptimised_at >= self.policy.reoptimise_every_s
               or new.confirmed_since_reoptimise >= self.policy.reoptimise_every_bookings)
        if new.disaster is not None and new.disaster.evacuation and new.disaster.waiting:
            new, out = self._evacuate(new, new.disaster.waiting, out)
        if due and any(b.active for b in new.bookings.values()):
            new, more = self._reoptimise(new)
            out += more
        return new, out

    def _declare(self, state: DispatchState, e: ev.DisasterDeclared
                 ) -> tuple[DispatchState, list[Outcome]]:
        if state.disaster is not None:
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            f"event {state.disaster.event_id} is in force: "
                                            "end it first")]
        if not e.closures:
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            "a disaster event closes at least one area")]
        if e.evacuation and not e.shelters:
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            "an evacuation needs at least one shelter")]
        ids = tuple(_closure_id(c) for c in e.closures)
        closures = (*(c for c in state.closures if _closure_id(c) not in ids), *e.closures)
        mode = DisasterMode(e.event_id, e.name, ids, e.now, e.evacuation, tuple(e.shelters),
                            (), e.pickup_within)
        new = replace(state, closures=closures, now=max(state.now, e.now), disaster=mode)
        self._sync_closures(new)
        new, out = self._recheck(new, [v.id for v in new.vehicles], [])
        before = dict(new.bookings)
        if e.evacuation:
            new, out = self._evacuate(new, e.evacuees, out)
        bumped = tuple(o.booking_id for o in out if isinstance(o, oc.BookingBumped))
        rides = tuple(b for b in new.bookings if b not in before and new.bookings[b].evacuation)
        assert new.disaster is not None
        affected = tuple(sorted((new.at_risk - state.at_risk) | set(bumped)))
        started = oc.DisasterStarted(e.event_id, ids, affected, bumped, rides,
                                     tuple(w.id for w in new.disaster.waiting))
        return new, [started, *out]

    def _evacuate(self, state: DispatchState, evacuees: Iterable[Evacuee], out: list[Outcome]
                  ) -> tuple[DispatchState, list[Outcome]]:
        """Place evacuees ahead of ordinary rides (``solver.dispatch.evacuation``): book
        those placed, cancel the ordinary rides that gave way, keep the rest waiting."""
        mode = state.disaster
        assert mode is not None
        now = state.now
        result = evacuate(state, list(evacuees), mode.shelters, now, mode.pickup_within,
                          self.travel, self.policy, self.planning)
        waiting = tuple(result.waiting)
        if not result.placed:
            if waiting == mode.waiting:
                return state, out
            return replace(state, disaster=replace(mode, waiting=waiting)), out
        bookings = dict(state.bookings)
        for bid in result.bumped:
            bookings[bid] = replace(bookings[bid], status=BookingStatus.CANCELLED)
        riders = {w.id: w.rider_id for w in evacuees}
        new_rides = []
        for bid, req in result.placed.items():
            booking = Booking(id=bid, rider_id=riders.get(bid), request=req,
                              vehicle_id=result.plan.vehicle_of(bid) or "", confirmed_at=now,
                              evacuation=True)
            bookings[bid] = booking
            new_rides.append(booking)
        changed = changed_vehicles(state.plan, result.plan)
        new = replace(state, plan=result.plan, bookings=_with_vehicles(bookings, result.plan),
                      disaster=replace(mode, waiting=waiting),
                      at_risk=state.at_risk - set(result.bumped))
        out = [*out, *(oc.BookingBumped(b) for b in result.bumped),
               *(oc.BookingConfirmed(new.bookings[b.id]) for b in new_rides)]
        if mode.waiting and set(result.placed):  # a tick found room for those still waiting
            out.append(oc.EvacuationBooked(tuple(sorted(result.placed))))
        if changed:
            out.append(oc.PlanChanged(changed))
        return self._recheck(new, changed, out)

    def _end_disaster(self, state: DispatchState, e: ev.DisasterEnded
                      ) -> tuple[DispatchState, list[Outcome]]:
        mode = state.disaster
        if mode is None or mode.event_id != e.event_id:
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            f"no event {e.event_id} in force")]
        closures = tuple(c for c in state.closures if _closure_id(c) not in mode.closure_ids)
        new = replace(state, closures=closures, now=max(state.now, e.now), disaster=None)
        self._sync_closures(new)
        new, out = self._recheck(new, [v.id for v in new.vehicles], [])
        if any(b.active for b in new.bookings.values()):  # normal service: re-plan the day
            new, more = self._reoptimise(new)
            out += more
        affected = tuple(sorted(new.at_risk ^ state.at_risk))
        over = oc.DisasterOver(e.event_id, mode.closure_ids, affected,
                               tuple(w.id for w in mode.waiting))
        return new, [over, *out]

    def _add_vehicle(self, state: DispatchState, e: ev.AddVehicle
                     ) -> tuple[DispatchState, list[Outcome]]:
        if state.vehicle(e.vehicle.id) is not None:
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            f"vehicle {e.vehicle.id} exists already")]
        plan = replace(state.plan, routes=(*state.plan.routes, Route(e.vehicle.id)))
        new = replace(state, vehicles=(*state.vehicles, e.vehicle), plan=plan)
        return new, [oc.PlanChanged((e.vehicle.id,))]

    def _prebook(self, state: DispatchState, e: ev.PrebookBatch
                 ) -> tuple[DispatchState, list[Outcome]]:
        now = max(state.now, e.now)
        ids = e.booking_ids or tuple(f"pb-{now}-{i}" for i in range(len(e.asks)))
        if len(ids) != len(e.asks) or len(set(ids)) != len(ids):
            return state, [oc.EventRejected(RejectionReason.INVALID_EVENT,
                                            "one distinct booking id per prebooked ask")]
        out: list[Outcome] = []
        asks: dict[str, RideAsk] = {}
        directs: dict[str, int] = {}
        for bid, ask in zip(ids, e.asks, strict=True):
            if bid in state.bookings:
                out.append(oc.BookingRejected(RejectionReason.DUPLICATE_BOOKING,
                                              f"booking {bid} exists already", bid))
                continue
            ask = replace(ask, now=now)
            outside = _paused(state) or self._outside_area(ask) or self._unfit(state, ask)
            if outside is not None:
                out.append(oc.BookingRejected(outside.reason, outside.message, bid))
                continue
            # The batch plans each ride at its nearest meeting points (it does not choose).
            nearest = self.variants(ask)[:1]
            ask, directs[bid] = nearest[0] if nearest else (ask, UNREACHABLE_S)
            asks[bid] = with_connection(ask, self.policy, directs[bid]) \
                if directs[bid] < UNREACHABLE_S else ask
        requests = {}
        for bid, ask in asks.items():
            req = None if directs[bid] >= UNREACHABLE_S else \
                search_request(ask, self.policy, directs[bid], bid)
            if req is None:
                out.append(oc.BookingRejected(RejectionReason.OUTSIDE_OPERATING_HOURS,
                                              "the asked times cannot be served", bid))
                continue
            requests[bid] = req
        wait = self.policy.no_show_wait
        planned = [no_show_reserve(r, wait) for r in requests.values()]
        problem = planning_problem(state, self.policy, now, extra=planned,
                                   cache=self.planning)
        plan = prebook(problem, state.plan, planned, self.travel, self.policy)
        served = {s.request_id for r in plan.routes for s in r.stops}
        bookings = dict(state.bookings)
        for bid, req in requests.items():
            if bid in served:
                booking = Booking(id=bid, rider_id=asks[bid].rider_id, request=req,
                                  vehicle_id=plan.vehicle_of(bid) or "", confirmed_at=now,
                                  welfare=asks[bid].welfare,
                                  connection=asks[bid].connect)
                bookings[bid] = booking
                out.append(oc.BookingConfirmed(booking))
            else:
                out.append(oc.BookingRejected(RejectionReason.NO_VEHICLE,
                                              "no van can serve this prebooked ride", bid))
        changed = changed_vehicles(state.plan, plan)
        if changed:
            out.append(oc.PlanChanged(changed))
        new = replace(state, plan=plan, bookings=_with_vehicles(bookings, plan), now=now)
        return new, out

    def _train_delayed(self, state: DispatchState, e: ev.TrainDelayed
                       ) -> tuple[DispatchState, list[Outcome]]:
        """Return rides waiting for the late train move their promise by the change of
        delay; each is placed again (any van) at its new time, and the vans re-checked."""
        now = max(state.now, e.now)
        hits = [b for b in state.bookings.values()
                if b.status is BookingStatus.CONFIRMED and b.connection is not None
                and b.connection.kind == "arrival" and b.connection.trip_id == e.trip_id
                and (e.stop_id is None or b.connection.stop_id == e.stop_id)]
        moved = [(b, delayed(b.connection, e.delay_s)) for b in hits if b.connection]
        moved = [(b, c) for b, c in moved if b.connection is not None
                 and c.delay != b.connection.delay]
        if not moved:
            return state, []
        bookings = dict(state.bookings)
        plan = state.plan
        vans: set[str] = set()
        out: list[Outcome] = []
        wait = self.policy.no_show_wait
        for b, c in moved:
            assert b.connection is not None
            request = shifted(b.request, c.delay - b.connection.delay)
            bookings[b.id] = replace(b, request=request, connection=c)
            out.append(oc.ConnectionMoved(b.id, e.trip_id, c.delay, request.pickup))
            vans.add(b.vehicle_id)
            head = plan.route(b.vehicle_id).stops[:1]
            if b.id in state.arrivals or (head and head[0].locked
                                          and head[0].request_id == b.id):
                continue  # the van is at (or on its way to) the station: it waits there
            rest = {k: v for k, v in bookings.items() if k != b.id}
            without = without_request(plan, b.id)
            problem = planning_problem(replace(state, bookings=rest, plan=without),
                                       self.policy, now, extra=[no_show_reserve(request, wait)])
            ins = place(problem, without, no_show_reserve(request, wait), self.travel,
                        self.policy, b.vehicle_id)
            if ins is not None:
                plan = insert(without, ins, b.id)
                vans.add(ins.vehicle_id)
        changed = changed_vehicles(state.plan, plan)
        if changed:
            out.append(oc.PlanChanged(changed))
        new = replace(state, plan=plan, bookings=_with_vehicles(bookings, plan), now=now)
        return self._recheck(new, sorted(vans | set(changed)), out)

    def _ship(self, state: DispatchState, e: ev.ShipParcel
              ) -> tuple[DispatchState, list[Outcome]]:
        pid = e.parcel_id
        if pid in state.bookings:
            return state, [oc.BookingRejected(RejectionReason.DUPLICATE_BOOKING,
                                              f"booking {pid} exists already", pid)]
        now = max(state.now, e.now)
        ask = replace(e.ask, now=now)
        refused = self._parcel_refusal(state, ask)
        request = parcel_request(ask, self.policy, pid) if refused is None else None
        if refused is None and request is None:
            refused = Rejection(RejectionReason.OUTSIDE_HOURS,
                                "the parcel's window ends before it can be collected and "
                                "delivered within the service hours")
        if refused is not None or request is None:
            assert refused is not None
            return state, [oc.BookingRejected(refused.reason, refused.message, pid)]
        problem = planning_problem(state, self.policy, now, extra=[request],
                                   cache=self.planning)
        plan, placed = place_parcels(problem, state.plan, [request], self.travel)
        booking = Booking(id=pid, rider_id=ask.shipper_id, request=request,
                          vehicle_id=placed.get(pid, ""), confirmed_at=now)
        new = replace(state, plan=plan, bookings={**state.bookings, pid: booking}, now=now)
        out: list[Outcome] = [oc.ParcelAccepted(booking)]
        if pid in placed:
            out.append(oc.PlanChanged((placed[pid],)))
        return new, out

    def _parcel_refusal(self, state: DispatchState, ask: ParcelAsk) -> Rejection | None:
        """Why a parcel cannot be taken at all: outside the area, no van with the cargo
        space, no open road."""
        outside = self._outside_area(RideAsk(ask.origin, ask.destination))
        if outside is not None:
            return outside
        fleet = [v.type for v in state.vehicles]
        if fleet and not any(t.cargo_kg >= ask.kg and t.cargo_litres >= ask.litres
                             for t in fleet):
            kg = max(t.cargo_kg for t in fleet)
            litres = max(t.cargo_litres for t in fleet)
            return Rejection(RejectionReason.PARCEL_TOO_LARGE,
                             f"the largest cargo space takes {kg} kg and {litres} l")
        if self._direct(RideAsk(ask.origin, ask.destination)) >= UNREACHABLE_S:
            return Rejection(RejectionReason.UNREACHABLE,
                             "no open road connects the pickup and the delivery address")
        return None

    def _return_point(self, booking: Booking, vehicle: Vehicle) -> Location:
        """Where a parcel nobody took goes back to: its pickup point, or the van's depot."""
        if self.policy.parcel_return_to == "pickup":
            return booking.request.origin
        return vehicle.end_location

    def _return_leg(self, state: DispatchState, booking: Booking, vehicle_id: str
                    ) -> tuple[Plan, list[str]]:
        """The plan with the return drop-off of ``booking`` on its van, at the cheapest place
        after the locked head that keeps every promise. With none, the van's parcels not
        collected yet leave it (they wait; the returning parcel takes their space) and the
        return goes where it fits then, else at the end of the route (the van carries it
        home). Returns the plan and the parcels that left."""
        problem = planning_problem(state, self.policy, state.now, cache=self.planning)
        back = Stop(booking.id, StopKind.DROPOFF)

        def cheapest(plan: Plan) -> Plan | None:
            stops = plan.route(vehicle_id).stops
            head = next((k for k, s in enumerate(stops) if not s.locked), len(stops))
            best: tuple[float, Plan] | None = None
            for k in range(head, len(stops) + 1):
                routes = tuple(Route(vehicle_id, (*stops[:k], back, *stops[k:]))
                               if r.vehicle_id == vehicle_id else r for r in plan.routes)
                trial = replace(plan, routes=routes)
                verdict = evaluate_route(problem, trial, vehicle_id, self.travel)
                if verdict.feasible and (best is None or verdict.cost < best[0]):
                    best = (verdict.cost, trial)
            return None if best is None else best[1]

        found = cheapest(state.plan)
        if found is not None:
            return found, []
        mine = {s.request_id for s in state.plan.route(vehicle_id).stops}
        shed_ids = [p for p in bumpable(state) if p in mine]
        lighter = without_parcels(state.plan, shed_ids)
        found = cheapest(lighter)
        if found is not None:
            return found, shed_ids
        routes = tuple(Route(vehicle_id, (*r.stops, back)) if r.vehicle_id == vehicle_id
                       else r for r in lighter.routes)
        return replace(lighter, routes=routes), shed_ids

    def _place_waiting(self, state: DispatchState, out: list[Outcome]
                       ) -> tuple[DispatchState, list[Outcome]]:
        """Waiting parcels onto routes that now have room (soonest due first)."""
        waiting = waiting_parcels(state, state.now)
        if not waiting:
            return state, out
        requests = [b.request for b in waiting]
        problem = planning_problem(state, self.policy, state.now, extra=requests,
                                   cache=self.planning)
        plan, placed = place_parcels(problem, state.plan, requests, self.travel)
        if not placed:
            return state, out
        bookings = dict(state.bookings)
        for pid, vid in placed.items():
            bookings[pid] = replace(bookings[pid], vehicle_id=vid)
        new = replace(state, plan=plan, bookings=bookings)
        changed = changed_vehicles(state.plan, plan)
        return new, [*out, *(oc.ParcelPlaced(p, v) for p, v in placed.items()),
                     oc.PlanChanged(changed)]

    # ------------------------------------------------------------------ helpers

    def _sync_closures(self, state: DispatchState) -> None:
        """Make the travel source's active closures those of ``state`` (idempotent)."""
        apply = getattr(self.travel, "apply_closures", None)
        if apply is not None:
            apply(list(state.closures))

    def _direct(self, ask: RideAsk) -> int:
        # Both ends in one query: on a road network the rows of a new rider's two places
        # are then searched together (in parallel), and the insertion search finds both.
        ends = [ask.origin, ask.destination]
        return int(self.travel.durations(ends, ends[::-1])[0, 0])

    def variants(self, ask: RideAsk) -> list[tuple[RideAsk, int]]:
        """The asks to search for ``ask`` with their direct times, nearest walks first: one
        per pair of its pickup and drop-off places (``origin_walks`` x ``destination_walks``,
        places outside the area left out) that differ and are connected by an open road;
        the ask itself when it has no meeting points or no pair works. Empty when no open
        road connects anything."""
        if not ask.origin_walks and not ask.destination_walks:
            direct = self._direct(ask)
            return [(ask, direct)] if direct < UNREACHABLE_S else []
        origins = [w for w in ask.origin_walks if self._inside(w.location)] \
            or [Walk(ask.origin)]
        dests = [w for w in ask.destination_walks if self._inside(w.location)] \
            or [Walk(ask.destination)]
        times = self.travel.durations([w.location for w in origins],
                                      [w.location for w in dests])
        found = [(replace(ask, origin=o.location, destination=d.location, origin_walks=(),
                          destination_walks=(), pickup_walk=o, dropoff_walk=d), int(times[i, j]))
                 for i, o in enumerate(origins) for j, d in enumerate(dests)
                 if o.location != d.location and int(times[i, j]) < UNREACHABLE_S]
        if not found:
            door = replace(ask, origin_walks=(), destination_walks=(), pickup_walk=None,
                           dropoff_walk=None)
            return self.variants(door)
        found.sort(key=lambda v: v[0].walk_to_s + v[0].walk_from_s)
        return found

    def _unfit(self, state: DispatchState, ask: RideAsk) -> Rejection | None:
        """A rejection when no van of the fleet could ever carry the group."""
        fleet = [v.type for v in state.vehicles]
        if not fleet:
            return None  # no van at all yet: no capacity, not an unfit group
        lifts = [t for t in fleet if t.wheelchair_places >= ask.wheelchairs]
        if not lifts:
            return Rejection(RejectionReason.NO_WHEELCHAIR_VEHICLE,
                             f"no van of this area carries {ask.wheelchairs} wheelchair(s)")
        if not any(t.seats >= ask.passengers for t in lifts):
            most = max(t.seats for t in lifts)
            return Rejection(RejectionReason.GROUP_TOO_LARGE,
                             f"the largest van takes {most} passengers"
                             + (" with a wheelchair" if ask.wheelchairs else ""))
        return None

    def _outside_area(self, ask: RideAsk) -> Rejection | None:
        for name, loc in (("origin", ask.origin), ("destination", ask.destination)):
            if not self._inside(loc):
                return Rejection(RejectionReason.OUTSIDE_SERVICE_AREA,
                                 f"the {name} lies outside the service area")
        return None

    def _inside(self, loc: Location) -> bool:
        box = self.policy.service_area
        return loc.snap_distance_m <= self.policy.max_snap_distance_m and (
            box is None or _in_box(loc, box))

    def _recheck(self, state: DispatchState, vehicle_ids: Iterable[str], out: list[Outcome]
                 ) -> tuple[DispatchState, list[Outcome]]:
        """Re-time the given vans; re-plan those that break a promise (least damage first,
        see ``repair``); report what stays broken and what recovered.

        A promise at risk is reported once, when it first breaks, with the re-planned
        estimates; ``state.at_risk`` remembers it until the plan keeps it again (reported as
        recovered) or the booking ends.
        """
        vids = list(vehicle_ids)
        # Lock departures first: a van that has left for its head stop by the plan is on its
        # way there (re-ordering it away would send a driving van back on stale clocks).
        # Its remaining stops may still be re-ordered. A van that reported arriving at a
        # pickup keeps it until picked_up or no_show.
        state = self._lock_departed(state, state.now, vids)
        problem = planning_problem(state, self.policy, state.now, cache=self.planning)
        reports = {vid: evaluate_route(problem, state.plan, vid, self.travel) for vid in vids}
        broken = [vid for vid in vids if not reports[vid].feasible]
        plan = repair(problem, state.plan, broken, self.travel, pinned=state.arrivals) \
            if broken else state.plan
        shed_ids: list[str] = []
        if broken:  # a rider comes first: parcels not collected yet leave a damaged van
            plan, shed_ids = shed(problem, plan, broken, self.travel, bumpable(state),
                                  state.arrivals)
        changed = changed_vehicles(state.plan, plan)
        relocked = [vid for vid in vids if plan.route(vid) != state.plan.route(vid)]
        for vid in {*broken, *changed, *relocked}:
            reports[vid] = evaluate_route(problem, plan, vid, self.travel)
        risky: dict[str, str] = {}
        for vid in {*broken, *changed, *relocked}:
            risky.update(at_risk(reports[vid], state.bookings))
        on_checked = {s.request_id for vid in vids for s in plan.route(vid).stops}
        on_checked |= {rid for v in state.vehicles if v.id in vids for rid in v.onboard}
        still = (state.at_risk - on_checked) | set(risky)
        recovered = sorted(b for b in state.at_risk & on_checked if b not in risky)
        if changed:
            out = [*out, oc.PlanChanged(changed)]
        estimates = _estimates([reports[v] for v in vids if v in reports])
        out = [*out, *(oc.PromiseAtRisk(b, risky[b], *estimates.get(b, (None, None)))
                       for b in sorted(risky) if b not in state.at_risk)]
        out = [*out, *(oc.PromiseRecovered(b, *estimates.get(b, (None, None)))
                       for b in recovered)]
        still -= set(shed_ids)
        out = [*out, *(oc.ParcelDeferred(p) for p in shed_ids)]
        flagged, alerts = _connection_alerts(state, estimates, on_checked)
        out = [*out, *alerts]
        if plan == state.plan and still == state.at_risk and flagged == state.connections_at_risk:
            return state, out
        bookings = _with_vehicles(state.bookings, plan) if changed else state.bookings
        if shed_ids:
            bookings = mark_waiting(bookings, shed_ids)
        return replace(state, plan=plan, bookings=bookings, at_risk=frozenset(still),
                       connections_at_risk=flagged), out

    def _silent_vans(self, state: DispatchState) -> tuple[DispatchState, list[Outcome]]:
        """Mark vans silent that have stops and have not reported for ``vehicle_silent_s``
        past the moment their plan expected word (leaving their next stop, by the plan on
        their reported clock); report each once until it reports again."""
        limit = self.policy.vehicle_silent_s
        # the vans' reported clocks
        problem = planning_problem(state, self.policy, None, cache=self.planning)
        silent: set[str] = set()
        out: list[Outcome] = []
        for v in state.vehicles:
            route = state.plan.route(v.id)
            if not route.stops and not v.onboard:
                continue
            last = v.available_at if v.available_at is not None else v.shift.earliest
            expected = last
            sched = evaluate_route(problem, state.plan, v.id, self.travel).schedules.get(v.id)
            if sched:  # a driver reports at the latest on leaving the next stop
                expected = max(last, sched[0].departure)
            if state.now - expected >= limit:
                silent.add(v.id)
                if v.id not in state.silent:
                    out.append(oc.VehicleSilent(v.id, last, state.now - last))
        if silent == state.silent:
            return state, out
        return replace(state, silent=frozenset(silent)), out

    def _lock_departed(self, state: DispatchState, now: int, vehicle_ids: Iterable[str]
                       ) -> DispatchState:
        """Lock the next stop of each given van that has left for it by ``now`` (from then
        on nothing may be inserted before it, and its clock is the reported one): by the
        plan, or by a report placing the van off its stops (under way) at most
        ``early_departure`` (at least ``PING_TOLERANCE_S``) before the plan's departure.
        Drivers leave that early under road noise; a van driving to its head must not get
        another stop put first, which it would learn of only on arrival (a promise broken
        by a quarter of an hour under noise). A van last placed at its depot or by a stop
        report needs the plan's time (an evacuation may still take an idle van's first
        ride). A GPS ping from a van still standing counts as under way too, but only inside
        that allowance: a head locks at most a minute, or two noise deviations of its leg
        (about a fifth of it), too soon."""
        routes = {r.vehicle_id: r for r in state.plan.routes}
        heads = [(vid, routes[vid].stops[0]) for vid in vehicle_ids
                 if vid in routes and routes[vid].stops and not routes[vid].stops[0].locked]
        if not heads:
            return state
        # the vans' clocks as reported
        problem = planning_problem(state, self.policy, None, cache=self.planning)
        vans = {v.id: v for v in state.vehicles}
        legs = []
        for vid, stop in heads:
            req = problem.requests[stop.request_id]
            place = req.origin if stop.kind is StopKind.PICKUP else req.destination
            legs.append((vans[vid].start_location, place))
        durations = leg_durations(self.travel, legs)
        plan = state.plan
        for (vid, _), leg in zip(heads, durations, strict=True):
            sched = evaluate_route(problem, state.plan, vid, self.travel).schedules.get(vid)
            if not sched:
                continue
            left_by = sched[0].arrival - leg  # the plan's departure
            allowance = max(PING_TOLERANCE_S, early_departure(leg, self.policy.travel_time_noise))
            # the bookings scan only inside the allowance, not on every re-check
            if left_by <= now or (left_by - allowance <= now
                                  and _off_its_stops(state, vans[vid])):
                plan = lock_head(plan, vid)
        return state if plan == state.plan else replace(state, plan=plan)

    def _reoptimise(self, state: DispatchState) -> tuple[DispatchState, list[Outcome]]:
        problem = planning_problem(state, self.policy, state.now, cache=self.planning)
        result = reoptimise(problem, state.plan, self.travel, self.policy,
                            state.reoptimise_round)
        new = replace(state, last_reoptimised_at=state.now, confirmed_since_reoptimise=0,
                      reoptimise_round=state.reoptimise_round + 1)
        out: list[Outcome] = [oc.Reoptimised(result.improved, result.cost_before,
                                             result.cost_after, result.vehicle_ids,
                                             state.reoptimise_round)]
        if result.improved:
            new = self.commit_plan(new, result.plan)
            changed = changed_vehicles(state.plan, result.plan)
            if changed:
                out.append(oc.PlanChanged(changed))
            new, out = self._recheck(new, changed, out)
        return new, out

    def sync(self, state: DispatchState) -> None:
        """Make the travel source's closures those of ``state`` (before planning on it)."""
        self._sync_closures(state)

    def recheck(self, state: DispatchState, vehicle_ids: Iterable[str]
                ) -> tuple[DispatchState, list[Outcome]]:
        """Re-time these vans, repair what breaks and report promises at risk or recovered
        (the re-check every event ends with)."""
        self._sync_closures(state)
        return self._recheck(state, vehicle_ids, [])

    def commit_plan(self, state: DispatchState, plan: Plan) -> DispatchState:
        """``state`` with a re-optimised ``plan`` (bookings follow their vans; one more
        committed round). The caller has judged the plan against this state."""
        return replace(state, plan=plan, bookings=_with_vehicles(state.bookings, plan),
                       committed_rounds=state.committed_rounds + 1)


def _booking(e: ev.ConfirmOffer, request: Request, vehicle_id: str, now: int) -> Booking:
    """The booking a confirmation makes, on ``vehicle_id`` at ``now``."""
    return Booking(id=e.booking_id, rider_id=e.offer.ask.rider_id, request=request,
                   vehicle_id=vehicle_id, confirmed_at=now, welfare=e.offer.ask.welfare,
                   connection=e.offer.ask.connect)


def _estimates(reports: Iterable[PlanReport]) -> dict[str, tuple[int | None, int | None]]:
    """Booking id -> (planned pickup start, planned drop-off start) in these reports."""
    out: dict[str, list[int | None]] = {}
    for report in reports:
        for sched in report.schedules.values():
            for stop in sched:
                slot = out.setdefault(stop.stop.request_id, [None, None])
                slot[0 if stop.stop.kind is StopKind.PICKUP else 1] = stop.start
    return {k: (v[0], v[1]) for k, v in out.items()}


# A van pinged from the road up to this long before the plan's departure has left: the ping
# puts it a few metres on, so the plan, timed from there, would have it leave a second or so
# later (a noiseless day inserted a stop before the one a van was driving to: 765 s late).
PING_TOLERANCE_S = 60


def _off_its_stops(state: DispatchState, van: Vehicle) -> bool:
    """Whether the van was last reported somewhere other than its depot or a stop of its
    bookings (a stop report puts it at the stop's place): a ping from the road."""
    here = van.position
    if here is None or here == van.depot:
        return False
    for b in state.bookings.values():
        if b.vehicle_id == van.id and here in (b.request.origin, b.request.destination,
                                               b.return_to):
            return False
    return True


def _paused(state: DispatchState) -> Rejection | None:
    """Ordinary bookings are refused while an evacuation is on."""
    mode = state.disaster
    if mode is None or not mode.evacuation:
        return None
    return Rejection(RejectionReason.PAUSED_FOR_EVACUATION,
                     f"new bookings are paused while the town evacuates ({mode.name}); "
                     "in an emergency call the town office")


def _connection_alerts(state: DispatchState,
                       estimates: dict[str, tuple[int | None, int | None]],
                       checked: set[str]) -> tuple[frozenset[str], list[Outcome]]:
    """Connections whose drop-off estimate passes the departure minus the buffer (alert
    once), or that the plan reaches again; bookings no longer active are forgotten."""
    flagged = {b for b in state.connections_at_risk
               if b in state.bookings and state.bookings[b].active}
    out: list[Outcome] = []
    for bid in sorted(checked):
        booking = state.bookings.get(bid)
        c = booking.connection if booking is not None else None
        drop = estimates.get(bid, (None, None))[1]
        if c is None or c.kind != "departure" or drop is None:
            continue
        if drop > c.deadline and bid not in flagged:
            flagged.add(bid)
            out.append(oc.ConnectionAtRisk(bid, c.stop_id, c.at, drop, c.at - state.now,
                                           c.trip_id))
        elif drop <= c.deadline and bid in flagged:
            flagged.discard(bid)
            out.append(oc.ConnectionRecovered(bid, drop))
    return frozenset(flagged), out


def _unknown_vehicle(vehicle_id: str) -> oc.EventRejected:
    return oc.EventRejected(RejectionReason.UNKNOWN_VEHICLE, f"no vehicle {vehicle_id}")


def _closure_id(closure: Any) -> str:
    return str(getattr(closure, "id", closure))


def _in_box(loc: Location, box: tuple[float, float, float, float]) -> bool:
    min_lon, min_lat, max_lon, max_lat = box
    return min_lon <= loc.lon <= max_lon and min_lat <= loc.lat <= max_lat


def _to_head(plan: Plan, vehicle_id: str, head: Stop) -> Plan:
    """The van's route with ``head`` (same request and kind) moved to the front, locked."""
    routes = []
    for r in plan.routes:
        if r.vehicle_id == vehicle_id:
            rest = tuple(s for s in r.stops
                         if not (s.request_id == head.request_id and s.kind is head.kind))
            r = Route(vehicle_id, (head, *rest))
        routes.append(r)
    return replace(plan, routes=tuple(routes))

"""Parcels riding along (貨客混載): optional, low-priority requests that use the slack of the
passengers' plan and never its promises.

A parcel is a ``Request`` with cargo and no rider (``Request.is_parcel``). It goes on a
van's route only where the insertion's exact check keeps every promise on that route; with
no such place it waits (``Booking.waiting``) and each ``Tick`` tries again. A rider comes
first: when a ride can only be offered, confirmed or kept without the parcels not yet
collected, those parcels leave the plan (``bumpable``, ``shed``) and wait for the next van
with room. Pure functions; the dispatcher calls them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace

from maas.domain import Plan, Problem, Request, StopKind, TimeWindow
from maas.travel import TravelTimeSource
from solver.dispatch.planning import without_request
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.repair import repair, route_damage
from solver.dispatch.state import Booking, BookingStatus, DispatchState, ParcelAsk
from solver.insertion import RouteMemo, best_insertion, insert


def parcel_request(ask: ParcelAsk, policy: DispatchPolicy, parcel_id: str) -> Request | None:
    """The request of a parcel: collect from ``pickup_after`` (not before now or opening),
    deliver by ``deliver_by`` (default: the policy's parcel window, or closing time), with
    the policy's handling times and no ride limit but the window. None when the window
    cannot hold the two handlings."""
    hours = policy.operating_hours
    board, alight = policy.parcel_pickup_handling_s, policy.parcel_delivery_handling_s
    earliest = max(ask.now, hours.earliest, ask.pickup_after or 0)
    if ask.deliver_by is not None:
        latest = ask.deliver_by
    elif policy.parcel_window_s is not None:
        latest = earliest + policy.parcel_window_s
    else:
        latest = hours.latest
    latest = min(latest, hours.latest)
    if latest - earliest < board + alight:
        return None
    return Request(
        id=parcel_id, origin=ask.origin, destination=ask.destination,
        pickup=TimeWindow(earliest, latest - board - alight),
        dropoff=TimeWindow(earliest + board, latest), max_ride=latest - earliest,
        passengers=0, wheelchairs=0, board=board, alight=alight,
        cargo_kg=ask.kg, cargo_litres=ask.litres,
    )


def bumpable(state: DispatchState) -> list[str]:
    """Parcels on a route that no van has set off for or reached yet (their pickup is
    unlocked and no van reported arriving): these may leave the plan for a rider."""
    locked = {s.request_id for r in state.plan.routes for s in r.stops
              if s.locked and s.kind is StopKind.PICKUP}
    planned = {s.request_id for r in state.plan.routes for s in r.stops}
    return sorted(b.id for b in state.bookings.values()
                  if b.is_parcel and b.status is BookingStatus.CONFIRMED and b.id in planned
                  and b.id not in locked and b.id not in state.arrivals)


def without_parcels(plan: Plan, parcel_ids: Iterable[str]) -> Plan:
    """The plan with these parcels' stops removed."""
    for pid in parcel_ids:
        plan = without_request(plan, pid)
    return plan


def place_parcels(problem: Problem, plan: Plan, parcels: Iterable[Request],
                  travel: TravelTimeSource) -> tuple[Plan, dict[str, str]]:
    """The plan with each parcel (in the order given) at its cheapest place that keeps
    every promise, and parcel id -> van for those placed; the others stay out."""
    placed: dict[str, str] = {}
    memo = RouteMemo()  # for this call
    for req in parcels:
        ins = best_insertion(problem, plan, req, travel, cache=memo)
        if ins is not None:
            plan = insert(plan, ins, req.id)
            placed[req.id] = ins.vehicle_id
    return plan, placed


def waiting_parcels(state: DispatchState, now: int) -> list[Booking]:
    """Parcels waiting for a van whose pickup window is still open, soonest due first."""
    return sorted((b for b in state.bookings.values()
                   if b.waiting and b.request.pickup.latest >= now),
                  key=lambda b: (b.request.dropoff.latest, b.id))


def shed(problem: Problem, plan: Plan, vehicle_ids: Iterable[str], travel: TravelTimeSource,
         movable: Collection[str], pinned: Collection[str] = ()) -> tuple[Plan, list[str]]:
    """For each van whose route still breaks a promise: the plan without the parcels in
    ``movable`` on its route, repaired again, when that does less damage. Returns the plan
    and the parcels taken off (they wait for a van)."""
    out: list[str] = []
    for vid in vehicle_ids:
        damage, _ = route_damage(problem, plan, vid, travel)
        if damage.none:
            continue
        mine = [s.request_id for s in plan.route(vid).stops
                if s.kind is StopKind.PICKUP and s.request_id in movable]
        if not mine:
            continue
        trial = repair(problem, without_parcels(plan, mine), [vid], travel, pinned=pinned)
        after, _ = route_damage(problem, trial, vid, travel)
        if after < damage:
            plan = trial
            out += mine
    return plan, out


def mark_waiting(bookings: Mapping[str, Booking], parcel_ids: Iterable[str]
                 ) -> dict[str, Booking]:
    """Bookings with these parcels on no van (waiting)."""
    out = dict(bookings)
    for pid in parcel_ids:
        out[pid] = replace(out[pid], vehicle_id="")
    return out

"""Turning a rider's ask into a request to search with, and a found insertion into a promise."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from maas.domain import Request, TimeWindow
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.state import Offer, RideAsk

SEARCH_ID = "__offer__"


@dataclass(frozen=True, slots=True)
class ServiceTimes:
    """Boarding and alighting seconds of one rider."""

    board: int
    alight: int


def service_times(ask: RideAsk, policy: DispatchPolicy) -> ServiceTimes:
    """The ask's own service times, else the policy's (longer with a wheelchair)."""
    wheel = ask.wheelchairs > 0
    board = ask.board if ask.board is not None else (
        policy.wheelchair_board_seconds if wheel else policy.board_seconds)
    alight = ask.alight if ask.alight is not None else (
        policy.wheelchair_alight_seconds if wheel else policy.alight_seconds)
    return ServiceTimes(board, alight)


def desired_pickup(ask: RideAsk) -> int:
    """The earliest pickup the rider accepts (never before ``now``)."""
    return max(ask.now, ask.pickup_after) if ask.pickup_after is not None else ask.now


def arrival_deadline(ask: RideAsk) -> int | None:
    """For an appointment, when the van must have set the rider down: the asked arrival
    less the walk from the drop-off place (None for other asks)."""
    return None if ask.arrive_before is None else ask.arrive_before - ask.walk_from_s


def search_request(
    ask: RideAsk, policy: DispatchPolicy, direct: int, request_id: str = SEARCH_ID
) -> Request | None:
    """The request the insertion searches with: a pickup window as wide as the rider allows.

    As soon as possible: pickup within ``max_wait`` of now. From a time: within one promise
    window of it. Arrive-by: a pickup that reaches the destination by ``arrive_before`` and
    leaves at most ``arrive_by_slack`` early. ``None`` when the times cannot work at all.
    A walk to a meeting point delays the earliest pickup by its time; a walk from the
    drop-off place advances an appointment's deadline by its time.
    """
    times = service_times(ask, policy)
    max_ride = policy.ride_time.limit(direct)
    hours = policy.operating_hours
    deadline = arrival_deadline(ask)
    if deadline is not None:
        latest = deadline - times.board - direct
        earliest = max(ask.now + ask.walk_to_s, latest - policy.arrive_by_slack,
                       hours.earliest)
        if latest < earliest:
            return None
        pickup = TimeWindow(earliest, latest)
        dropoff = TimeWindow(earliest, deadline)
    else:
        start = max(desired_pickup(ask) + ask.walk_to_s, hours.earliest)
        width = policy.max_wait if ask.pickup_after is None else policy.pickup_window
        end = min(start + width, hours.latest)
        if end < start:
            return None
        pickup = TimeWindow(start, end)
        dropoff = TimeWindow(start, end + times.board + max_ride)
    return Request(
        id=request_id,
        origin=ask.origin,
        destination=ask.destination,
        pickup=pickup,
        dropoff=dropoff,
        max_ride=max_ride,
        passengers=ask.passengers,
        wheelchairs=ask.wheelchairs,
        board=times.board,
        alight=times.alight,
    )


def promise_request(search: Request, planned_pickup: int, policy: DispatchPolicy,
                    arrive_before: int | None) -> Request:
    """The promise around a planned pickup: a window of the policy's width containing it,
    as centred as the rider's own bounds allow, opening at least the no-show reserve before
    the planned pickup (see ``planning.no_show_reserve``), and the latest drop-off that
    follows."""
    width = policy.pickup_window
    reserve = max(0, policy.no_show_wait - search.board)
    lo = min(max(search.pickup.earliest, planned_pickup - width // 2), planned_pickup - reserve)
    lo = max(search.pickup.earliest, lo)
    hi = lo + width
    if arrive_before is not None:
        hi = min(hi, search.pickup.latest)
        lo = min(lo, hi)
        dropoff_by = arrive_before
    else:
        dropoff_by = hi + search.board + search.max_ride
    return Request(
        id=search.id,
        origin=search.origin,
        destination=search.destination,
        pickup=TimeWindow(lo, hi),
        dropoff=TimeWindow(lo, dropoff_by),
        max_ride=search.max_ride,
        passengers=search.passengers,
        wheelchairs=search.wheelchairs,
        board=search.board,
        alight=search.alight,
    )


def offer_id(area: str, version: int, ask: RideAsk, promise: Request) -> str:
    """A deterministic id: the same ask on the same state version gives the same offer id."""
    key = f"{area}|{version}|{ask!r}|{promise.pickup}|{promise.dropoff}"
    return "of_" + hashlib.sha256(key.encode()).hexdigest()[:20]


def make_offer(
    ask: RideAsk, promise: Request, vehicle_id: str, area: str, version: int,
    policy: DispatchPolicy, planned: tuple[int, int],
) -> Offer:
    """The offer shown to the rider for ``promise``."""
    return Offer(
        id=offer_id(area, version, ask, promise),
        ask=ask,
        vehicle_id=vehicle_id,
        pickup=promise.pickup,
        dropoff_by=promise.dropoff.latest,
        max_ride=promise.max_ride,
        expires_at=ask.now + policy.offer_ttl,
        planned_pickup=planned[0],
        planned_dropoff=planned[1],
        board=promise.board,
        alight=promise.alight,
    )

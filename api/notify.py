"""Applying a dispatcher event inside a store write, and turning its outcomes into
server-sent events queued on the same Redis transaction as the state they describe (so an
event is published exactly when its change is committed)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from api.clock import ServiceClock
from api.errors import conflict
from api.store import Write
from api.views import ScheduleCache, manifest
from solver.dispatch import Dispatcher, DispatchState, outcomes
from solver.dispatch.events import Event


def publish_outcomes(
    w: Write,
    clock: ServiceClock,
    state: DispatchState,
    schedules: ScheduleCache,
    results: Iterable[outcomes.Outcome],
) -> None:
    """Queue one event per outcome; a driver is told of their van's changes, a rider of
    their own bookings, the operator of everything."""

    def riders_of(booking_id: str) -> tuple[str, ...]:
        booking = state.bookings.get(booking_id)
        return (booking.rider_id,) if booking is not None and booking.rider_id else ()

    def vans_of(booking_id: str) -> tuple[str, ...]:
        booking = state.bookings.get(booking_id)
        return (booking.vehicle_id,) if booking is not None else ()

    for outcome in results:
        match outcome:
            case outcomes.PlanChanged(vehicle_ids=vans):
                if len(vans) > 3:
                    schedules(state)  # time the whole fleet once rather than van by van
                for van in vans:
                    if state.vehicle(van) is None:
                        continue
                    times = schedules.of_vehicle(state, van)
                    body = manifest(clock, state, times, van).model_dump()
                    w.publish("manifest", body, vehicle_ids=(van,))
            case outcomes.BookingConfirmed(booking=b):
                w.publish("booking_confirmed", {"booking_id": b.id, "vehicle_id": b.vehicle_id},
                          vehicle_ids=(b.vehicle_id,), rider_ids=riders_of(b.id))
            case outcomes.BookingCancelled(booking_id=bid):
                w.publish("booking_cancelled", {"booking_id": bid},
                          vehicle_ids=vans_of(bid), rider_ids=riders_of(bid))
            case outcomes.PromiseAtRisk(booking_id=bid, detail=detail, pickup_estimate=pe,
                                        dropoff_estimate=de):
                w.publish("promise_at_risk", {"booking_id": bid, "detail": detail,
                                              "pickup_estimate": _iso_or_none(clock, pe),
                                              "dropoff_estimate": _iso_or_none(clock, de)},
                          vehicle_ids=vans_of(bid), rider_ids=riders_of(bid))
            case outcomes.PromiseRecovered(booking_id=bid, pickup_estimate=pe,
                                           dropoff_estimate=de):
                w.publish("promise_recovered", {"booking_id": bid,
                                                "pickup_estimate": _iso_or_none(clock, pe),
                                                "dropoff_estimate": _iso_or_none(clock, de)},
                          vehicle_ids=vans_of(bid), rider_ids=riders_of(bid))
            case outcomes.VehicleSilent(vehicle_id=van, last_report_at=last, silent_s=quiet):
                w.publish("vehicle_silent", {"vehicle_id": van, "last_report_at": clock.iso(last),
                                             "silent_seconds": quiet})
            case outcomes.BookingsAffected(closure_id=cid, booking_ids=bids):
                w.publish("bookings_affected", {"closure_id": cid, "booking_ids": list(bids)})
            case outcomes.RiderPickedUp(booking_id=bid, at=at):
                w.publish("picked_up", {"booking_id": bid, "at": clock.iso(at)},
                          vehicle_ids=vans_of(bid), rider_ids=riders_of(bid))
            case outcomes.RiderDroppedOff(booking_id=bid, at=at):
                w.publish("dropped_off", {"booking_id": bid, "at": clock.iso(at)},
                          vehicle_ids=vans_of(bid), rider_ids=riders_of(bid))
            case outcomes.RiderNoShow(booking_id=bid):
                w.publish("no_show", {"booking_id": bid},
                          vehicle_ids=vans_of(bid), rider_ids=riders_of(bid))
            case outcomes.ConnectionAtRisk(booking_id=bid, stop_id=stop, departure=dep,
                                           dropoff_estimate=de, seconds_to_departure=left):
                # The operator's alert: time left to send another van or a taxi.
                w.publish("connection_at_risk", {
                    "booking_id": bid, "stop_id": stop, "departure": clock.iso(dep),
                    "dropoff_estimate": clock.iso(de), "minutes_to_departure": left // 60})
            case outcomes.ConnectionRecovered(booking_id=bid, dropoff_estimate=de):
                w.publish("connection_recovered", {"booking_id": bid,
                                                   "dropoff_estimate": clock.iso(de)})
            case outcomes.ConnectionMoved(booking_id=bid, trip_id=trip, delay_s=delay,
                                          pickup=window):
                w.publish("connection_moved", {
                    "booking_id": bid, "trip_id": trip, "delay_seconds": delay,
                    "pickup_window": {"start": clock.iso(window.earliest),
                                      "end": clock.iso(window.latest)}},
                          vehicle_ids=vans_of(bid), rider_ids=riders_of(bid))
            case outcomes.Reoptimised(improved=improved, cost_before=before, cost_after=after):
                if improved:
                    w.publish("reoptimised", {"cost_before": before, "cost_after": after})
            case _:
                pass


def _iso_or_none(clock: ServiceClock, seconds: int | None) -> str | None:
    return None if seconds is None else clock.iso(seconds)


def apply_event(
    w: Write,
    dispatcher: Dispatcher,
    schedules: ScheduleCache,
    clock: ServiceClock,
    event: Event,
) -> tuple[DispatchState, list[outcomes.Outcome]]:
    """Inside a store write: apply one event, stage the new state and its events.

    An event the dispatcher turns down (``EventRejected``) aborts the write with a 409 that
    carries the dispatcher's reason, and nothing is committed.
    """
    state, results = dispatcher.apply(w.state, event)
    for outcome in results:
        if isinstance(outcome, outcomes.EventRejected):
            raise conflict(outcome.reason.value, outcome.message)
    stage(w, clock, schedules, state, results)
    return state, results


def stage(
    w: Write,
    clock: ServiceClock,
    schedules: ScheduleCache,
    state: DispatchState,
    results: Iterable[outcomes.Outcome],
) -> None:
    """Stage a state the dispatcher computed from ``w.state``, and its outcomes as events."""
    if state.version != w.state.version:  # the dispatcher bumps it whenever anything changed
        w.new_state = state
    publish_outcomes(w, clock, state, schedules, results)


def ask_about_return(w: Write, record: dict[str, Any], why: str) -> None:
    """If ``record`` has a return trip, ask its rider (and tell the operator) whether the
    return still stands now that the outbound ride was ``why`` (cancelled, no_show)."""
    back = record.get("return_booking_id")
    if back:
        w.publish("return_trip_check", {
            "outbound_booking_id": record["id"], "return_booking_id": back, "outbound": why,
            "message": "the outbound ride was " + why.replace("_", "-")
                       + ": does the return trip still stand? cancel it if not"},
            rider_ids=(record.get("rider_id") or "",))

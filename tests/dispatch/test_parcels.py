"""Parcels riding along (貨客混載): accepted onto slack or left waiting, placed by a later
tick, bumped for a rider, and brought back when nobody is home; and the property that no
parcel ever breaks a rider's promise on random days."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maas.domain import Location, StopKind, Vehicle, VehicleType
from solver.dispatch import (
    BookingStatus,
    Dispatcher,
    DispatchState,
    Offer,
    Rejection,
    RejectionReason,
    RideAsk,
)
from solver.dispatch import events as ev
from solver.dispatch import outcomes as oc
from solver.dispatch.parcels import bumpable, parcel_request
from solver.dispatch.state import ParcelAsk
from tests.dispatch.plane import DAY, HOUR, POLICY, TRAVEL, at, report

CARGO = VehicleType("van", 4, 1, cargo_kg=30, cargo_litres=120)
NOW = 8 * HOUR


def cargo_start(vans: int = 1, vtype: VehicleType = CARGO) -> tuple[Dispatcher, DispatchState]:
    fleet = [Vehicle(f"v{i}", vtype, at(0, 0), DAY) for i in range(vans)]
    return Dispatcher(TRAVEL, POLICY), DispatchState.empty("plane", fleet, NOW)


def ship(disp: Dispatcher, state: DispatchState, pid: str, a: Location, b: Location,
         kg: int = 10, litres: int = 20, now: int = NOW, deliver_by: int | None = None
         ) -> tuple[DispatchState, list[oc.Outcome]]:
    ask = ParcelAsk(a, b, kg, litres, deliver_by=deliver_by, now=now, shipper_id="shop")
    return disp.apply(state, ev.ShipParcel(pid, ask, now))


def test_parcel_request_follows_the_policy() -> None:
    """Handling times are the policy's, the window runs to closing ("today") or the
    policy's hours, and there is no ride limit beyond the window."""
    ask = ParcelAsk(at(0, 1000), at(0, 2000), 5, 10, now=NOW)
    req = parcel_request(ask, POLICY, "p")
    assert req is not None and req.is_parcel
    assert (req.board, req.alight) == (POLICY.parcel_pickup_handling_s,
                                       POLICY.parcel_delivery_handling_s)
    assert req.dropoff.latest == POLICY.operating_hours.latest
    assert req.max_ride == req.dropoff.latest - req.pickup.earliest
    two_hours = replace(POLICY, parcel_window_s=2 * HOUR)
    req = parcel_request(ask, two_hours, "p")
    assert req is not None and req.dropoff.latest == NOW + 2 * HOUR
    late = replace(ask, now=POLICY.operating_hours.latest - 60)
    assert parcel_request(late, POLICY, "p") is None


def test_a_parcel_rides_where_there_is_room_and_is_delivered() -> None:
    disp, state = cargo_start()
    state, out = ship(disp, state, "p1", at(1000, 0), at(3000, 0))
    accepted = next(o for o in out if isinstance(o, oc.ParcelAccepted))
    assert accepted.booking.vehicle_id == "v0"
    assert report(disp, state).feasible
    state, _ = disp.apply(state, ev.StopReported("v0", "p1", StopKind.PICKUP, "arrived",
                                                 NOW + 200))
    state, out = disp.apply(state, ev.StopReported("v0", "p1", StopKind.PICKUP, "picked_up",
                                                   NOW + 320))
    assert state.bookings["p1"].status is BookingStatus.ONBOARD
    state, _ = disp.apply(state, ev.StopReported("v0", "p1", StopKind.DROPOFF, "dropped_off",
                                                 NOW + 800))
    assert state.bookings["p1"].status is BookingStatus.COMPLETED


def test_a_parcel_too_large_for_every_van_is_refused() -> None:
    disp, state = cargo_start()
    state2, out = ship(disp, state, "p1", at(1000, 0), at(3000, 0), kg=31)
    assert state2 is state
    refused = next(o for o in out if isinstance(o, oc.BookingRejected))
    assert refused.reason is RejectionReason.PARCEL_TOO_LARGE


def test_without_room_a_parcel_waits_and_a_tick_places_it_later() -> None:
    """Two 20 kg parcels due soon: the second waits (no room beside the first while it is
    on board, no time after it); once the first is delivered it finds room."""
    disp, state = cargo_start()
    due = NOW + 1500
    state, _ = ship(disp, state, "p1", at(3000, 0), at(6000, 0), kg=20, deliver_by=due)
    state, out = ship(disp, state, "p2", at(3100, 0), at(5900, 0), kg=20, deliver_by=NOW + 5000)
    assert state.bookings["p1"].vehicle_id == "v0"
    if state.bookings["p2"].vehicle_id:  # it may fit after p1's delivery already
        assert report(disp, state).feasible
        return
    assert state.bookings["p2"].waiting
    assert "p2" not in {s.request_id for r in state.plan.routes for s in r.stops}
    state, _ = disp.apply(state, ev.StopReported("v0", "p1", StopKind.PICKUP, "arrived",
                                                 NOW + 300))
    state, _ = disp.apply(state, ev.StopReported("v0", "p1", StopKind.PICKUP, "picked_up",
                                                 NOW + 420))
    state, _ = disp.apply(state, ev.StopReported("v0", "p1", StopKind.DROPOFF, "dropped_off",
                                                 NOW + 720))
    state, out = disp.apply(state, ev.Tick(NOW + 730))
    assert any(isinstance(o, oc.ParcelPlaced) and o.booking_id == "p2" for o in out)
    assert state.bookings["p2"].vehicle_id == "v0"
    assert report(disp, state).feasible


def test_a_rider_takes_the_room_of_a_parcel_not_collected_yet() -> None:
    """A van full of cargo-time: a parcel occupies the only van's slack; a rider whose ride
    cannot be served beside it gets an offer anyway (the parcel leaves the plan and waits),
    and the confirmation keeps every promise."""
    disp, state = cargo_start()
    ride = RideAsk(at(-4000, 0), at(-8000, 0), pickup_after=NOW + 600, now=NOW,
                   rider_id="r")
    assert isinstance(disp.offer(state, ride), Offer)
    # The parcel's only window is the rider's time, far the other way.
    state, _ = ship(disp, state, "p1", at(5000, 0), at(8000, 0),
                    deliver_by=NOW + 1800)
    assert state.bookings["p1"].vehicle_id == "v0"
    assert bumpable(state) == ["p1"]
    offer = disp.offer(state, ride)
    assert isinstance(offer, Offer), offer
    state, out = disp.apply(state, ev.ConfirmOffer(offer, "b1", NOW))
    assert state.bookings["b1"].status is BookingStatus.CONFIRMED
    assert any(isinstance(o, oc.ParcelDeferred) and o.booking_id == "p1" for o in out)
    assert state.bookings["p1"].waiting
    assert report(disp, state).feasible


def test_a_parcel_on_board_is_never_bumped() -> None:
    disp, state = cargo_start()
    state, _ = ship(disp, state, "p1", at(1000, 0), at(3000, 0))
    state, _ = disp.apply(state, ev.StopReported("v0", "p1", StopKind.PICKUP, "arrived",
                                                 NOW + 100))
    assert bumpable(state) == []  # the van stands at its pickup
    state, _ = disp.apply(state, ev.StopReported("v0", "p1", StopKind.PICKUP, "picked_up",
                                                 NOW + 220))
    assert bumpable(state) == []


def test_nobody_home_sends_the_parcel_back_to_the_depot() -> None:
    disp, state = cargo_start()
    state, _ = ship(disp, state, "p1", at(1000, 0), at(3000, 0))
    for what, kind, t in (("arrived", StopKind.PICKUP, 100), ("picked_up", StopKind.PICKUP, 220),
                          ("arrived", StopKind.DROPOFF, 500)):
        state, _ = disp.apply(state, ev.StopReported("v0", "p1", kind, what, NOW + t))
    state, out = disp.apply(state, ev.StopReported("v0", "p1", StopKind.DROPOFF, "not_home",
                                                   NOW + 620))
    assert any(isinstance(o, oc.ParcelReturning) for o in out)
    booking = state.bookings["p1"]
    assert booking.status is BookingStatus.ONBOARD and booking.return_to == at(0, 0)
    stops = state.plan.route("v0").stops
    assert [(s.request_id, s.kind) for s in stops] == [("p1", StopKind.DROPOFF)]
    assert report(disp, state).feasible
    # not_home twice, or for a rider, is refused
    _, out = disp.apply(state, ev.StopReported("v0", "p1", StopKind.DROPOFF, "not_home",
                                               NOW + 700))
    assert any(isinstance(o, oc.EventRejected) for o in out)
    state, _ = disp.apply(state, ev.StopReported("v0", "p1", StopKind.DROPOFF, "dropped_off",
                                                 NOW + 900))
    assert state.bookings["p1"].status is BookingStatus.RETURNED


def test_return_to_the_pickup_point_when_the_policy_says_so() -> None:
    fleet = [Vehicle("v0", CARGO, at(0, 0), DAY)]
    disp = Dispatcher(TRAVEL, replace(POLICY, parcel_return_to="pickup"))
    state = DispatchState.empty("plane", fleet, NOW)
    state, _ = ship(disp, state, "p1", at(1000, 0), at(3000, 0))
    for what, kind, t in (("arrived", StopKind.PICKUP, 100), ("picked_up", StopKind.PICKUP, 220),
                          ("arrived", StopKind.DROPOFF, 500), ("not_home", StopKind.DROPOFF, 620)):
        state, _ = disp.apply(state, ev.StopReported("v0", "p1", kind, what, NOW + t))
    assert state.bookings["p1"].return_to == at(1000, 0)


# ------------------------------------------------------------------ the property

coords = st.integers(-5000, 5000)


@st.composite
def mixed_day(draw: st.DrawFn) -> list[tuple[str, int, object]]:
    """A morning of 3 to 10 riders and 2 to 8 parcels, in the order they come in."""
    events: list[tuple[str, int, object]] = []
    for i in range(draw(st.integers(3, 10))):
        t = NOW + 60 * draw(st.integers(0, 90))
        ask = RideAsk(at(draw(coords), draw(coords)), at(draw(coords), draw(coords)),
                      passengers=draw(st.integers(1, 2)), now=t, rider_id=f"r{i}",
                      pickup_after=t + 60 * draw(st.integers(0, 40)))
        events.append(("ride", t, ask))
    for _ in range(draw(st.integers(2, 8))):
        t = NOW + 60 * draw(st.integers(0, 90))
        ask = ParcelAsk(at(draw(coords), draw(coords)), at(draw(coords), draw(coords)),
                        draw(st.integers(1, 15)), draw(st.integers(5, 60)), now=t,
                        deliver_by=t + 60 * draw(st.integers(30, 300)))
        events.append(("parcel", t, ask))
    events.sort(key=lambda e: (e[1], e[0]))
    return events


def _run(events: list[tuple[str, int, object]], with_parcels: bool
         ) -> tuple[DispatchState, set[str], Dispatcher]:
    disp, state = cargo_start(vans=2)
    accepted: set[str] = set()
    for k, (kind, t, ask) in enumerate(events):
        state, _ = disp.apply(state, ev.Tick(t))
        if kind == "parcel":
            if with_parcels:
                assert isinstance(ask, ParcelAsk)
                state, _ = disp.apply(state, ev.ShipParcel(f"p{k}", ask, t))
        else:
            assert isinstance(ask, RideAsk)
            answer = disp.offer(state, ask)
            if isinstance(answer, Rejection):
                continue
            state, _out = disp.apply(state, ev.ConfirmOffer(answer, f"b{k}", t))
            if f"b{k}" in state.bookings:
                accepted.add(f"b{k}")
        problem_report = report(disp, state)
        assert problem_report.feasible, problem_report.violations[:3]
    return state, accepted, disp


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_day())
def test_parcels_never_break_a_riders_promise(events: list[tuple[str, int, object]]) -> None:
    """On random mornings, with parcels shipped between the riders (and ticks placing the
    waiting ones): after every event the plan keeps every promise (the evaluator on the
    vans' clocks, cargo included), and every confirmed rider is on a van."""
    state, accepted, _ = _run(events, with_parcels=True)
    for bid in accepted:
        booking = state.bookings[bid]
        assert not booking.request.is_parcel
        if booking.status is BookingStatus.CONFIRMED:
            assert state.plan.vehicle_of(bid) is not None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_day(), st.integers(-5000, 5000), st.integers(-5000, 5000),
       st.integers(0, 60))
def test_a_ride_served_without_parcels_is_served_with_them(
        events: list[tuple[str, int, object]], x: int, y: int, lead: int) -> None:
    """Riders only make a random plan; parcels then shipped onto it take slack only: the
    riders' stops keep their vans and order, and a new ride that the riders-only plan can
    serve gets an offer on the plan with parcels too, whose confirmation keeps every
    promise (the parcels not collected yet step aside)."""
    rides = [e for e in events if e[0] == "ride"]
    parcels = [e for e in events if e[0] == "parcel"]
    base, _, disp = _run(rides, with_parcels=False)
    t = max(e[1] for e in events)
    base, _ = disp.apply(base, ev.Tick(t))
    state = base
    for k, (_, _, ask) in enumerate(parcels):
        assert isinstance(ask, ParcelAsk)
        state, _ = disp.apply(state, ev.ShipParcel(f"p{k}", replace(ask, now=t), t))
    for route in base.plan.routes:
        riders_only = [s for s in state.plan.route(route.vehicle_id).stops
                       if not state.bookings[s.request_id].is_parcel]
        assert [(s.request_id, s.kind) for s in riders_only] == \
            [(s.request_id, s.kind) for s in route.stops]
    assert report(disp, state).feasible
    ask = RideAsk(at(x, y), at(-y, x), now=t, rider_id="new", pickup_after=t + 60 * lead)
    if not isinstance(disp.offer(base, ask), Offer):
        return
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer), offer
    after, out = disp.apply(state, ev.ConfirmOffer(offer, "new", t))
    assert "new" in after.bookings, out
    assert report(disp, after).feasible

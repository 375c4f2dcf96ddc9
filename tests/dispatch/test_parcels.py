"""Parcels riding along (貨客混載): accepted onto slack or left waiting, placed by a later
tick, bumped for a rider, and brought back when nobody is home; and the property that no
parcel ever breaks a rider's promise on random days."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maas.domain import Location, StopKind, Vehicle, VehicleType
from maas.evaluation import PlanReport
from solver.dispatch import (
    BookingStatus,
    Dispatcher,
    DispatchState,
    Offer,
    RejectionReason,
    RideAsk,
)
from solver.dispatch import events as ev
from solver.dispatch import outcomes as oc
from solver.dispatch.dayrun import DayRun, ScriptedAsk, ScriptedParcel
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
DAY_START = 7 * HOUR


@st.composite
def mixed_day(draw: st.DrawFn) -> tuple[list[ScriptedAsk], list[ScriptedParcel]]:
    """A morning of 3 to 10 riders and 2 to 8 parcels (some with nobody home)."""
    rides = []
    for i in range(draw(st.integers(3, 10))):
        t = DAY_START + 60 * draw(st.integers(0, 120))
        ask = RideAsk(at(draw(coords), draw(coords)), at(draw(coords), draw(coords)),
                      passengers=draw(st.integers(1, 2)), wheelchairs=draw(st.integers(0, 1)),
                      now=t, rider_id=f"r{i}", pickup_after=t + 60 * draw(st.integers(0, 40)))
        cancel = draw(st.one_of(st.none(), st.integers(60, 2400)))
        rides.append(ScriptedAsk(f"b{i}", t, ask, False, cancel, draw(st.booleans())
                                 and draw(st.booleans())))
    parcels = []
    for i in range(draw(st.integers(2, 8))):
        t = DAY_START + 60 * draw(st.integers(0, 120))
        ask = ParcelAsk(at(draw(coords), draw(coords)), at(draw(coords), draw(coords)),
                        draw(st.integers(1, 15)), draw(st.integers(5, 60)), now=t,
                        deliver_by=t + 60 * draw(st.integers(30, 300)))
        parcels.append(ScriptedParcel(f"p{i}", t, ask, draw(st.booleans())
                                      and draw(st.booleans())))
    return (sorted(rides, key=lambda s: (s.asked_at, s.id)),
            sorted(parcels, key=lambda p: (p.asked_at, p.id)))


def _day(rides: list[ScriptedAsk], parcels: list[ScriptedParcel]) -> tuple[DayRun, set[str]]:
    fleet = [Vehicle(f"v{i}", CARGO, at(0, 0), DAY) for i in range(2)]
    policy = replace(POLICY, reoptimise_every_s=1800, reoptimise_every_bookings=4,
                     reoptimise_time_limit_s=0.2)
    disp = Dispatcher(TRAVEL, policy)
    state = DispatchState.empty("plane", fleet, DAY_START - HOUR)
    promises: dict[str, object] = {}

    def check(state: DispatchState, verdict: PlanReport) -> None:
        for bid, booking in state.bookings.items():
            assert promises.setdefault(bid, booking.request) == booking.request
        assert verdict.feasible, (verdict.violations[:3], rides, parcels)

    run = DayRun(disp, state, tick_s=120, check=check)
    result = run.run(rides, DAY_START + 3 * HOUR, parcels)
    assert result.promise_violations == 0, result.violations
    accepted = {s.id for s in rides if s.id in run.state.bookings}
    return run, accepted


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_day())
def test_parcels_never_break_a_riders_promise(
        day: tuple[list[ScriptedAsk], list[ScriptedParcel]]) -> None:
    """Random mornings of riders and parcels, vans driving to plan, nobody home for some
    parcels: every plan of the day keeps every promise (the evaluator on the vans' clocks,
    seats and cargo included), every confirmed ride is completed, cancelled or a no-show,
    and every parcel ends delivered, returned or still waiting (never lost)."""
    rides, parcels = day
    run, _ = _day(rides, parcels)
    for b in run.state.bookings.values():
        if not b.is_parcel:
            assert b.status in (BookingStatus.COMPLETED, BookingStatus.CANCELLED,
                                BookingStatus.NO_SHOW), b
        else:
            assert b.status in (BookingStatus.COMPLETED, BookingStatus.RETURNED) or b.waiting, b
            if b.status is BookingStatus.COMPLETED:
                assert b.dropped_off_at is not None
                assert b.dropped_off_at <= b.request.dropoff.latest + b.request.alight


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_day(), st.integers(-5000, 5000), st.integers(-5000, 5000),
       st.integers(0, 60))
def test_a_ride_served_without_parcels_is_served_with_them(
        day: tuple[list[ScriptedAsk], list[ScriptedParcel]], x: int, y: int, lead: int
        ) -> None:
    """A random plan of riders; parcels then shipped onto it take slack only: the riders'
    stops keep their vans and order, and a new ride that the riders-only plan can serve gets
    an offer on the plan with parcels too, whose confirmation keeps every promise (the
    parcels not collected yet step aside)."""
    rides, parcels = day
    fleet = [Vehicle(f"v{i}", CARGO, at(0, 0), DAY) for i in range(2)]
    disp = Dispatcher(TRAVEL, POLICY)
    t = DAY_START
    base = DispatchState.empty("plane", fleet, t)
    for s in rides:
        offer = disp.offer(base, replace(s.ask, now=t, pickup_after=max(
            t, s.ask.pickup_after or t)))
        if isinstance(offer, Offer):
            base, _ = disp.apply(base, ev.ConfirmOffer(offer, s.id, t))
    state = base
    for p in parcels:
        state, _ = disp.apply(state, ev.ShipParcel(p.id, replace(p.ask, now=t), t))
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

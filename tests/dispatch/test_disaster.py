"""Disaster mode in the dispatcher: a declared flood closes its roads at once, ordinary
bookings are paused with their code, evacuation rides come first (those who need help
first), the end of the event reopens booking and re-plans; a no-show of a flagged rider is a
welfare signal."""

from __future__ import annotations

from dataclasses import replace

import pytest
from shapely.geometry import Point

from maas.domain import Location, StopKind, TimeWindow, Vehicle, VehicleType
from maas.roads import UNREACHABLE, Closure, RoadNetwork
from solver.dispatch import (
    BookingStatus,
    Dispatcher,
    DispatchPolicy,
    DispatchState,
    Offer,
    Rejection,
    RejectionReason,
    RideAsk,
)
from solver.dispatch import events as ev
from solver.dispatch import outcomes as oc
from solver.dispatch.events import StopWhat
from solver.dispatch.state import Evacuee
from tests.dispatch.plane import HOUR, book


@pytest.fixture
def town(demo_network: RoadNetwork):  # type: ignore[no-untyped-def]
    yield demo_network
    demo_network.apply_closures([])


def _loc(net: RoadNetwork, kind: str, name: str) -> Location:
    return net.snap(*net.graph.graph[kind][name])


def _flood(net: RoadNetwork, hamlet: str, cid: str) -> Closure:
    """A small flooded patch on the access road of ``hamlet``."""
    path = net.path(_loc(net, "places", "clinic"), _loc(net, "hamlets", hamlet))
    lat, lon = path[-4]
    return Closure(cid, geometry=Point(lon, lat).buffer(0.0003))


def _state(net: RoadNetwork, vans: int = 2, seats: int = 8) -> DispatchState:
    depot = _loc(net, "places", "depot")
    fleet = [Vehicle(f"v{i}", VehicleType(seats=seats), depot, TimeWindow(7 * HOUR, 19 * HOUR))
             for i in range(vans)]
    return DispatchState.empty("demo", fleet, 9 * HOUR)


def _declare(net: RoadNetwork, now: int, evacuees: tuple[Evacuee, ...] = (),
             within: int = 3600, closures: tuple[Closure, ...] | None = None
             ) -> ev.DisasterDeclared:
    shelters = (_loc(net, "places", "town_hall"), _loc(net, "places", "station"))
    return ev.DisasterDeclared(
        "d1", "flood", closures if closures is not None else (_flood(net, "Okusawa", "d1-1"),),
        now, evacuation=True, shelters=shelters, evacuees=evacuees, pickup_within=within)


def test_a_flood_closes_its_roads_at_once_and_lists_the_affected_rides(town: RoadNetwork
                                                                       ) -> None:
    disp = Dispatcher(town, DispatchPolicy())
    state = _state(town, vans=3)  # the two vans with a cut-off rider cannot take more
    now = state.now
    clinic, okusawa = _loc(town, "places", "clinic"), _loc(town, "hamlets", "Okusawa")
    shimizu = _loc(town, "hamlets", "Shimizu")
    state, _ = book(disp, state, RideAsk(okusawa, clinic, pickup_after=now + 2400, now=now), "ok")
    state, _ = book(disp, state, RideAsk(shimizu, clinic, pickup_after=now + 2400, now=now), "sh")
    floods = (_flood(town, "Okusawa", "d1-1"), _flood(town, "Shimizu", "d1-2"))
    event = replace(_declare(town, now + 60, closures=floods), evacuation=False, shelters=())
    state, out = disp.apply(state, event)
    started = next(o for o in out if isinstance(o, oc.DisasterStarted))
    assert started.closure_ids == ("d1-1", "d1-2")
    assert set(started.affected) == {"ok", "sh"}
    assert town.durations([clinic], [okusawa])[0, 0] >= UNREACHABLE
    assert town.durations([clinic], [shimizu])[0, 0] >= UNREACHABLE
    assert state.disaster is not None and not state.disaster.evacuation
    # Without evacuation, booking goes on.
    station, shop = _loc(town, "places", "station"), _loc(town, "places", "supermarket")
    assert isinstance(disp.offer(state, RideAsk(station, shop, now=now + 60)), Offer)


def test_evacuation_pauses_ordinary_bookings_with_the_code(town: RoadNetwork) -> None:
    disp = Dispatcher(town, DispatchPolicy())
    state = _state(town)
    now = state.now
    station, shop = _loc(town, "places", "station"), _loc(town, "places", "supermarket")
    ask = RideAsk(station, shop, pickup_after=now + 1800, now=now)
    before = disp.offer(state, ask)
    assert isinstance(before, Offer)
    state, _ = disp.apply(state, _declare(town, now + 30))
    refused = disp.offer(state, replace(ask, now=now + 60))
    assert isinstance(refused, Rejection)
    assert refused.reason is RejectionReason.PAUSED_FOR_EVACUATION
    assert "paused" in refused.message and "flood" in refused.message
    # An offer made before the event cannot be confirmed during it.
    new, out = disp.apply(state, ev.ConfirmOffer(before, "late", now + 60))
    assert new is state
    assert [o.reason for o in out if isinstance(o, oc.BookingRejected)] == [
        RejectionReason.PAUSED_FOR_EVACUATION]
    # Prebooked rides are paused too.
    _, out = disp.apply(state, ev.PrebookBatch((ask,), now + 60, ("pb",)))
    assert [o.reason for o in out if isinstance(o, oc.BookingRejected)] == [
        RejectionReason.PAUSED_FOR_EVACUATION]


def test_evacuation_rides_go_to_the_nearest_reachable_shelter(town: RoadNetwork) -> None:
    disp = Dispatcher(town, DispatchPolicy())
    state = _state(town)
    asahi = _loc(town, "hamlets", "Asahi")
    evacuees = (Evacuee("e1", asahi, rider_id="r1"),)
    event = _declare(town, state.now, evacuees)
    state, out = disp.apply(state, event)
    ride = state.bookings["e1"]
    assert ride.evacuation and ride.rider_id == "r1" and ride.status is BookingStatus.CONFIRMED
    times = town.durations([asahi], list(event.shelters))[0]
    assert ride.request.destination == event.shelters[int(times.argmin())]
    started = next(o for o in out if isinstance(o, oc.DisasterStarted))
    assert started.evacuation_rides == ("e1",) and started.waiting == ()


def test_evacuation_comes_before_ordinary_rides_and_those_in_need_first(town: RoadNetwork
                                                                       ) -> None:
    """One van with one seat: the evacuee who needs help is placed first, the other waits,
    and the ordinary ride that no longer fits is bumped."""
    disp = Dispatcher(town, DispatchPolicy())
    state = _state(town, vans=1, seats=1)
    now = state.now
    clinic = _loc(town, "places", "clinic")
    futamata = _loc(town, "hamlets", "Futamata")
    state, _ = book(disp, state, RideAsk(futamata, clinic, pickup_after=now + 900, now=now),
                    "ordinary")
    nakajima = _loc(town, "hamlets", "Nakajima")
    evacuees = (Evacuee("e-able", nakajima), Evacuee("e-help", nakajima, needs_help=True))
    state, out = disp.apply(state, _declare(town, now + 60, evacuees, within=900))
    started = next(o for o in out if isinstance(o, oc.DisasterStarted))
    assert started.evacuation_rides == ("e-help",)
    assert started.waiting == ("e-able",)
    assert started.bumped == ("ordinary",) and "ordinary" in started.affected
    assert state.bookings["ordinary"].status is BookingStatus.CANCELLED
    assert [o.booking_id for o in out if isinstance(o, oc.BookingBumped)] == ["ordinary"]
    assert state.plan.vehicle_of("e-help") == "v0"



def test_nobody_is_bumped_when_no_evacuee_can_be_placed(town: RoadNetwork) -> None:
    disp = Dispatcher(town, DispatchPolicy())
    state = _state(town, vans=1)
    now = state.now
    station, shop = _loc(town, "places", "station"), _loc(town, "places", "supermarket")
    state, _ = book(disp, state, RideAsk(station, shop, pickup_after=now + 900, now=now), "o")
    # The only road to Okusawa is flooded: its evacuee cannot reach a shelter yet.
    okusawa = _loc(town, "hamlets", "Okusawa")
    state, _ = disp.apply(state, _declare(town, now + 60, (Evacuee("e1", okusawa),)))
    assert state.bookings["o"].status is BookingStatus.CONFIRMED
    assert state.disaster is not None and [w.id for w in state.disaster.waiting] == ["e1"]


def test_waiting_evacuees_are_placed_on_a_later_tick(town: RoadNetwork) -> None:
    disp = Dispatcher(town, DispatchPolicy())
    state = _state(town, vans=1, seats=1)
    nakajima = _loc(town, "hamlets", "Nakajima")
    evacuees = (Evacuee("a", nakajima, needs_help=True), Evacuee("b", nakajima))
    state, _ = disp.apply(state, _declare(town, state.now, evacuees, within=900))
    assert state.disaster is not None and [w.id for w in state.disaster.waiting] == ["b"]
    # The van takes "a" to the shelter; the next tick finds it free for "b".
    times = {(s.stop.request_id, s.stop.kind.value): s.start
             for s in disp.schedule(state).schedules["v0"]}
    picked, dropped = times[("a", "pickup")], times[("a", "dropoff")]
    steps: list[tuple[StopWhat, str, int]] = [
        ("arrived", "pickup", picked), ("picked_up", "pickup", picked),
        ("dropped_off", "dropoff", dropped)]
    for what, kind, at in steps:
        state, _ = disp.apply(state, ev.StopReported("v0", "a", StopKind(kind), what, at))
    assert "b" not in state.bookings
    state, out = disp.apply(state, ev.Tick(dropped + 30))
    assert "b" in state.bookings and state.bookings["b"].evacuation
    assert any(isinstance(o, oc.EvacuationBooked) and o.booking_ids == ("b",) for o in out)
    assert state.disaster is not None and state.disaster.waiting == ()


def test_the_end_of_the_event_reopens_roads_and_booking_and_replans(town: RoadNetwork) -> None:
    disp = Dispatcher(town, DispatchPolicy())
    state = _state(town)
    now = state.now
    clinic, okusawa = _loc(town, "places", "clinic"), _loc(town, "hamlets", "Okusawa")
    station, shop = _loc(town, "places", "station"), _loc(town, "places", "supermarket")
    state, _ = book(disp, state, RideAsk(station, shop, pickup_after=now + 1800, now=now), "o")
    state, _ = disp.apply(state, _declare(town, now, (Evacuee("e1", okusawa),)))
    assert isinstance(disp.offer(state, RideAsk(clinic, okusawa, now=now + 60)), Rejection)
    wrong, out = disp.apply(state, ev.DisasterEnded("other", now + 60))
    assert wrong is state and isinstance(out[0], oc.EventRejected)
    state, out = disp.apply(state, ev.DisasterEnded("d1", now + 120))
    over = next(o for o in out if isinstance(o, oc.DisasterOver))
    assert over.closure_ids == ("d1-1",) and over.dropped == ("e1",)
    assert state.disaster is None and state.closures == ()
    assert any(isinstance(o, oc.Reoptimised) for o in out)  # the day is re-planned
    assert town.durations([clinic], [okusawa])[0, 0] < UNREACHABLE
    assert isinstance(disp.offer(state, RideAsk(clinic, okusawa, now=now + 120)), Offer)


def test_a_second_event_while_one_is_in_force_is_refused(town: RoadNetwork) -> None:
    disp = Dispatcher(town, DispatchPolicy())
    event = _declare(town, 9 * HOUR)
    state, _ = disp.apply(_state(town), event)
    again, out = disp.apply(state, replace(event, event_id="d2"))
    assert again is state and isinstance(out[0], oc.EventRejected)


@pytest.mark.parametrize("flagged", [True, False])
def test_a_no_show_of_a_flagged_rider_is_a_welfare_alert(town: RoadNetwork, flagged: bool
                                                        ) -> None:
    disp = Dispatcher(town, DispatchPolicy())
    state = _state(town, vans=1)
    now = state.now
    station, shop = _loc(town, "places", "station"), _loc(town, "places", "supermarket")
    ask = RideAsk(station, shop, pickup_after=now + 1800, now=now, rider_id="r1",
                  welfare=flagged)
    state, _ = book(disp, state, ask, "b1")
    assert state.bookings["b1"].welfare is flagged
    start = state.bookings["b1"].request.pickup.earliest
    state, _ = disp.apply(state, ev.StopReported("v0", "b1", StopKind.PICKUP, "arrived", start))
    late = start + disp.policy.no_show_wait
    state, out = disp.apply(state, ev.StopReported("v0", "b1", StopKind.PICKUP, "no_show", late))
    alerts = [o for o in out if isinstance(o, oc.WelfareAlert)]
    assert alerts == ([oc.WelfareAlert("b1", "r1", late)] if flagged else [])
    # A flagged rider is never banned: the next offer is made as before.
    assert isinstance(disp.offer(state, replace(ask, now=late, pickup_after=late + 1800)),
                      Offer)

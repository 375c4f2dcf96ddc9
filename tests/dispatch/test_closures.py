"""Road closures on the synthetic demo town: affected bookings are named, others are not."""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from maas.domain import TimeWindow, Vehicle, VehicleType
from maas.roads import UNREACHABLE, Closure, RoadNetwork, load_network
from solver.dispatch import Dispatcher, DispatchPolicy, DispatchState, Offer, Rejection, RideAsk
from solver.dispatch import events as ev
from solver.dispatch import outcomes as oc
from tests.dispatch.plane import HOUR, book


@pytest.fixture(scope="module")
def town() -> RoadNetwork:
    """The synthetic demo town (no reference data needed)."""
    return load_network("demo")


def _cut_off(net: RoadNetwork, hamlet: str) -> Closure:
    """A closure of the access road to ``hamlet``, a few hundred metres before it."""
    clinic = net.snap(*net.graph.graph["places"]["clinic"])
    home = net.snap(*net.graph.graph["hamlets"][hamlet])
    path = net.path(clinic, home)
    lat, lon = path[-4]
    return Closure(f"flood-{hamlet}", geometry=Point(lon, lat).buffer(0.0003))


def test_closure_of_the_only_road_to_a_hamlet_names_its_booking(town: RoadNetwork) -> None:
    """Closing a hamlet's access road reports the hamlet's booking and only that one."""
    places, hamlets = town.graph.graph["places"], town.graph.graph["hamlets"]
    depot = town.snap(*places["depot"])
    vans = [Vehicle(f"v{i}", VehicleType(), depot, TimeWindow(7 * HOUR, 19 * HOUR))
            for i in range(2)]
    disp = Dispatcher(town, DispatchPolicy())
    state = DispatchState.empty("demo", vans, 8 * HOUR)
    now = state.now
    clinic, home = town.snap(*places["clinic"]), town.snap(*hamlets["Okusawa"])
    station, shop = town.snap(*places["station"]), town.snap(*places["supermarket"])
    state, _ = book(disp, state, RideAsk(home, clinic, pickup_after=now + 1800, now=now), "home")
    state, _ = book(disp, state, RideAsk(station, shop, pickup_after=now + 1800, now=now), "town")
    closure = _cut_off(town, "Okusawa")

    state, outcomes = disp.apply(state, ev.RoadClosed(closure, now + 60))
    assert town.durations([clinic], [home])[0, 0] >= UNREACHABLE
    affected = [o for o in outcomes if isinstance(o, oc.BookingsAffected)]
    assert affected == [oc.BookingsAffected(closure.id, ("home",))]
    assert {o.booking_id for o in outcomes if isinstance(o, oc.PromiseAtRisk)} == {"home"}
    assert state.closures == (closure,)

    state, outcomes = disp.apply(state, ev.RoadReopened(closure.id, now + 120))
    assert town.durations([clinic], [home])[0, 0] < UNREACHABLE
    assert state.at_risk == frozenset()
    assert state.closures == ()


def test_dispatcher_syncs_the_network_closures_from_the_state(town: RoadNetwork) -> None:
    """Two dispatchers on one network each see the closures of the state they are given."""
    places, hamlets = town.graph.graph["places"], town.graph.graph["hamlets"]
    depot = town.snap(*places["depot"])
    van = Vehicle("v0", VehicleType(), depot, TimeWindow(7 * HOUR, 19 * HOUR))
    ask = RideAsk(town.snap(*hamlets["Okusawa"]), town.snap(*places["clinic"]), now=8 * HOUR)
    open_state = DispatchState.empty("demo", [van], 8 * HOUR)
    closure = _cut_off(town, "Okusawa")
    closed_state = DispatchState.empty("demo", [van], 8 * HOUR)
    closed_state, _ = Dispatcher(town).apply(closed_state, ev.RoadClosed(closure, 8 * HOUR))
    disp = Dispatcher(town)
    assert isinstance(disp.offer(closed_state, ask), Rejection)
    assert isinstance(disp.offer(open_state, ask), Offer)
    assert isinstance(disp.offer(closed_state, ask), Rejection)

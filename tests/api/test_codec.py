"""The Redis codec gives back exactly the dispatch state it was given, and builds nothing
but engine types."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import shapely.geometry

from api import codec
from maas.domain import StopKind, TimeWindow, Vehicle, VehicleType
from maas.roads import Closure, RoadNetwork
from solver.dispatch import BookingStatus, Dispatcher, DispatchState, Offer, RideAsk
from solver.dispatch.events import ConfirmOffer, RoadClosed


def _state_with_booking_and_closure(net: RoadNetwork) -> DispatchState:
    places = net.graph.graph["places"]
    depot = net.snap(*places["depot"])
    van = Vehicle("v1", VehicleType(seats=4), depot, TimeWindow(8 * 3600, 18 * 3600))
    dispatcher = Dispatcher(net)
    state = DispatchState.empty("demo", [van], 9 * 3600)
    ask = RideAsk(net.snap(*places["station"]), net.snap(*places["clinic"]), now=9 * 3600,
                  rider_id="r1")
    offer = dispatcher.offer(state, ask)
    assert isinstance(offer, Offer)
    state, _ = dispatcher.apply(state, ConfirmOffer(offer, "b1", 9 * 3600))
    line = shapely.geometry.LineString([(141.93, 42.97), (141.94, 42.98)])
    state, _ = dispatcher.apply(state, RoadClosed(Closure("c1", geometry=line), 9 * 3600))
    net.apply_closures([])
    return state


def test_state_round_trip_is_equal_with_enum_types_kept(demo_network: RoadNetwork) -> None:
    """A state with a booking and a closure survives JSON unchanged, enums included."""
    state = _state_with_booking_and_closure(demo_network)
    back = codec.loads(codec.dumps(state))
    assert back == state
    assert back.bookings["b1"].status is BookingStatus.CONFIRMED
    assert back.plan.routes[0].stops[0].kind is StopKind.PICKUP
    assert back.closures[0].geometry.equals(state.closures[0].geometry)


def test_split_state_joins_back_and_shares_unchanged_parts(demo_network: RoadNetwork) -> None:
    """A state split into root and parts joins back equal; a change of one booking changes
    one part, the other parts keep their names."""
    state = _state_with_booking_and_closure(demo_network)
    root, parts = codec.split(state)
    assert len(parts) == 3  # the booking, the van's route, the van
    assert codec.join(codec.parse_root(root), parts) == state
    booking = state.bookings["b1"]
    changed = replace(state, bookings={"b1": replace(booking, status=BookingStatus.ONBOARD)})
    _, changed_parts = codec.split(changed)
    assert len(set(changed_parts) - set(parts)) == 1


def test_missing_part_is_reported(demo_network: RoadNetwork) -> None:
    """Joining a root without a part this process never saw raises MissingParts."""
    state = _state_with_booking_and_closure(demo_network)
    cache = codec.PartCache()
    root, _ = codec.split(state, cache)
    tree = codec.parse_root(root)
    tree["bookings"]["__m"][0][1] = {"__r": "0" * 24}
    assert codec.missing_parts(tree, cache) == {"0" * 24}
    with pytest.raises(codec.MissingParts):
        codec.join(tree, {}, cache)


def test_refuses_types_outside_the_engine() -> None:
    """JSON naming a class outside maas/solver is refused, not instantiated."""
    evil = json.dumps({"__t": "subprocess:Popen", "args": ["true"]})
    with pytest.raises(codec.CodecError, match="unknown stored type tag 'subprocess:Popen'"):
        codec.loads(evil)


def test_disaster_mode_and_evacuation_rides_round_trip(demo_network: RoadNetwork) -> None:
    """Issue 16 extends the state (``disaster``, ``Booking.evacuation``/``welfare``): a state
    in evacuation mode with someone waiting comes back equal, and a state stored before the
    extension (no such keys) decodes with the defaults."""
    from solver.dispatch.events import DisasterDeclared
    from solver.dispatch.state import Evacuee

    net = demo_network
    state = _state_with_booking_and_closure(net)
    hamlets, places = net.graph.graph["hamlets"], net.graph.graph["places"]
    flood = Closure("d1-1", geometry=shapely.geometry.Point(141.99, 42.99).buffer(0.003))
    event = DisasterDeclared("d1", "flood", (flood,), 9 * 3600, evacuation=True,
                             shelters=(net.snap(*places["town_hall"]),),
                             evacuees=(Evacuee("e1", net.snap(*hamlets["Asahi"]), "r2"),
                                       Evacuee("e2", net.snap(*hamlets["Togeshita"]))))
    state, _ = Dispatcher(net).apply(state, event)
    net.apply_closures([])
    assert state.disaster is not None and state.bookings["e1"].evacuation
    assert codec.loads(codec.dumps(state)) == state
    old = json.loads(codec.dumps(replace(state, disaster=None)))
    del old["disaster"]
    for tree in old["bookings"]["__m"]:
        inner = json.loads(tree[1]["__f"])
        inner.pop("evacuation"), inner.pop("welfare")
        tree[1]["__f"] = json.dumps(inner, separators=(",", ":"))
    back = codec.from_jsonable(old)
    assert back.disaster is None and not back.bookings["b1"].welfare

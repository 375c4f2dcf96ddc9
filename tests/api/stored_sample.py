"""A dispatch state that holds every stored type (for the codec's registry and migration
tests): built by hand, so the frozen layout-2 fixture (``fixtures/state_v2.json``) and the
object it must read back as come from one place."""

from __future__ import annotations

import shapely.geometry

from maas.domain import (
    Break,
    Location,
    Plan,
    Request,
    Route,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
    VehicleType,
)
from maas.meeting import Walk
from maas.roads import Closure
from solver.dispatch import Booking, BookingStatus, DispatchState, Offer, RideAsk
from solver.dispatch.connections import Connection
from solver.dispatch.state import DisasterMode, Evacuee

DAY = TimeWindow(25_200, 64_800)
DEPOT = Location(42.97, 141.93, (11, 12, 0), 3.5, 1.25)
HOME = Location(42.98, 141.95, (21, 22, 0), 10.0, 4.0)
CLINIC = Location(42.99, 141.96)
STATION = Location(42.975, 141.94, (31, 32, 1), 0.5, 0.0)


def sample_offer() -> Offer:
    """An offer with every optional part of its ask set (meeting points, a train)."""
    walk = Walk(HOME, 120, 90, "mp1", "郵便局前", 42.981, 141.951)
    ask = RideAsk(HOME, STATION, passengers=2, wheelchairs=1, pickup_after=30_000,
                  now=29_000, rider_id="r1", board=90, alight=60, welfare=True,
                  connect=Connection("st1", 36_000, "departure", "t1", "函館本線", "札幌", 300,
                                     120, 0),
                  origin_walks=(walk, Walk(HOME)), destination_walks=(Walk(STATION),),
                  pickup_walk=walk, dropoff_walk=None)
    return Offer("o_1", ask, "v1", TimeWindow(30_000, 30_900), 34_000, 2_400, 29_120, 30_100,
                 33_500, 90, 60)


def sample_state() -> DispatchState:
    """Two vans (one with a break and a position), a ride with a train, a parcel on its
    way back, a closure by geometry and one by edges, and a declared flood."""
    ride = Request("b_20261208_aa", HOME, STATION, TimeWindow(30_000, 30_900),
                   TimeWindow(30_000, 34_000), 2_400, passengers=2, wheelchairs=1, board=90)
    parcel = Request("b_20261208_bb", CLINIC, HOME, DAY, DAY, DAY.width, passengers=0,
                     wheelchairs=0, board=120, alight=120, cargo_kg=5, cargo_litres=20)
    v1 = Vehicle("v1", VehicleType("hiace", 8, 1, 100, 400), DEPOT, DAY, position=STATION,
                 available_at=29_500, onboard=("b_20261208_bb",), end=DEPOT,
                 max_duration=36_000, break_=Break(TimeWindow(43_200, 46_800), 2_700))
    v2 = Vehicle("v2", VehicleType(), DEPOT, TimeWindow(28_800, 57_600))
    bookings = {
        ride.id: Booking(ride.id, "r1", ride, "v1", confirmed_at=29_100,
                         connection=Connection("st1", 36_000, "departure", "t1", "函館本線",
                                               "札幌", 300, 120, 60),
                         board_from=29_900),
        parcel.id: Booking(parcel.id, "s_1", parcel, "v1", BookingStatus.ONBOARD,
                           confirmed_at=26_000, picked_up_at=28_000,
                           return_to=CLINIC, return_by=64_800),
        "e1": Booking("e1", None, Request("e1", HOME, CLINIC, DAY, DAY, 3_600), "v2",
                      BookingStatus.CANCELLED, evacuation=True, welfare=True),
    }
    routes = (Route("v1", (Stop(ride.id, StopKind.PICKUP, locked=True),
                           Stop(parcel.id, StopKind.DROPOFF), Stop(ride.id, StopKind.DROPOFF))),
              Route("v2"))
    line = shapely.geometry.LineString([(141.93, 42.97), (141.94, 42.98)])
    flood = shapely.geometry.Polygon([(141.98, 42.98), (142.0, 42.98), (142.0, 43.0)])
    disaster = DisasterMode("d1", "flood", ("d1-1",), 28_000, evacuation=True,
                            shelters=(CLINIC,),
                            waiting=(Evacuee("e2", HOME, "r2", 2, 1, True), Evacuee("e3", DEPOT)))
    return DispatchState(
        "demo", (v1, v2), Plan(routes, ("b_20261208_cc",)), bookings,
        closures=(Closure("c1", geometry=line), Closure("d1-1", geometry=flood),
                  Closure("c2", edges=frozenset({(1, 2, 0), (2, 1, 0)}))),
        now=29_500, version=7, arrivals={"b_20261208_bb": 28_000}, last_reoptimised_at=29_000,
        confirmed_since_reoptimise=2, reoptimise_round=3, at_risk=frozenset({ride.id}),
        silent=frozenset({"v2"}), committed_rounds=4, disaster=disaster,
        connections_at_risk=frozenset({ride.id}))

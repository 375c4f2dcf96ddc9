"""Operator policy of one service area: how wide promises are, how long offers live, when to
re-optimise. Pure configuration; the dispatcher reads it, never changes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from maas.domain import CostWeights, RideTimePolicy, TimeWindow

if TYPE_CHECKING:
    from maas.service import ServiceDefinition


@dataclass(frozen=True, slots=True)
class DispatchPolicy:
    """Rules the dispatcher applies to every offer and every re-plan (times in seconds).

    ``service_area`` is an optional ``(min_lon, min_lat, max_lon, max_lat)`` box; points
    snapped farther than ``max_snap_distance_m`` from a road count as outside the area too.
    An ask for "as soon as possible" searches pickups within ``max_wait`` of now; the
    promise then narrows to ``pickup_window`` around the planned pickup. Re-optimisation
    runs on a ``Tick`` once ``reoptimise_every_s`` seconds or ``reoptimise_every_bookings``
    confirmations have passed since the last one, over ``reoptimise_vans`` vans at a time
    (rotating through the fleet). ``deterministic`` asks the solver core for
    a search that ends by itself (a local optimum) rather than one cut by the clock, so that
    the same inputs and seed give the same plan; the time limit stays a safety net.
    ``travel_time_margin`` plans every drive that much longer than the road model says, a
    buffer against slow traffic that keeps promises when vans run slower. Its default 0.2
    is the scenario simulator's pick under 10 % travel-time noise: the most promises kept
    per day (docs/benchmarks.md, issue 6); 0 plans on the bare road model.

    An offer takes the soonest pickup (arrive-by: the latest departure that arrives in
    time) among every van's feasible insertions; the operator's added cost breaks ties at
    ``offer_cost_weight`` seconds of the rider's time per unit of cost, never moving the
    pickup more than ``offer_cost_bound_s`` from the best one for the rider. A refused ask
    lists up to ``alternatives`` times on each side of the asked one, at least
    ``alternative_step`` apart and within ``alternative_horizon`` of it. A van that has not
    reported for ``vehicle_silent_s`` while it has stops is reported silent, and its plan
    is judged from the elapsed time. Fleets of at most ``reoptimise_whole_fleet_vans`` vans
    are re-optimised whole; larger ones in neighbourhoods of ``reoptimise_vans`` vans that
    overlap in time and space. A ride to a train arrives by the departure minus
    ``connection_buffer`` with a margin that reaches it on ``connection_confidence`` of days
    under ``travel_time_noise`` (``solver.dispatch.connections.connection_margin``).
    """

    pickup_window: int = 600
    max_wait: int = 1_800
    offer_ttl: int = 120
    alternative_horizon: int = 7_200
    alternative_step: int = 900
    arrive_by_slack: int = 1_800
    reoptimise_every_s: int = 1_200
    reoptimise_every_bookings: int = 10
    reoptimise_time_limit_s: float = 5.0
    reoptimise_iterations: int | None = 150  # per round, deterministic search; None: 3000
    reoptimise_vans: int = 3
    deterministic: bool = True
    prebook_time_limit_s: float = 20.0  # per group of ``reoptimise_vans`` vans
    day_plan_cores: int = 1  # the day's batch plan: 2 = two searches (not when deterministic)
    no_show_wait: int = 180
    ride_time: RideTimePolicy = field(default_factory=RideTimePolicy)
    operating_hours: TimeWindow = field(default_factory=lambda: TimeWindow(7 * 3600, 19 * 3600))
    service_area: tuple[float, float, float, float] | None = None
    max_snap_distance_m: float = 500.0
    board_seconds: int = 60
    alight_seconds: int = 60
    wheelchair_board_seconds: int = 300
    wheelchair_alight_seconds: int = 300
    weights: CostWeights = field(default_factory=CostWeights)
    travel_time_margin: float = 0.2
    seed: int = 0
    # Appended for issue 11 (offers that serve the rider, plans that recover):
    offer_cost_weight: float = 0.25
    offer_cost_bound_s: int = 300
    alternatives: int = 3
    vehicle_silent_s: int = 180
    reoptimise_whole_fleet_vans: int = 6
    # Appended for issue 15 (guaranteed connections, solver.dispatch.connections): the
    # transfer buffer at the stop, the share of days a connection must reach it, and the
    # road model's travel-time noise (deviation of the log of real / modelled drive time).
    connection_buffer: int = 300
    connection_confidence: float = 0.95
    travel_time_noise: float = 0.1
    # Appended for issue 16 (parcels riding along): handling times at the two ends, the
    # default delivery window (None: by closing time, "today") and where a parcel nobody
    # took goes back to ("depot": the van's end of shift, "pickup": where it came from).
    parcel_pickup_handling_s: int = 120
    parcel_delivery_handling_s: int = 120
    parcel_window_s: int | None = None
    parcel_return_to: str = "depot"
    # Appended for issue 11 (refusal rescue, solver.dispatch.rescue): an ask no insertion
    # fits is placed by a solve of ``rescue_iterations`` search steps (None or 0: off) over
    # the ``rescue_vans`` vans nearest the ask (the whole fleet if it has no more).
    rescue_iterations: int | None = 100
    rescue_vans: int = 4


DISABLED = 10**9  # "never" for a re-optimisation trigger the service file turns off


def policy_for_day(svc: ServiceDefinition, d: date, *, provisional: bool = False) -> DispatchPolicy:
    """The dispatcher's policy on service day ``d``, every rule from the service file.

    ``operating_hours`` are ``d``'s hours (the whole day when it has none, so that a plan of a
    closed day refuses nothing by the clock: booking rules refuse it first);
    ``pickup_window`` is the final width, or the provisional width for rides booked for a
    later day (``provisional``). The service area is the file's bbox.
    """
    p = svc.policy
    hours = svc.hours(d) or TimeWindow(0, 86_400)
    transit = svc.transit
    return DispatchPolicy(
        pickup_window=svc.booking.provisional_window_s if provisional else p.pickup_window_s,
        max_wait=p.max_wait_s,
        offer_ttl=p.offer_ttl_s,
        alternative_horizon=p.alternative_horizon_s,
        alternative_step=p.alternative_step_s,
        arrive_by_slack=p.arrive_by_slack_s,
        reoptimise_every_s=DISABLED if p.reoptimise_every_s is None else p.reoptimise_every_s,
        reoptimise_every_bookings=(DISABLED if p.reoptimise_every_bookings is None
                                   else p.reoptimise_every_bookings),
        reoptimise_time_limit_s=p.reoptimise_time_limit_s,
        reoptimise_iterations=p.reoptimise_iterations,
        reoptimise_vans=p.reoptimise_vans,
        deterministic=p.deterministic,
        prebook_time_limit_s=p.prebook_time_limit_s,
        day_plan_cores=p.day_plan_cores,
        no_show_wait=p.no_show_wait_s,
        ride_time=RideTimePolicy(p.ride_time_a_s, p.ride_time_b),
        operating_hours=hours,
        service_area=svc.network.bbox,
        max_snap_distance_m=p.max_snap_distance_m,
        board_seconds=p.board_s,
        alight_seconds=p.alight_s,
        wheelchair_board_seconds=p.wheelchair_board_s,
        wheelchair_alight_seconds=p.wheelchair_alight_s,
        weights=CostWeights(p.weight_travel_time, p.weight_ride_time, p.weight_rejection),
        travel_time_margin=p.travel_time_margin,
        seed=p.seed,
        travel_time_noise=p.travel_time_noise,
        connection_buffer=300 if transit is None else transit.transfer_buffer_s,
        connection_confidence=0.95 if transit is None else transit.connection_confidence,
        parcel_pickup_handling_s=svc.parcels.pickup_handling_s,
        parcel_delivery_handling_s=svc.parcels.delivery_handling_s,
        parcel_window_s=svc.parcels.window_s,
        parcel_return_to=svc.parcels.return_to,
        rescue_iterations=p.rescue_iterations,
        rescue_vans=p.rescue_vans,
    )

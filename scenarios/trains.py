"""Riders to and from trains: seeded trips between homes and one transfer stop, each tied to
a departure or an arrival of the stop's real timetable (``transit:`` in a scenario)."""

from __future__ import annotations

import numpy as np

from maas.errors import InvalidInput, OffNetworkError
from maas.transit import load_feed
from scenarios.config import Scenario
from scenarios.demand import OriginSampler, RoadNetworkLike, TripDemand, population_grid
from solver.dispatch.connections import Connection, ConnectionKind


def train_trips(scenario: Scenario, network: RoadNetworkLike) -> list[TripDemand]:
    """The day's train riders (ids ``t0001``...), none without a ``transit`` section.

    Departures and arrivals are drawn evenly from those an hour or more inside the day's
    span; an outbound rider asks 30 to 90 minutes before their train (or the evening
    before, prebooked), a returning rider likewise before the arrival.
    """
    t = scenario.transit
    if t is None or t.trips == 0:
        return []
    feed = load_feed(scenario.resolve_path(t.feed))
    stop = feed.stop(t.stop)
    try:
        station = network.snap(stop.lat, stop.lon)
    except OffNetworkError as exc:
        msg = f"transit.stop: {t.stop} ({stop.name}) is off the road network: {exc}"
        raise InvalidInput(msg) from exc
    start, end = scenario.day_span
    inside = (start + 3600, end - 3600)
    leaving = [d for d in feed.timetable.departures(t.stop, t.service_date)
               if inside[0] <= d.seconds <= inside[1]]
    coming = [d for d in feed.timetable.arrivals(t.stop, t.service_date)
              if inside[0] <= d.seconds <= inside[1]]
    if not leaving and not coming:
        msg = f"transit: no train at {t.stop} on {t.service_date} inside the service hours"
        raise InvalidInput(msg)
    rng = np.random.default_rng([scenario.demand.seed, 15])
    origins = OriginSampler(network, population_grid(scenario))
    buffer = round(t.buffer_minutes * 60)
    cutoff = scenario.prebook_cutoff_seconds
    sim = scenario.simulation
    trips: list[TripDemand] = []
    while len(trips) < t.trips:
        back = bool(rng.random() < t.return_share) if leaving and coming else not leaving
        pool = coming if back else leaving
        train = pool[int(rng.integers(len(pool)))]
        home = origins.draw(rng)
        if home == station:
            continue
        kind: ConnectionKind = "arrival" if back else "departure"
        connect = Connection(t.stop, train.seconds, kind, train.trip_id, train.route_name,
                             train.headsign, buffer)
        wanted = train.seconds + buffer if back else train.seconds - buffer - 1800
        prebooked = bool(rng.random() < scenario.demand.prebooked_share)
        lead = int(rng.uniform(30, 90) * 60)
        asked = max(cutoff, (train.seconds if back else train.seconds - buffer) - lead)
        cancel_at = None
        if rng.random() < sim.cancel_rate:
            cancel_at = int(rng.integers(asked + 60, max(asked + 61, wanted - 300)))
        trips.append(TripDemand(
            id=f"t{len(trips) + 1:04d}", origin=station if back else home,
            destination=home if back else station, purpose="station", outbound=not back,
            desired_pickup=int(wanted), requested_at=cutoff if prebooked else int(asked),
            prebooked=prebooked, asap=False, passengers=1, wheelchairs=0, board=60,
            alight=60, no_show=bool(rng.random() < sim.no_show_rate), cancel_at=cancel_at,
            decline_draw=float(rng.random()), connect=connect))
    return trips


def train_delays(scenario: Scenario, demand: list[TripDemand] | tuple[TripDemand, ...]
                 ) -> dict[str, int]:
    """The day's late trains: GTFS ``trip_id`` -> delay in seconds, for a seeded share of
    the arriving trains the day's riders come off (``transit.delays``; none without)."""
    t = scenario.transit
    if t is None or t.delays is None:
        return {}
    d = t.delays
    arriving = sorted({trip.connect.trip_id for trip in demand
                       if trip.connect is not None and trip.connect.kind == "arrival"})
    rng = np.random.default_rng([scenario.demand.seed, 17, d.seed])
    late = {}
    for trip_id in arriving:
        if rng.random() < d.share:
            late[trip_id] = round(rng.uniform(d.minutes[0], d.minutes[1]) * 60)
    return late

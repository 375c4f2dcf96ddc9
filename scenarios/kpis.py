"""Key figures of a simulated day: a pure function of the run records (no wall clock)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from scenarios.config import CostConfig
from scenarios.evacuation import evacuation_kpis
from scenarios.records import ParcelStatus, SimulationResult, TripStatus


def _quantiles(values: Sequence[float], keys: Sequence[tuple[str, float]]) -> dict[str, float]:
    if not values:
        return {name: 0.0 for name, _ in keys}
    arr = np.asarray(values, dtype=float)
    return {name: round(float(np.quantile(arr, q)), 3) for name, q in keys}


def vehicle_hours(result: SimulationResult) -> float:
    """Hours vans were out: from each van's first departure to its last arrival."""
    spans: dict[str, tuple[int, int]] = {}
    for leg in result.legs:
        lo, hi = spans.get(leg.vehicle_id, (leg.depart, leg.arrive))
        spans[leg.vehicle_id] = (min(lo, leg.depart), max(hi, leg.arrive))
    return sum(hi - lo for lo, hi in spans.values()) / 3600


def compute_kpis(result: SimulationResult, cost: CostConfig) -> dict[str, Any]:
    """The KPI mapping written to ``kpis.json`` (names fixed by the issue)."""
    trips = result.trips
    status = Counter(t.status for t in trips)
    served = [t for t in trips if t.status is TripStatus.SERVED]
    waits = [t.wait_seconds / 60 for t in served if t.wait_seconds is not None]
    rides = [t.ride_seconds / 60 for t in served if t.ride_seconds is not None]
    detours = [
        t.ride_seconds / t.direct_seconds
        for t in served
        if t.ride_seconds is not None and t.direct_seconds > 0
    ]
    kept = [t.promise_kept for t in served]
    late = [
        (t.pickup_at - t.booking.pickup.latest) / 60
        for t in served
        if t.booking is not None and t.pickup_at is not None
        and t.pickup_at > t.booking.pickup.latest
    ]
    metres = sum(leg.metres for leg in result.legs)
    empty_metres = sum(leg.metres for leg in result.legs if leg.load == 0)
    place_metres = sum(leg.metres * leg.load for leg in result.legs)
    hours = vehicle_hours(result)
    vans_used = len({leg.vehicle_id for leg in result.legs})
    km = metres / 1000
    riders = sum(t.passengers + t.wheelchairs for t in served)
    total_cost = (
        cost.per_vehicle_hour * hours + cost.per_km * km + cost.fixed_per_vehicle_day * vans_used
    )
    fares = cost.fare * riders
    # Rides to a train that were booked and ridden or missed by the service (a rider who
    # cancelled or did not show up is no connection of ours to make).
    to_trains = [t for t in trips if t.connection_made is not None and t.booking is not None
                 and t.status not in (TripStatus.CANCELLED, TripStatus.NO_SHOW)]
    made = sum(bool(t.connection_made) for t in to_trains)
    buffered = sum(bool(t.connection_buffer_kept) for t in to_trains)
    reasons = Counter(t.reject_reason or "unknown" for t in trips
                      if t.status is TripStatus.REJECTED)
    out = {
        "scenario": result.scenario_name,
        "seed": result.seed,
        "synthetic_network": result.synthetic_network,
        "requests": len(trips),
        "served": status[TripStatus.SERVED],
        "rejected": status[TripStatus.REJECTED],
        "cancelled": status[TripStatus.CANCELLED],
        "no_shows": status[TripStatus.NO_SHOW],
        "rejected_by_reason": dict(sorted(reasons.items())),
        "served_share": round(len(served) / len(trips), 4) if trips else 0.0,
        "riders_served": riders,
        "wait_minutes": _quantiles(waits, [("p50", 0.5), ("p90", 0.9), ("max", 1.0)]),
        "promise_kept_share": round(sum(bool(k) for k in kept) / len(kept), 4) if kept else 1.0,
        # How far past the promised window the late pickups started (0 when none was late).
        "late_pickups": len(late),
        "late_pickup_minutes": _quantiles(late, [("p50", 0.5), ("p90", 0.9), ("max", 1.0)]),
        "ride_minutes": _quantiles(rides, [("p50", 0.5), ("p90", 0.9)]),
        "walk_metres": _quantiles([t.walk_metres for t in served], [("p50", 0.5), ("p90", 0.9)]),
        "detour_factor": _quantiles(detours, [("p50", 0.5), ("p90", 0.9)]),
        "vehicles_used": vans_used,
        "vehicle_hours": round(hours, 3),
        "vehicle_km": round(km, 3),
        "empty_km_share": round(empty_metres / metres, 4) if metres else 0.0,
        # Riders (places) on board averaged over the kilometres driven.
        "mean_occupancy": round(place_metres / metres, 4) if metres else 0.0,
        "pooled_share": round(sum(t.shared for t in served) / len(served), 4) if served else 0.0,
        "passengers_per_vehicle_hour": round(riders / hours, 4) if hours else 0.0,
        "currency": cost.currency,
        "cost_total": round(total_cost, 2),
        "cost_per_trip": round(total_cost / len(served), 2) if served else None,
        "fare_revenue": round(fares, 2),
        "fare_recovery_ratio": round(fares / total_cost, 4) if total_cost else 0.0,
        "co2_kg": round(km * cost.co2_kg_per_km, 3),
        "connections": len(to_trains),
        # Caught the train: off the van by the departure; and off by departure - buffer.
        "connections_made_share": round(made / len(to_trains), 4) if to_trains else None,
        "connection_buffer_kept_share": round(buffered / len(to_trains), 4) if to_trains
        else None,
        "connection_at_risk_events": result.connection_at_risk,
        "promise_at_risk_events": result.promise_at_risk,
        "reassigned_at_stop": result.reassigned_at_stop,
        "reoptimisations_adopted": result.replans,
        "welfare_alerts": result.welfare_alerts,
        **({} if (evac := evacuation_kpis(result)) is None else {"evacuation": evac}),
    }
    if result.parcels:
        out.update(parcel_kpis(result))
    if result.late_trains:
        out["late_trains"] = late_train_kpis(result)
    return out


def late_train_kpis(result: SimulationResult) -> dict[str, Any]:
    """Riders coming off late trains (``transit.delays``): how many were booked, met (picked
    up) or missed (the van gave up before the train was in), and the promises kept on
    their rides."""
    late = result.late_trains
    riders = [t for t in result.trips if t.connect is not None and t.connect.kind == "arrival"
              and t.connect.trip_id in late and t.booking is not None
              and t.status is not TripStatus.CANCELLED]
    met = [t for t in riders if t.status is TripStatus.SERVED]
    kept = [t for t in met if t.promise_kept]
    return {
        "trains": len(late), "announced": result.delays_announced,
        "delay_minutes_mean": round(sum(late.values()) / len(late) / 60, 1),
        "riders": len(riders), "met": len(met),
        "missed": sum(t.missed_train for t in riders),
        "met_share": round(len(met) / len(riders), 4) if riders else None,
        "promise_kept_share": round(len(kept) / len(met), 4) if met else None,
    }


def parcel_kpis(result: SimulationResult) -> dict[str, Any]:
    """The parcel figures of a day with parcels (貨客混載): what became of them, the km a
    separate delivery round would have driven less what the vans drove for them, and what
    the parcel stops added to riders' waits and rides (estimates from the day's visits,
    ``scenarios.parcels.parcel_figures``)."""
    parcels = result.parcels
    status = Counter(p.status for p in parcels)
    delivered = status[ParcelStatus.DELIVERED]
    fig = result.parcel_figures
    served = sum(1 for t in result.trips if t.status is TripStatus.SERVED)
    return {
        "parcels": {
            "requests": len(parcels),
            "delivered": delivered,
            "delivered_share": round(delivered / len(parcels), 4),
            "returned": status[ParcelStatus.RETURNED],
            "undelivered": status[ParcelStatus.UNDELIVERED],
            "refused": status[ParcelStatus.REFUSED],
            "truck_round_km": fig.truck_km,
            "van_km_for_parcels": fig.van_km,
        },
        "truck_km_saved": round(fig.truck_km - fig.van_km, 3),
        "parcel_cost_to_passengers": {
            "riders_affected": fig.riders_affected,
            "wait_minutes_added": fig.wait_minutes_added,
            "ride_minutes_added": fig.ride_minutes_added,
            "ride_minutes_added_per_served_rider": round(fig.ride_minutes_added / served, 3)
            if served else 0.0,
        },
    }

"""``trips.csv``: one row per request, times as clock strings and seconds."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from scenarios.records import TripRecord

TRIP_COLUMNS = (
    "request_id", "status", "reject_reason", "purpose", "prebooked", "passengers", "wheelchairs",
    "vehicle_id", "requested_at", "requested_pickup", "promised_pickup_earliest",
    "promised_pickup_latest", "promised_dropoff_latest", "max_ride_minutes", "actual_pickup",
    "actual_dropoff", "wait_minutes", "ride_minutes", "direct_minutes", "detour_factor",
    "direct_km", "ride_km", "walk_m", "shared", "promise_kept", "origin_lat", "origin_lon",
    "destination_lat", "destination_lon",
)


def clock(seconds: int | None) -> str:
    """Seconds since midnight as ``HH:MM:SS`` (empty for none)."""
    if seconds is None:
        return ""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def _minutes(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.2f}"


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def trip_row(t: TripRecord) -> dict[str, str]:
    """The CSV row of one trip."""
    b = t.booking
    ride = t.ride_seconds
    return {
        "request_id": t.request_id,
        "status": t.status.value,
        "reject_reason": t.reject_reason or "",
        "purpose": t.purpose,
        "prebooked": _flag(t.prebooked),
        "passengers": str(t.passengers),
        "wheelchairs": str(t.wheelchairs),
        "vehicle_id": t.vehicle_id or "",
        "requested_at": clock(t.requested_at),
        "requested_pickup": clock(t.desired_pickup),
        "promised_pickup_earliest": clock(b.pickup.earliest if b else None),
        "promised_pickup_latest": clock(b.pickup.latest if b else None),
        "promised_dropoff_latest": clock(b.dropoff.latest if b else None),
        "max_ride_minutes": _minutes(b.max_ride if b else None),
        "actual_pickup": clock(t.pickup_at),
        "actual_dropoff": clock(t.dropoff_at),
        "wait_minutes": _minutes(t.wait_seconds),
        "ride_minutes": _minutes(ride),
        "direct_minutes": _minutes(t.direct_seconds),
        "detour_factor": f"{ride / t.direct_seconds:.3f}" if ride and t.direct_seconds else "",
        "direct_km": f"{t.direct_metres / 1000:.3f}",
        "ride_km": f"{t.ride_metres / 1000:.3f}" if t.pickup_at is not None else "",
        "walk_m": str(t.walk_metres),
        "shared": _flag(t.shared if t.dropoff_at is not None else None),
        # Only a ride can keep a promise: rows that were not served say false.
        "promise_kept": _flag(bool(t.promise_kept)),
        "origin_lat": f"{t.origin.lat:.6f}",
        "origin_lon": f"{t.origin.lon:.6f}",
        "destination_lat": f"{t.destination.lat:.6f}",
        "destination_lon": f"{t.destination.lon:.6f}",
    }


def write_trips_csv(trips: Sequence[TripRecord], path: Path) -> None:
    """Write ``trips.csv`` (one row per request, in request-id order)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=TRIP_COLUMNS)
        writer.writeheader()
        for t in sorted(trips, key=lambda t: t.request_id):
            writer.writerow(trip_row(t))

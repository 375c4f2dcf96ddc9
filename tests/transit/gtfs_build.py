"""A small GTFS feed written for a test: one station with trains to and from a far stop."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def write_station_feed(folder: Path, stop: tuple[str, str, float, float],
                       departures: Sequence[str], arrivals: Sequence[str] = (),
                       start: str = "20260101", end: str = "20271231") -> Path:
    """A feed in ``folder``: ``stop`` (id, name, lat, lon) served by trips leaving at each
    ``departures`` time (HH:MM) towards "Sapporo", and trips arriving at each ``arrivals``
    time from it; every day from ``start`` to ``end``. Returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    sid, name, lat, lon = stop
    far = ("SAP", "Sapporo", lat + 0.5, lon + 0.5)
    (folder / "agency.txt").write_text(
        "agency_id,agency_name,agency_url,agency_timezone\n"
        "jr,Test Railway,https://rail.example/,Asia/Tokyo\n", encoding="utf-8")
    (folder / "stops.txt").write_text(
        "stop_id,stop_name,stop_lat,stop_lon,location_type\n"
        f"{sid},{name},{lat},{lon},0\n{far[0]},{far[1]},{far[2]},{far[3]},0\n", encoding="utf-8")
    (folder / "routes.txt").write_text(
        "route_id,agency_id,route_short_name,route_long_name,route_type\n"
        "L,jr,Limited,Sapporo line,2\n", encoding="utf-8")
    (folder / "calendar.txt").write_text(
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
        f"end_date\nall,1,1,1,1,1,1,1,{start},{end}\n", encoding="utf-8")
    trips = ["route_id,service_id,trip_id,trip_headsign"]
    times = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,"
             "drop_off_type"]
    for i, hhmm in enumerate(departures):
        h, m = (int(p) for p in hhmm.split(":"))
        trips.append(f"L,all,up{i},Sapporo")
        times.append(f"up{i},{h:02d}:{m:02d}:00,{h:02d}:{m:02d}:00,{sid},1,0,1")
        times.append(f"up{i},{h + 2:02d}:{m:02d}:00,{h + 2:02d}:{m:02d}:00,SAP,2,1,0")
    for i, hhmm in enumerate(arrivals):
        h, m = (int(p) for p in hhmm.split(":"))
        trips.append(f"L,all,down{i},{name}")
        times.append(f"down{i},{h - 2:02d}:{m:02d}:00,{h - 2:02d}:{m:02d}:00,SAP,1,0,1")
        times.append(f"down{i},{h:02d}:{m:02d}:00,{h:02d}:{m:02d}:00,{sid},2,1,0")
    (folder / "trips.txt").write_text("\n".join(trips) + "\n", encoding="utf-8")
    (folder / "stop_times.txt").write_text("\n".join(times) + "\n", encoding="utf-8")
    return folder

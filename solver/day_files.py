"""A day's batch problem saved with its travel matrices, so that a solver benchmark runs on
real roads without loading the network: ``{name}.json`` (schema ``maas.solver.day`` v1:
requests, vans, places as plain values, never class names) beside ``{name}.npz`` (int32
``seconds`` and ``metres`` over the places, row and column ``i`` = place ``i``).

Places keep their road edge and offset, so a loaded problem's locations are the very
locations it was made from, and ``MatrixTravel`` answers for exactly them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Final

import numpy as np

from maas.domain import (
    CostWeights,
    Location,
    Problem,
    Request,
    TimeWindow,
    Vehicle,
    VehicleType,
)
from maas.errors import InvalidInput
from maas.travel import MatrixTravel, TravelTimeSource

SCHEMA: Final = "maas.solver.day"
VERSION: Final = 1


def _place(p: Location) -> list[Any]:
    return [p.lat, p.lon, list(p.edge) if p.edge is not None else None, p.offset,
            p.snap_distance_m]


def _location(v: list[Any]) -> Location:
    lat, lon, edge, offset, snap = v
    return Location(lat, lon, None if edge is None else (int(edge[0]), int(edge[1]),
                                                          int(edge[2])), offset, snap)


def _window(w: TimeWindow) -> list[int]:
    return [w.earliest, w.latest]


def places_of(problem: Problem) -> list[Location]:
    """Every place of the problem, in first-seen order (vans first)."""
    seen: dict[Location, None] = {}
    for v in problem.vehicles:
        for p in (v.depot, v.end or v.depot, v.position or v.depot):
            seen.setdefault(p)
    for r in problem.requests.values():
        seen.setdefault(r.origin)
        seen.setdefault(r.destination)
    return list(seen)


def save_day(folder: Path, name: str, problem: Problem, travel: TravelTimeSource,
             meta: dict[str, Any] | None = None) -> Path:
    """Write ``name``'s two files into ``folder``; returns the JSON file. Vans with breaks,
    riders on board or a position of their own are not saved (a prebooked day has none)."""
    for v in problem.vehicles:
        if v.break_ is not None or v.onboard or v.position not in (None, v.depot):
            msg = f"van {v.id}: only a van at its depot without a break is saved"
            raise InvalidInput(msg)
    places = places_of(problem)
    index = {p: i for i, p in enumerate(places)}
    seconds = np.asarray(travel.durations(places, places))
    metres = np.asarray(travel.distances(places, places))
    if max(int(seconds.max()), int(metres.max())) >= 2**31:
        msg = "a travel time or distance does not fit 32 bits (an unreachable place?)"
        raise InvalidInput(msg)
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / f"{name}.npz", seconds=seconds.astype(np.int32),
                        metres=metres.astype(np.int32))
    w = problem.weights
    data = {
        "schema": SCHEMA, "version": VERSION, "name": name, "meta": meta or {},
        "places": [_place(p) for p in places],
        "weights": {k: getattr(w, k) for k in w.__dataclass_fields__},
        "vehicles": [{"id": v.id, "seats": v.type.seats,
                      "wheelchair_places": v.type.wheelchair_places,
                      "cargo_kg": v.type.cargo_kg, "cargo_litres": v.type.cargo_litres,
                      "type": v.type.name, "depot": index[v.depot],
                      "end": index[v.end or v.depot], "shift": _window(v.shift),
                      "max_duration": v.max_duration} for v in problem.vehicles],
        "requests": [{"id": r.id, "origin": index[r.origin],
                      "destination": index[r.destination], "pickup": _window(r.pickup),
                      "dropoff": _window(r.dropoff), "max_ride": r.max_ride,
                      "passengers": r.passengers, "wheelchairs": r.wheelchairs,
                      "board": r.board, "alight": r.alight, "cargo_kg": r.cargo_kg,
                      "cargo_litres": r.cargo_litres} for r in problem.requests.values()],
    }
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    return path


def load_day(path: Path) -> tuple[Problem, MatrixTravel, dict[str, Any]]:
    """The problem, its travel and the maker's ``meta`` of a saved day (``path``: its JSON)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("schema") != SCHEMA or data.get("version") != VERSION:
        msg = f"{path}: not a {SCHEMA} v{VERSION} file"
        raise InvalidInput(msg)
    places = [_location(v) for v in data["places"]]
    with np.load(path.with_suffix(".npz")) as m:
        travel = MatrixTravel(places, m["seconds"], m["metres"])
    vehicles = tuple(Vehicle(
        id=v["id"], type=VehicleType(v["type"], v["seats"], v["wheelchair_places"],
                                     v["cargo_kg"], v["cargo_litres"]),
        depot=places[v["depot"]], shift=TimeWindow(*v["shift"]), end=places[v["end"]],
        max_duration=v["max_duration"]) for v in data["vehicles"])
    requests = {r["id"]: Request(
        id=r["id"], origin=places[r["origin"]], destination=places[r["destination"]],
        pickup=TimeWindow(*r["pickup"]), dropoff=TimeWindow(*r["dropoff"]),
        max_ride=r["max_ride"], passengers=r["passengers"], wheelchairs=r["wheelchairs"],
        board=r["board"], alight=r["alight"], cargo_kg=r["cargo_kg"],
        cargo_litres=r["cargo_litres"]) for r in data["requests"]}
    problem = Problem(requests=requests, vehicles=vehicles,
                      weights=CostWeights(**data["weights"]))
    return problem, travel, dict(data.get("meta", {}))


def day_digest(path: Path) -> str:
    """SHA-256 over a saved day's two files: tells one instance from another."""
    h = hashlib.sha256(path.read_bytes())
    h.update(path.with_suffix(".npz").read_bytes())
    return h.hexdigest()

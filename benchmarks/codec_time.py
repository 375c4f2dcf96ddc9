"""Encode and decode time of a town-sized dispatch state through the store's codec, and the
bytes of one write (issue: stored types by tag, caches owned by the store).

    python benchmarks/codec_time.py [--vans 30] [--bookings 300] [--repeat 50]

A synthetic state (``--vans`` vans, ``--bookings`` bookings spread over their routes, two
stops each; built by hand, no road network) is split and joined as ``api.store.DayStore``
does: cold (an empty part cache: a worker's first read or write), and warm after one booking
changed (the write path: ``split`` of the new and the old state; the read path: ``join`` of
the new root with the one changed part); and writes alternating between two open days (as
bookings for today and tomorrow interleave), each retaining its state's parts after the
write as ``DayStore.write`` does: with one cache per day, or the old module-global one.
Prints medians in milliseconds and the bytes: root, all parts, and one write (root +
changed parts). Runs on this checkout's codec or, on
``PYTHONPATH``, an older one (layout 2: one module-global cache, no ``PartCache``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from api import codec
from maas.domain import (
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
from solver.dispatch import Booking, BookingStatus, DispatchState

NEW = hasattr(codec, "PartCache")


def _state(vans: int, bookings: int, date_id: str = "20261208") -> DispatchState:
    day = TimeWindow(25_200, 64_800)
    fleet = tuple(Vehicle(f"v{k}", VehicleType("hiace", 8, 1), Location(42.97, 141.93, (1, 2, 0)),
                          day, position=Location(42.98 + k / 1e4, 141.94, (3, 4, 0), 5.0, 1.0),
                          available_at=30_000) for k in range(vans))
    held: dict[str, Booking] = {}
    stops: dict[str, list[Stop]] = {v.id: [] for v in fleet}
    for i in range(bookings):
        bid = f"b_{date_id}_{i:04d}"
        a = Location(42.9 + i / 1e4, 141.9, (i, i + 1, 0), 12.5, 3.0)
        b = Location(43.0, 141.9 + i / 1e4, (i + 1, i, 0), 7.5, 2.0)
        at = 30_000 + 90 * i
        req = Request(bid, a, b, TimeWindow(at, at + 900), TimeWindow(at, at + 3_600), 2_400)
        van = fleet[i % vans].id
        held[bid] = Booking(bid, f"r{i}", req, van, confirmed_at=at - 3_600)
        stops[van] += [Stop(bid, StopKind.PICKUP), Stop(bid, StopKind.DROPOFF)]
    plan = Plan(tuple(Route(v, tuple(s)) for v, s in stops.items()))
    return DispatchState("bench", fleet, plan, held, now=30_000, version=bookings)


def _median_ms(run: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vans", type=int, default=30)
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    old = _state(args.vans, args.bookings)
    first = next(iter(old.bookings))
    new = replace(old, bookings={**old.bookings, first: replace(
        old.bookings[first], status=BookingStatus.ONBOARD)})

    def fresh() -> Any:
        if NEW:
            return codec.PartCache()
        codec.retain(set())
        return None

    def split(obj: Any, cache: Any) -> tuple[str, dict[str, str]]:
        return codec.split(obj, cache) if NEW else codec.split(obj)

    def join(tree: Any, parts: dict[str, str], cache: Any) -> Any:
        return codec.join(tree, parts, cache) if NEW else codec.join(tree, parts)

    root, parts = split(old, fresh())
    new_root, new_parts = split(new, fresh())
    changed = {n: t for n, t in new_parts.items() if n not in parts}

    def cold_split() -> None:
        split(old, fresh())

    def cold_join() -> None:
        join(codec.parse_root(root), parts, fresh())

    warm = fresh()
    split(old, warm)

    def warm_write() -> None:  # as DayStore._queue_state: the new state and the old
        split(new, warm)
        split(old, warm)

    reader = fresh()
    join(codec.parse_root(root), parts, reader)

    def warm_read() -> None:
        join(codec.parse_root(new_root), changed, reader)

    other_old = _state(args.vans, args.bookings, "20261209")
    key = next(iter(other_old.bookings))
    other_new = replace(other_old, bookings={**other_old.bookings, key: replace(
        other_old.bookings[key], status=BookingStatus.ONBOARD)})
    days = [(old, new, fresh()), (other_old, other_new, fresh())]
    turn = [0]

    def alternating_write() -> None:  # one day's write, then the other day's on the next call
        before, after, cache = days[turn[0] % 2]
        turn[0] += 1
        names = set(split(after, cache)[1])
        split(before, cache)
        if NEW:
            cache.retain(names)
        else:
            codec.retain(names)

    for _ in range(4):
        alternating_write()  # fill the caches first

    print(json.dumps({
        "codec": "PartCache (layout 3)" if NEW else "module-global cache (layout 2)",
        "vans": args.vans, "bookings": args.bookings, "repeat": args.repeat,
        "root_bytes": len(root), "parts": len(parts),
        "parts_bytes": sum(len(t) for t in parts.values()),
        "write_bytes_one_booking_changed": len(new_root) + sum(len(t) for t in changed.values()),
        "cold_split_ms": _median_ms(cold_split, args.repeat),
        "cold_join_ms": _median_ms(cold_join, args.repeat),
        "warm_write_ms": _median_ms(warm_write, args.repeat),
        "warm_read_ms": _median_ms(warm_read, args.repeat),
        "alternating_days_write_ms": _median_ms(alternating_write, args.repeat)}, indent=1))


if __name__ == "__main__":
    main()

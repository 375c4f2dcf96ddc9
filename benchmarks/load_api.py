"""Load benchmark of the dispatch API (issue 5): 30 vans, 50 concurrent clients offering and
booking against ``maas serve`` with a real redis-server on loopback, in two phases.

    python benchmarks/load_api.py [--vans 30] [--clients 50] [--seconds 60] [--workers 2]
                                  [--warmup 5] [--rate 100] [--book-share 0.06] [--json FILE]

Each phase starts its own redis-server (AOF on, ``appendfsync everysec``, on a free port; never
the one on 6379) and ``maas serve --network demo`` with ``--workers`` uvicorn processes,
registers the fleet and the riders through the API, then runs the clients for ``--seconds``
after ``--warmup`` unmeasured seconds (cold travel-time caches):

* closed loop (saturation): each of the 50 clients sends its next request as soon as the last
  one returned. This finds the most offers per second; its latency is mostly queueing (by
  Little's law mean latency = clients / throughput), so it cannot judge the p99 target.
* open loop (paced at ``--rate``): the 50 clients together send ``--rate`` offers per second
  on a fixed schedule (each client one every ``clients / rate`` seconds, staggered), whether
  or not earlier answers came back, so a slow answer cannot hide later ones (no coordinated
  omission). This is the latency at the target rate.

A client asks for a ride between two random points of the demo town (pickup 5 min to 4 h
ahead) and books the offer with probability ``--book-share``. Nothing completes during the
run (pickups lie ahead), so the plan only grows (with 0.06 at 100 offers/s to about 400
bookings, 30 vans with about 27 committed stops each). Reported side by side with the targets
(offer p99 <= 100 ms, >= 100 offers/s, zero 5xx, zero overbooking), with the dispatcher's own
offer latency in-process on each phase's final state (what HTTP + Redis add) and with the
machine's load average: offers and bookings per second, p50/p99 latency, status counts, 5xx,
and overbookings (the final plan in Redis, judged by the plan evaluator: seats, wheelchair
places, promises).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import numpy as np
import redis

OPERATOR_TOKEN = "bench-operator-" + secrets.token_hex(4)
OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
AREA = "bench"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Any, what: str, timeout: float = 60) -> None:
    """Poll ``check()`` until it is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # not up yet
            pass
        time.sleep(0.1)
    msg = f"{what} did not start"
    raise RuntimeError(msg)


def iso(delta: timedelta) -> str:
    """ISO 8601 time ``delta`` from now."""
    return (datetime.now(UTC) + delta).isoformat()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile in milliseconds (0 when empty)."""
    return float(np.percentile(values, q) * 1000) if values else 0.0


class Results:
    """Latencies and statuses per endpoint."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = {"offer": [], "booking": []}
        self.status: dict[str, Counter[int]] = {"offer": Counter(), "booking": Counter()}
        self.transport_errors = 0

        self.record_from = 0.0  # monotonic time the measured period starts (after warm-up)

    def add(self, kind: str, seconds: float, status: int) -> None:
        if time.monotonic() < self.record_from:
            return
        self.latency[kind].append(seconds)
        self.status[kind][status] += 1


def ride_body(rng: random.Random, points: list[dict[str, float]]) -> dict[str, Any]:
    """A random ride request between two points of the town, pickup 5 min to 4 h ahead."""
    origin, destination = rng.sample(points, 2)
    return {"origin": origin, "destination": destination,
            "passengers": rng.choice([1, 1, 1, 2]),
            "pickup_after": iso(timedelta(minutes=rng.uniform(5, 240)))}


async def offer_and_maybe_book(http: httpx.AsyncClient, rng: random.Random,
                               points: list[dict[str, float]], book_share: float,
                               results: Results) -> None:
    """One rider interaction: ask for an offer, book it with probability ``book_share``."""
    body = ride_body(rng, points)
    book = rng.random() < book_share
    try:
        started = time.perf_counter()
        r = await http.post("/v1/offers", json=body)
        results.add("offer", time.perf_counter() - started, r.status_code)
        if r.status_code == 201 and book:
            started = time.perf_counter()
            b = await http.post("/v1/bookings", json={"offer_id": r.json()["offer_id"]},
                                headers={"Idempotency-Key": secrets.token_hex(8)})
            results.add("booking", time.perf_counter() - started, b.status_code)
    except httpx.HTTPError:
        results.transport_errors += 1


async def closed_client(base: str, token: str, points: list[dict[str, float]], deadline: float,
                        book_share: float, seed: int, results: Results) -> None:
    """One rider app, back to back: the next request as soon as the last one returned."""
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"},
                                 timeout=30) as http:
        while time.monotonic() < deadline:
            await offer_and_maybe_book(http, rng, points, book_share, results)


async def paced_client(base: str, token: str, points: list[dict[str, float]], start: float,
                       deadline: float, interval: float, book_share: float, seed: int,
                       results: Results) -> None:
    """One rider app on a fixed schedule: a request every ``interval`` seconds from ``start``,
    each in its own task, so a slow answer does not delay the next request."""
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=8)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"},
                                 timeout=30, limits=limits) as http:
        tasks = []
        due = start
        while due < deadline:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(
                offer_and_maybe_book(http, random.Random(rng.random()), points, book_share,
                                     results)))
            due += interval
        await asyncio.gather(*tasks)


async def run_clients(base: str, tokens: list[str], points: list[dict[str, float]],
                      args: argparse.Namespace, paced: bool) -> tuple[Results, float]:
    """Run all clients (closed loop, or paced at ``args.rate``); returns the results and the
    measured seconds."""
    results = Results()
    now = time.monotonic()
    results.record_from = now + args.warmup
    deadline = results.record_from + args.seconds
    if paced:
        interval = len(tokens) / args.rate
        runs = [paced_client(base, t, points, now + interval * i / len(tokens), deadline,
                             interval, args.book_share, i, results)
                for i, t in enumerate(tokens)]
    else:
        runs = [closed_client(base, t, points, deadline, args.book_share, i, results)
                for i, t in enumerate(tokens)]
    await asyncio.gather(*runs)
    return results, deadline - results.record_from


def overbooking(redis_url: str, network: Any) -> dict[str, Any]:
    """Judge the final plan in Redis with the plan evaluator: capacity and promises."""
    from api import codec
    from maas.domain import TimeWindow
    from solver.dispatch import Dispatcher, DispatchPolicy

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    tree = codec.parse_root(cast(str, client.get(f"maas:{{{AREA}}}:state")))
    names = sorted(codec.missing_parts(tree))
    texts = dict(zip(names, cast(list[str], client.hmget(f"maas:{{{AREA}}}:parts", names)),
                     strict=True))
    state = codec.join(tree, texts)
    dispatcher = Dispatcher(network, DispatchPolicy(operating_hours=TimeWindow(0, 48 * 3600)))
    report = dispatcher.schedule(state)
    over = 0
    for vehicle in state.vehicles:
        for stop in report.schedules.get(vehicle.id, ()):
            if (stop.load_seats > vehicle.type.seats
                    or stop.load_wheelchairs > vehicle.type.wheelchair_places):
                over += 1
    kinds = Counter(v.kind for v in report.violations)
    return {"state": state, "dispatcher": dispatcher, "overfull_stops": over,
            "capacity_violations": kinds["seats"] + kinds["wheelchairs"],
            "promise_violations": kinds["pickup_window"] + kinds["dropoff_window"]
            + kinds["ride_time"],
            "active_bookings": sum(b.active for b in state.bookings.values())}


def in_process_offers(judged: dict[str, Any], network: Any, points: list[dict[str, float]],
                      n: int = 300) -> list[float]:
    """The dispatcher's own offer latency on the final state (no HTTP, no Redis)."""
    from solver.dispatch import RideAsk

    state, dispatcher = judged["state"], judged["dispatcher"]
    rng = random.Random(7)
    now = state.now
    latencies = []
    for _ in range(n):
        a, b = rng.sample(points, 2)
        ask = RideAsk(network.snap(a["lat"], a["lon"]), network.snap(b["lat"], b["lon"]),
                      pickup_after=now + int(rng.uniform(5, 240) * 60), now=now)
        started = time.perf_counter()
        dispatcher.offer(state, ask)
        latencies.append(time.perf_counter() - started)
    return latencies


def run_phase(args: argparse.Namespace, network: Any, points: list[dict[str, float]],
              paced: bool) -> dict[str, Any]:
    """Start redis-server and ``maas serve``, register the fleet and riders, run the clients,
    judge the final plan; returns the phase's figures."""
    tmp = Path(tempfile.mkdtemp(prefix="maas-load-"))
    redis_port, api_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    redis_proc = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(redis_port),
         "--bind", "127.0.0.1", "--dir", str(tmp), "--appendonly", "yes",
         "--appendfsync", "everysec", "--save", ""], stdout=subprocess.DEVNULL)
    env = {**os.environ, "MAAS_OPERATOR_TOKEN": OPERATOR_TOKEN, "MAAS_REDIS_URL": redis_url,
           "MAAS_AREA": AREA, "MAAS_OPERATING_HOURS": "00:00-48:00"}
    maas = Path(sys.executable).parent / "maas"
    api = None
    try:
        wait_for(lambda: redis.Redis(port=redis_port).ping(), "redis-server")
        with (tmp / "serve.err").open("wb") as err:
            api = subprocess.Popen([str(maas), "serve", "--network", "demo", "--port",
                                    str(api_port), "--workers", str(args.workers)],
                                   env=env, stdout=subprocess.DEVNULL, stderr=err)
        base = f"http://127.0.0.1:{api_port}"
        wait_for(lambda: httpx.get(f"{base}/readyz").status_code == 200, "maas serve")
        with httpx.Client(base_url=base, headers=OPERATOR, timeout=30) as http:
            depots = random.Random(3).sample(points, args.vans)
            for i, depot in enumerate(depots):
                r = http.post("/v1/vehicles", json={
                    "name": f"van {i + 1}", "seats": 8, "wheelchair_places": 1, "depot": depot,
                    "shift_start": iso(-timedelta(hours=1)),
                    "shift_end": iso(timedelta(hours=12))})
                r.raise_for_status()
            tokens = [http.post("/v1/riders", json={"name": f"rider {i}"}).json()["token"]
                      for i in range(args.clients)]
        results, elapsed = asyncio.run(run_clients(base, tokens, points, args, paced))
        load = os.getloadavg()
        judged = overbooking(redis_url, network)
        direct = in_process_offers(judged, network, points)
    finally:
        for proc in (api, redis_proc):
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    offers, bookings = results.latency["offer"], results.latency["booking"]
    return {
        "mode": f"open loop, paced at {args.rate:g} offers/s" if paced
        else "closed loop (saturation)",
        "seconds": round(elapsed, 1),
        "offers_per_s": round(len(offers) / elapsed, 1),
        "bookings_per_s": round(len(bookings) / elapsed, 1),
        "confirmed_per_s": round(results.status["booking"][201] / elapsed, 1),
        "offer_ms": {q: round(percentile(offers, p), 1)
                     for q, p in (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))},
        "booking_ms": {"p50": round(percentile(bookings, 50), 1),
                       "p99": round(percentile(bookings, 99), 1)},
        "status": {k: dict(sorted(v.items())) for k, v in results.status.items()},
        "5xx": sum(n for c in results.status.values() for s, n in c.items() if s >= 500),
        "transport_errors": results.transport_errors,
        "overfull_stops": judged["overfull_stops"],
        "capacity_violations": judged["capacity_violations"],
        "promise_violations": judged["promise_violations"],
        "active_bookings_in_redis": judged["active_bookings"],
        "in_process_offer_ms": {"p50": round(percentile(direct, 50), 1),
                                "p99": round(percentile(direct, 99), 1)},
        "load_average_at_end": [round(x, 2) for x in load],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vans", type=int, default=30)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds per phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=5,
                        help="seconds of load before measuring (cold travel-time caches)")
    parser.add_argument("--rate", type=float, default=100,
                        help="offers per second of the paced (open-loop) phase")
    parser.add_argument("--book-share", type=float, default=0.06,
                        help="share of offers booked (see the module docstring)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from maas.roads import load_network

    network = load_network("demo")
    points = [{"lat": p.lat, "lon": p.lon} for p in network.random_locations(400, seed=5)]
    load_before = os.getloadavg()
    phases = [run_phase(args, network, points, paced=False),
              run_phase(args, network, points, paced=True)]
    closed, paced = phases

    def both(get: Any) -> tuple[str, str]:
        return str(get(closed)), str(get(paced))

    rows = [
        ("offers/s", *both(lambda f: f["offers_per_s"]), f">= 100 (paced: {args.rate:g} sent)"),
        ("offer p50 ms", *both(lambda f: f["offer_ms"]["p50"]), "-"),
        ("offer p90 ms", *both(lambda f: f["offer_ms"]["p90"]), "-"),
        ("offer p99 ms", *both(lambda f: f["offer_ms"]["p99"]), "<= 100 (at the target rate)"),
        ("offer max ms", *both(lambda f: f["offer_ms"]["max"]), "-"),
        ("in-process Dispatcher.offer p50 ms",
         *both(lambda f: f["in_process_offer_ms"]["p50"]), "baseline (final state)"),
        ("in-process Dispatcher.offer p99 ms",
         *both(lambda f: f["in_process_offer_ms"]["p99"]), "baseline (final state)"),
        ("bookings/s (confirmed)",
         *both(lambda f: f"{f['bookings_per_s']} ({f['confirmed_per_s']})"), "-"),
        ("booking p50 / p99 ms",
         *both(lambda f: f"{f['booking_ms']['p50']} / {f['booking_ms']['p99']}"), "-"),
        ("offer statuses", *both(lambda f: f["status"]["offer"]), "-"),
        ("5xx", *both(lambda f: f["5xx"]), "0"),
        ("transport errors", *both(lambda f: f["transport_errors"]), "0"),
        ("overbooking (overfull stops)", *both(lambda f: f["overfull_stops"]), "0"),
        ("promise violations", *both(lambda f: f["promise_violations"]), "0"),
        ("active bookings at end", *both(lambda f: f["active_bookings_in_redis"]), "-"),
        ("load average 1/5/15 min at end",
         *both(lambda f: "/".join(map(str, f["load_average_at_end"]))), "-"),
    ]
    print(f"maas serve load: {args.vans} vans, {args.clients} clients, {args.seconds:g} s "
          f"measured per phase after {args.warmup:g} s warm-up, {args.workers} workers, "
          f"book share {args.book_share:g}, demo town (synthetic), redis-server AOF everysec; "
          f"machine load average 1/5/15 min before: "
          f"{'/'.join(f'{x:.2f}' for x in load_before)}")
    print(f"{'measure':36} {'closed loop':>18} {'paced':>18}   target / baseline")
    for name, c, p_, target in rows:
        print(f"{name:36} {c:>18} {p_:>18}   {target}")
    figures = {"vans": args.vans, "clients": args.clients, "workers": args.workers,
               "book_share": args.book_share, "rate": args.rate,
               "load_average_before": [round(x, 2) for x in load_before],
               "closed_loop": closed, "paced": paced}
    print(json.dumps(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

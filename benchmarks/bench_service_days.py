"""Service days at town scale (issue 9): 30 operating days of the demo town's service file with
10 vans and about 300 rides a day, played through the HTTP API on the training clock against
a real redis-server, with vans driven along their manifests so that every day closes.

    python benchmarks/bench_service_days.py [--days 30] [--rides 300] [--vans 10]
                                            [--ahead-share 0.7] [--seed 1] [--json FILE]

Redis memory is reported in total (``used_memory``) and by kind of key (``MEMORY USAGE``):
the open days' state and the area's records, the event stream (capped at
``MAAS_EVENTS_MAXLEN`` entries, so it fills during the first days and then stays), and the
keys that expire by themselves (offers, idempotency keys; their TTL is shortened to one wall
minute, about one simulated day, since Redis expires by the wall clock, not the training
clock).

Each day: at 07:00 the previous day closes (archived, its keys leave Redis); the day's
same-day rides are booked (pickups 08:00-17:00) and rides for the next one to three
operating days ahead; the vans then serve the day; at 17:00 the next day's batch plan runs
and gives every rider of that day a final window. Reported per day: bookings made and
refused, Redis ``used_memory`` after the day closed, the dispatch-state bytes written per
booking (root and new parts, from the API's ``maas_state_bytes_written_total``), open days
and keys, and the batch plan's time. The targets: memory and bytes per booking on day 30
within 10 % of day 2; a 300-ride day's batch plan in under 60 s.

The baseline is the layout this replaces, one endless state holding every booking ever
made: measured in the same run on the same bookings, as the size of the root and the new
parts that one state would write for one more booking after each day (``codec.split`` of a
state holding all bookings so far).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import redis
import yaml
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api import codec
from api.main import DEMO_SERVICE, create_app
from api.metrics import STATE_BYTES
from api.settings import Settings
from maas.roads import load_network
from tests.api.day_player import Player

TOKYO = ZoneInfo("Asia/Tokyo")
OPERATOR = {"Authorization": "Bearer bench-operator"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_file(folder: Path, vans: int) -> Path:
    """The demo town's service file with ``vans`` vans."""
    data = yaml.safe_load(DEMO_SERVICE.read_text(encoding="utf-8"))
    template = data["fleet"]["vans"]
    data["fleet"]["vans"] = [{**template[i % len(template)], "id": f"v{i + 1}",
                              "name": f"{i + 1}号車"} for i in range(vans)]
    data["network"]["source"] = "demo"
    path = folder / "service.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def at(day: date, hours: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TOKYO) + timedelta(hours=hours)


def endless_day_bytes(states: list[Any]) -> int:
    """Bytes one state holding every booking of ``states`` writes for one more booking:
    its root plus the new booking's part (the layout before service days)."""
    merged: dict[str, Any] = {}
    for state in states:
        merged.update(state.bookings)
    last = states[-1]
    big = replace(last, bookings=merged)
    root, _ = codec.split(big)
    one = next(iter(last.bookings.values()), None)
    part = len(codec.split(one)[0]) if one is not None else 0
    return len(root) + part


def memory_by_kind(client: redis.Redis) -> dict[str, int]:
    """Bytes Redis holds (``MEMORY USAGE``) per kind of key: the open days' state, the
    area's records, the event stream, and the keys that expire by themselves (offers and
    idempotency keys)."""
    out = {"days": 0, "records": 0, "events": 0, "expiring": 0}
    for key in client.scan_iter(count=1000):
        name = key.decode()
        used = int(client.memory_usage(key, samples=0) or 0)  # exact, not sampled
        kind = ("days" if ":day:" in name else "events" if name.endswith(":events")
                else "expiring" if (":offer:" in name or ":idem:" in name) else "records")
        out[kind] += used
    return out


def book_rides(http: TestClient, rng: random.Random, points: list[dict[str, float]],
               riders: list[str], target: date, count: int) -> tuple[int, int]:
    """Offer and book ``count`` rides on ``target`` (pickups 08:00-17:00); (booked, refused)."""
    made = refused = 0
    for _ in range(count):
        frm, to = rng.sample(points, 2)
        body = {"origin": frm, "destination": to, "rider_id": rng.choice(riders),
                "pickup_after": at(target, rng.uniform(8, 17)).isoformat()}
        offer = http.post("/v1/offers", json=body, headers=OPERATOR)
        if offer.status_code != 201:
            refused += 1
            continue
        booked = http.post("/v1/bookings", json={"offer_id": offer.json()["offer_id"]},
                           headers={**OPERATOR, "Idempotency-Key": offer.json()["offer_id"]})
        made, refused = (made + 1, refused) if booked.status_code == 201 else (made, refused + 1)
    return made, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rides", type=int, default=300)
    parser.add_argument("--vans", type=int, default=10)
    parser.add_argument("--ahead-share", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    network = load_network("demo")
    nodes = list(network.graph.nodes)
    points = [{"lat": float(network.graph.nodes[n]["y"]), "lon": float(network.graph.nodes[n]["x"])}
              for n in rng.sample(nodes, min(400, len(nodes)))]

    tmp = Path(tempfile.mkdtemp(prefix="bench-days-"))
    port = free_port()
    server = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port),
         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.RedisError:
            time.sleep(0.05)
    first = date(2027, 1, 12)  # a Tuesday after the new-year break
    settings = Settings(operator_token="bench-operator", redis_url=f"redis://127.0.0.1:{port}/0",
                        area="bench", service=service_file(tmp, args.vans), training=True,
                        clock_start=at(first, 6), tick_seconds=0, archive_dir=tmp / "archive",
                        # Redis expires keys by the wall clock, not the training clock: a
                        # simulated day takes about a wall minute here, so idempotency keys
                        # live one (simulated) day as in service instead of a whole run.
                        idempotency_ttl_seconds=60,
                        # A month replayed at machine speed by a few tokens: no rate limit.
                        rate_limit_per_minute=0)
    rows: list[dict[str, Any]] = []
    full_plan: dict[str, Any] = {}
    endless: list[Any] = []
    try:
        with TestClient(create_app(settings, network=network)) as http:
            rt = http.app.state.runtime  # type: ignore[attr-defined]
            svc = rt.service
            player = Player(http, OPERATOR)
            riders = []
            for i in range(200):
                r = http.post("/v1/riders", json={"name": f"rider {i}"}, headers=OPERATOR)
                riders.append(r.json()["id"])
            per_ahead = round(args.rides * args.ahead_share / 3)
            # Warm-up the evening before: the first three days get the rides that would have
            # been booked on the days before the run, so day 1 already holds a full horizon.
            warm = [first]
            while len(warm) < 3:
                warm.append(svc.next_operating_day(warm[-1], include=False))
            for k, target in enumerate(warm):
                book_rides(http, rng, points, riders, target, per_ahead * (3 - k))
            day = first
            played = 0
            while played < args.days:
                if not svc.is_operating(day):
                    day += timedelta(days=1)
                    continue
                played += 1
                player.set_clock(at(day, 7))
                memory = int(client.info("memory")["used_memory"])
                kinds = memory_by_kind(client)
                keys = int(client.dbsize())
                bytes_before = STATE_BYTES._value.get()
                made = refused = 0
                ahead_days = []
                probe = day
                while len(ahead_days) < 3:
                    probe = svc.next_operating_day(probe, include=False)
                    ahead_days.append(probe)
                same_day = args.rides - 3 * per_ahead
                asks = [(day, same_day), *((d, per_ahead) for d in ahead_days)]
                for target, count in asks:
                    ok, no = book_rides(http, rng, points, riders, target, count)
                    made, refused = made + ok, refused + no
                written = STATE_BYTES._value.get() - bytes_before
                assert http.portal is not None
                state = http.portal.call(rt.days.context(day).store.state)
                endless.append(state)
                served = player.drive(day, at(day, 17.1))
                player.set_clock(at(day, 17.1))  # the next day's batch plan
                served += player.drive(day, at(day, 23.5))
                days = http.get("/v1/days", headers=OPERATOR).json()["days"]
                nxt = next((d for d in days if d["date"] == ahead_days[0].isoformat()), {})
                rows.append({
                    "day": played, "date": day.isoformat(), "booked": made, "refused": refused,
                    "stops_served": served, "redis_used_memory": memory, "redis_keys": keys,
                    "state_memory": kinds["days"] + kinds["records"],
                    "events_memory": kinds["events"], "expiring_memory": kinds["expiring"],
                    "open_days": len(days),
                    "state_bytes_per_booking": round(written / max(1, made)),
                    "endless_day_bytes_per_booking": endless_day_bytes(endless),
                    "next_day_bookings": nxt.get("bookings"),
                    "next_day_plan_seconds": nxt.get("plan_seconds"),
                    "next_day_plan_km_before": (nxt.get("plan_before") or {}).get("km"),
                    "next_day_plan_km_after": (nxt.get("plan_after") or {}).get("km"),
                })
                print(json.dumps(rows[-1]), flush=True)
                day += timedelta(days=1)
            # The batch plan of a full day: 300 rides booked ahead for one day, planned now.
            full = svc.next_operating_day(day + timedelta(days=5))
            player.set_clock(at(day, 7))
            booked_full, _ = book_rides(http, rng, points, riders, full, args.rides)
            started = time.perf_counter()
            planned = http.post(f"/v1/days/{full.isoformat()}/plan", headers=OPERATOR)
            full_plan = {"date": full.isoformat(), "bookings": booked_full,
                         "seconds": round(time.perf_counter() - started, 2),
                         "status": planned.status_code, **(planned.json() if planned.status_code
                                                            == 200 else {})}
            print(json.dumps({"full_day_plan": full_plan}), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    two, last = rows[1], rows[-1]
    summary = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "load_average": os.getloadavg(),
        "days": len(rows), "rides_per_day": args.rides, "vans": args.vans,
        "memory_day2": two["redis_used_memory"], "memory_last": last["redis_used_memory"],
        "memory_change": round(last["redis_used_memory"] / two["redis_used_memory"] - 1, 3),
        "state_memory_day2": two["state_memory"], "state_memory_last": last["state_memory"],
        "state_memory_change": round(last["state_memory"] / two["state_memory"] - 1, 3),
        "bytes_per_booking_day2": two["state_bytes_per_booking"],
        "bytes_per_booking_last": last["state_bytes_per_booking"],
        "bytes_change": round(last["state_bytes_per_booking"]
                              / max(1, two["state_bytes_per_booking"]) - 1, 3),
        "endless_day_bytes_day2": two["endless_day_bytes_per_booking"],
        "endless_day_bytes_last": last["endless_day_bytes_per_booking"],
        "plan_seconds_max": max((r["next_day_plan_seconds"] or 0) for r in rows),
        "full_day_plan": full_plan,
        "plan_bookings_max": max((r["next_day_bookings"] or 0) for r in rows),
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "days": rows}, indent=2))


if __name__ == "__main__":
    main()

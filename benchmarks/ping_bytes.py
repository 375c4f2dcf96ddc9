"""Bytes of dispatch state written to Redis per GPS ping (issue 13), read from the
``maas_state_bytes_written_total`` counter of an in-process app.

    python benchmarks/ping_bytes.py [--vans 30] [--bookings 300] [--pings 300]

The demo town on an in-process fakeredis (no server needed), a training clock at a fixed
Tuesday 09:00: ``--vans`` vans, then up to ``--bookings`` bookings spread over the day,
then ``--pings`` position reports (each van in turn, one second apart, each newer). Prints
the bytes per booking, the bytes per ping and the state root's size. To compare with an
older layout, run it with that checkout first on ``PYTHONPATH`` (it uses only the HTTP
API and the counter).
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import fakeredis
from fastapi.testclient import TestClient

from api.main import create_app
from api.metrics import STATE_BYTES
from api.settings import Settings
from maas.roads import load_network

T0 = datetime(2026, 12, 8, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
OPERATOR = {"Authorization": "Bearer bench-operator"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vans", type=int, default=30)
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--pings", type=int, default=300)
    args = parser.parse_args()
    network = load_network("demo")
    named = {**network.graph.graph["places"], **network.graph.graph["hamlets"]}
    points = [{"lat": lat, "lon": lon} for lat, lon in named.values()]
    settings = Settings(operator_token="bench-operator", redis_url="redis://in-process",
                        area="pings", operating_hours="06:00-23:00", tick_seconds=0,
                        training=True, clock_start=T0, rate_limit_per_minute=0)
    rng = random.Random(5)
    app = create_app(settings, redis=fakeredis.FakeAsyncRedis(), network=network)
    with TestClient(app) as client:
        vans = []
        for k in range(args.vans):
            r = client.post("/v1/vehicles", headers=OPERATOR, json={
                "name": f"van {k}", "seats": 8, "wheelchair_places": 1,
                "depot": {"lat": named["depot"][0], "lon": named["depot"][1]},
                "shift_start": (T0 - timedelta(hours=1)).isoformat(),
                "shift_end": (T0 + timedelta(hours=13)).isoformat()})
            vans.append((r.json()["id"], {"Authorization": f"Bearer {r.json()['driver_token']}"}))
        rider = client.post("/v1/riders", json={"name": "bench"}, headers=OPERATOR).json()
        auth = {"Authorization": f"Bearer {rider['token']}"}
        start = STATE_BYTES._value.get()
        booked = 0
        for _ in range(args.bookings):
            a, b = rng.sample(points, 2)
            when = T0 + timedelta(minutes=rng.uniform(10, 12 * 60))
            r = client.post("/v1/offers", headers=auth, json={
                "origin": a, "destination": b, "pickup_after": when.isoformat()})
            if r.status_code == 201:
                ok = client.post("/v1/bookings", json={"offer_id": r.json()["offer_id"]},
                                 headers={**auth, "Idempotency-Key": secrets.token_hex(8)})
                booked += ok.status_code == 201
        after_bookings = STATE_BYTES._value.get()
        sent = 0
        for k in range(args.pings):
            vid, driver = vans[k % len(vans)]
            place = rng.choice(points)
            at = T0 - timedelta(seconds=args.pings - k)  # newer each time, never ahead
            r = client.post(f"/v1/vehicles/{vid}/position", headers=driver, json={
                **place, "at": at.isoformat()})
            sent += r.status_code == 200
        after_pings = STATE_BYTES._value.get()
        rt = client.app.state.runtime  # type: ignore[attr-defined]
        assert client.portal is not None
        root = client.portal.call(rt.store.redis.strlen, rt.store.keys.day(T0.date()).state)
    print(json.dumps({
        "vans": args.vans, "bookings": booked, "pings": sent,
        "bytes_per_booking": round((after_bookings - start) / max(booked, 1)),
        "bytes_per_ping": round((after_pings - after_bookings) / max(sent, 1), 1),
        "state_root_bytes": root}, indent=1))


if __name__ == "__main__":
    main()

"""Nothing confirmed is lost: not when the API process is killed (-9) and restarted, not when
Redis (with AOF) is killed and restarted. Also: ``maas serve`` warns when Redis persistence is
off, and a driver's event stream carries their manifest changes."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from api.main import create_app
from api.persistence import persistence_warning
from maas.roads import RoadNetwork
from tests.api.conftest import (
    OPERATOR,
    Area,
    ServedApi,
    free_port,
    iso,
    make_settings,
    wait_until,
)

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _snapshot(c: httpx.Client | TestClient, bookings: list[str],
              vans: list[str]) -> dict[str, Any]:
    return {
        "bookings": [c.get(f"/v1/bookings/{b}", headers=OPERATOR).json() for b in bookings],
        "manifests": [c.get(f"/v1/vehicles/{v}/manifest", headers=OPERATOR).json()
                      for v in vans],
        "fleet": c.get("/v1/vehicles", headers=OPERATOR).json(),
    }


def _populate(c: Any, places: dict[str, dict[str, float]]) -> tuple[list[str], list[str], Any]:
    """Two vans and three bookings, the first rider already on board; returns the van ids,
    the booking ids and a replay of the first booking request (same Idempotency-Key)."""
    vans, drivers, bookings = [], {}, []
    for _ in range(2):
        r = c.post("/v1/vehicles", headers=OPERATOR, json={
            "name": "Hiace", "seats": 8, "wheelchair_places": 1, "depot": places["depot"],
            "shift_start": iso(-timedelta(hours=1)), "shift_end": iso(timedelta(hours=10))})
        assert r.status_code == 201, r.text
        vans.append(r.json()["id"])
        drivers[r.json()["id"]] = {"Authorization": f"Bearer {r.json()['driver_token']}"}
    replays = []
    for dest in ("clinic", "supermarket", "Asahi"):
        rider = c.post("/v1/riders", json={"name": dest}, headers=OPERATOR).json()
        auth = {"Authorization": f"Bearer {rider['token']}"}
        offer = c.post("/v1/offers", headers=auth, json={
            "origin": places["station"], "destination": places[dest]}).json()
        request = {"json": {"offer_id": offer["offer_id"]},
                   "headers": {**auth, "Idempotency-Key": f"key-{dest}"}}
        r = c.post("/v1/bookings", **request)
        assert r.status_code == 201, r.text
        bookings.append(r.json()["id"])
        replays.append(request)
    van = c.get(f"/v1/bookings/{bookings[0]}", headers=OPERATOR).json()["vehicle_id"]
    stops = c.get(f"/v1/vehicles/{van}/manifest", headers=OPERATOR).json()["stops"]
    pickup = next(s for s in stops if s["booking_id"] == bookings[0])["stop_id"]
    for report in ("arrived", "picked_up"):
        r = c.post(f"/v1/vehicles/{van}/stops/{pickup}/events", json={"type": report},
                   headers=drivers[van])
        assert r.status_code == 200, r.text
    return vans, bookings, replays[0]


@pytest.mark.slow
def test_kill_9_of_the_api_loses_nothing(
    served: ServedApi, places: dict[str, dict[str, float]]
) -> None:
    """After kill -9 of ``maas serve`` and a restart, bookings, plan and manifests are intact,
    and a repeated Idempotency-Key still finds its booking. (The test Redis has no AOF, so
    ``maas serve`` also warns about persistence at start.)"""
    c = served.start()
    assert "WARNING" in served.stderr.read_text() and "appendonly" in served.stderr.read_text()
    vans, bookings, replay = _populate(c, places)
    before = _snapshot(c, bookings, vans)
    assert sum(len(m["stops"]) for m in before["manifests"]) == 5
    assert before["bookings"][0]["status"] == "onboard"
    served.kill_9()

    c = served.start()
    assert _snapshot(c, bookings, vans) == before
    again = c.post("/v1/bookings", **replay)
    assert again.status_code in (200, 201) and again.json()["id"] == bookings[0]


@pytest.mark.slow
def test_driver_event_stream_carries_manifest_changes(
    served: ServedApi, places: dict[str, dict[str, float]]
) -> None:
    """A driver connected to /v1/events receives their van's new manifest after a booking."""
    c = served.start()
    van = c.post("/v1/vehicles", headers=OPERATOR, json={
        "name": "Hiace", "seats": 8, "wheelchair_places": 1, "depot": places["depot"],
        "shift_start": iso(-timedelta(hours=1)), "shift_end": iso(timedelta(hours=10))}).json()
    driver = {"Authorization": f"Bearer {van['driver_token']}"}
    received: list[dict[str, Any]] = []
    with httpx.stream("GET", f"{served.base}/v1/events", headers=driver, timeout=20) as stream:
        rider = c.post("/v1/riders", json={"name": "Ito"}, headers=OPERATOR).json()
        auth = {"Authorization": f"Bearer {rider['token']}"}
        offer = c.post("/v1/offers", headers=auth, json={
            "origin": places["station"], "destination": places["clinic"]}).json()
        c.post("/v1/bookings", json={"offer_id": offer["offer_id"]},
               headers={**auth, "Idempotency-Key": "sse"})
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "manifest":
                received.append(json.loads(line.split(":", 1)[1]))
                break
    assert received[0]["vehicle_id"] == van["id"]
    assert [s["type"] for s in received[0]["stops"]] == ["pickup", "dropoff"]


@pytest.fixture
def aof_redis(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A redis-server of our own with AOF (fsync on every write), restartable on one port."""
    port = free_port()
    args = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path),
            "--appendonly", "yes", "--appendfsync", "always", "--save", ""]
    server: dict[str, Any] = {"url": f"redis://127.0.0.1:{port}/0"}

    def start() -> None:
        server["proc"] = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        wait_until(lambda: redis.Redis(port=port).ping(), "redis-server")

    server["start"] = start
    start()
    yield server
    server["proc"].kill()
    server["proc"].wait(timeout=10)


@pytest.mark.slow
def test_redis_restart_with_aof_loses_nothing(
    aof_redis: dict[str, Any], demo_network: RoadNetwork, places: dict[str, dict[str, float]]
) -> None:
    """kill -9 of an AOF Redis (appendfsync always) and a restart keep every booking, the plan
    and the manifests; meanwhile the API answers 503, then carries on."""
    settings = make_settings(aof_redis["url"])
    assert persistence_warning({"appendonly": "yes", "appendfsync": "always"}) is None
    with TestClient(create_app(settings, network=demo_network)) as c:
        vans, bookings, _ = _populate(c, places)
        before = _snapshot(c, bookings, vans)
        aof_redis["proc"].send_signal(signal.SIGKILL)
        aof_redis["proc"].wait(timeout=10)
        down = c.get(f"/v1/bookings/{bookings[0]}", headers=OPERATOR)
        assert down.status_code == 503 and down.json()["error"]["code"] == "unavailable"
        aof_redis["start"]()
        assert _snapshot(c, bookings, vans) == before
    with TestClient(create_app(settings, network=demo_network)) as fresh:
        assert _snapshot(fresh, bookings, vans) == before
        rider = fresh.post("/v1/riders", json={"name": "after"}, headers=OPERATOR).json()
        area = Area(fresh, places)
        auth = {"Authorization": f"Bearer {rider['token']}"}
        assert area.book(auth, area.offer(auth)["offer_id"]).status_code == 201

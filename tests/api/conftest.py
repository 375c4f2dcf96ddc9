"""Fixtures of the API tests: a real redis-server on a free port (pytest-redis), the demo
town's road network (loaded once), apps on that Redis, and helpers that register riders and
vans and ask for rides at the demo town's places.

Every app runs as a training service whose clock starts at ``T0`` (a Tuesday morning in
Hokkaido), so that no test depends on the day or the hour it happens to run at.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from maas.roads import RoadNetwork, load_network

OPERATOR_TOKEN = "test-operator-token"
OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
MAAS = Path(sys.executable).parent / "maas"
TOKYO = ZoneInfo("Asia/Tokyo")
T0 = datetime(2026, 12, 8, 9, 0, tzinfo=TOKYO)  # a Tuesday, 09:00 local time


@pytest.fixture(scope="session")
def demo_network() -> RoadNetwork:
    """The synthetic demo town (fast to build; shared by every app of the session)."""
    return load_network("demo")


@pytest.fixture(scope="session")
def places(demo_network: RoadNetwork) -> dict[str, dict[str, float]]:
    """Named places and hamlets of the demo town as ``{"lat", "lon"}`` bodies."""
    named = {**demo_network.graph.graph["places"], **demo_network.graph.graph["hamlets"]}
    return {name: {"lat": lat, "lon": lon} for name, (lat, lon) in named.items()}


def redis_url(redis_proc: Any) -> str:
    """URL of the pytest-redis server (never the one on 6379)."""
    return f"redis://{redis_proc.host}:{redis_proc.port}/0"


def make_settings(url: str, **overrides: Any) -> Settings:
    """Settings of a test app: its own area, a plain service open 06:00-23:00 every day, a
    training clock at ``T0``, no background ticks, no rate limit, closed days archived under
    a temporary folder."""
    values: dict[str, Any] = {
        "operator_token": OPERATOR_TOKEN,
        "redis_url": url,
        "area": "t" + secrets.token_hex(4),
        "operating_hours": "06:00-23:00",
        "tick_seconds": 0,
        "training": True,
        "clock_start": T0,
        "archive_dir": Path(tempfile.mkdtemp(prefix="maas-test-archive-")),
        # Tests play days at machine speed with a few tokens: no per-token limit unless a
        # test asks for one (tests/api/test_reliability.py does).
        "rate_limit_per_minute": 0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(redisdb: Any, redis_proc: Any) -> Settings:
    """Settings on the test Redis (``redisdb`` flushes it after the test)."""
    return make_settings(redis_url(redis_proc))


@pytest.fixture
def client(settings: Settings, demo_network: RoadNetwork) -> Iterator[TestClient]:
    """A started app (lifespan run) on the test Redis."""
    with TestClient(create_app(settings, network=demo_network)) as c:
        yield c


def iso(delta: timedelta = timedelta(0)) -> str:
    """An ISO 8601 time ``delta`` from the test clock's start ``T0``."""
    return (T0 + delta).isoformat()


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Area:
    """Helpers that drive one app through its HTTP API."""

    client: TestClient
    places: dict[str, dict[str, float]]

    def rider(self, name: str = "Sato Hanako") -> tuple[str, dict[str, str]]:
        """Register a rider; returns their id and auth header."""
        r = self.client.post("/v1/riders", json={"name": name}, headers=OPERATOR)
        assert r.status_code == 201, r.text
        return r.json()["id"], bearer(r.json()["token"])

    def van(self, seats: int = 8, wheelchair_places: int = 1) -> tuple[str, dict[str, str]]:
        """Register a van at the depot on shift now; returns its id and driver auth header."""
        body = {"name": "Hiace 1", "seats": seats, "wheelchair_places": wheelchair_places,
                "depot": self.places["depot"], "shift_start": iso(-timedelta(hours=1)),
                "shift_end": iso(timedelta(hours=10))}
        r = self.client.post("/v1/vehicles", json=body, headers=OPERATOR)
        assert r.status_code == 201, r.text
        return r.json()["id"], bearer(r.json()["driver_token"])

    def ask(self, frm: str = "station", to: str = "clinic", **extra: Any) -> dict[str, Any]:
        """An offer body between two named places."""
        return {"origin": self.places[frm], "destination": self.places[to], **extra}

    def offer(self, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
        """Ask for a ride and expect an offer."""
        r = self.client.post("/v1/offers", json=self.ask(**extra), headers=headers)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def book(self, headers: dict[str, str], offer_id: str, key: str | None = None) -> Any:
        """Accept an offer (returns the raw response)."""
        return self.client.post("/v1/bookings", json={"offer_id": offer_id},
                                headers={**headers, "Idempotency-Key": key or secrets.token_hex(8)})


@pytest.fixture
def area(client: TestClient, places: dict[str, dict[str, float]]) -> Area:
    """Helpers on the started app."""
    return Area(client, places)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(ready: Any, what: str, timeout: float = 60.0) -> None:
    """Poll ``ready()`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except (httpx.HTTPError, redis.RedisError, OSError):
            pass
        time.sleep(0.1)
    msg = f"{what} did not come up within {timeout:.0f} s"
    raise RuntimeError(msg)


class ServedApi:
    """``maas serve`` in a subprocess, on a free port, against a given Redis."""

    def __init__(self, url: str, area: str, tmp: Path) -> None:
        self.env = {**os.environ, "MAAS_OPERATOR_TOKEN": OPERATOR_TOKEN, "MAAS_REDIS_URL": url,
                    "MAAS_AREA": area, "MAAS_OPERATING_HOURS": "06:00-23:00",
                    "MAAS_TICK_SECONDS": "0", "MAAS_TRAINING": "true",
                    "MAAS_CLOCK_START": T0.isoformat(),
                    "MAAS_ARCHIVE_DIR": str(tmp / "archive")}
        self.tmp = tmp
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = ""
        self.starts = 0

    def start(self) -> httpx.Client:
        port = free_port()
        self.starts += 1
        self.stderr = self.tmp / f"serve-{self.starts}.err"
        with self.stderr.open("wb") as err:
            self.proc = subprocess.Popen(
                [str(MAAS), "serve", "--network", "demo", "--port", str(port)],
                env=self.env, stdout=subprocess.DEVNULL, stderr=err)
        self.base = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200,
                    "maas serve")
        return httpx.Client(base_url=self.base, timeout=30)

    def kill_9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill_9()


@pytest.fixture
def served(redisdb: Any, redis_proc: Any, tmp_path: Path) -> Iterator[ServedApi]:
    """A ``maas serve`` controller on the test Redis (its process killed at the end)."""
    api = ServedApi(redis_url(redis_proc), make_settings("redis://unused").area, tmp_path)
    yield api
    api.stop()

"""Fixtures of the API tests: a real redis-server on a free port (pytest-redis), the demo
town's road network (loaded once), apps on that Redis, and helpers that register riders and
vans and ask for rides at the demo town's places."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from maas.roads import RoadNetwork, load_network

OPERATOR_TOKEN = "test-operator-token"
OPERATOR = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


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
    """Settings of a test app: its own area, open around the clock, no background ticks."""
    values: dict[str, Any] = {
        "operator_token": OPERATOR_TOKEN,
        "redis_url": url,
        "area": "t" + secrets.token_hex(4),
        "operating_hours": "00:00-48:00",
        "tick_seconds": 0,
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
    """An ISO 8601 time ``delta`` from now."""
    return (datetime.now(UTC) + delta).isoformat()


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

"""Browser tests: ``maas serve`` (the demo town's service file, on a training clock, against
the suite's own redis-server) driven by Playwright in Debian's chromium (no browser
download). One server per session; each test books its own rider, so they do not depend on
each other's order."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
MAAS = Path(sys.executable).with_name("maas")
CHROMIUM = Path("/usr/bin/chromium")
OPERATOR_TOKEN = "browser-operator-token"
#: Monday 7 December 2026, 08:00 in the demo town: an operating day.
CLOCK_START = "2026-12-07T08:00:00+09:00"
TODAY = "2026-12-07"
SHOTS = ROOT / "docs" / "screenshots"
DEMO_SERVICE = ROOT / "scenarios" / "demo-service.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    base: str
    http: httpx.Client

    def op(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {OPERATOR_TOKEN}"}

    def places(self) -> dict[str, dict[str, float]]:
        return dict(self.http.get("/v1/service").json()["places"])

    def driver_token(self, vehicle_id: str) -> str:
        r = self.http.post(f"/v1/vehicles/{vehicle_id}/driver-token", headers=self.op())
        r.raise_for_status()
        return str(r.json()["driver_token"])

    def book(self, name: str, frm: str, to: str, at: str, passengers: int = 1
             ) -> dict[str, Any]:
        """A rider and a booking made through the API (for tests that start at the van)."""
        rider = self.http.post("/v1/riders", headers=self.op(), json={"name": name}).json()
        p = self.places()
        offer = self.http.post("/v1/offers", headers=self.op(), json={
            "rider_id": rider["id"], "origin": p[frm], "destination": p[to],
            "pickup_after": at, "passengers": passengers})
        assert offer.status_code == 201, offer.text
        booking = self.http.post("/v1/bookings", headers={**self.op(), "Idempotency-Key": name},
                                 json={"offer_id": offer.json()["offer_id"]})
        booking.raise_for_status()
        return dict(booking.json())


@contextlib.contextmanager
def serving(redis_proc: Any, tmp: Path, area: str, service: Path = DEMO_SERVICE
            ) -> Iterator[Served]:
    """``maas serve --service scenarios/demo-service.yaml --training`` (or another service
    file) on a free port, with its own area (its own keys) on the suite's redis-server."""
    port = _free_port()
    env = {**os.environ, "MAAS_OPERATOR_TOKEN": OPERATOR_TOKEN,
           "MAAS_REDIS_URL": f"redis://{redis_proc.host}:{redis_proc.port}/0",
           "MAAS_AREA": area, "MAAS_TICK_SECONDS": "0", "MAAS_TRAINING": "true",
           "MAAS_CLOCK_START": CLOCK_START, "MAAS_ARCHIVE_DIR": str(tmp / "archive")}
    err = (tmp / "serve.err").open("wb")
    proc = subprocess.Popen(
        [str(MAAS), "serve", "--service", str(service), "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"maas serve did not start: {(tmp / 'serve.err').read_text()}")
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as http:
            yield Served(base, http)
    finally:
        proc.kill()
        proc.wait(timeout=10)
        err.close()


@pytest.fixture(scope="session")
def served(redis_proc: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One service shared by the console tests (each books its own rider)."""
    # a new area each run: the suite's redis-server may keep what an earlier run wrote
    with serving(redis_proc, tmp_path_factory.mktemp("serve"), f"br{secrets.token_hex(4)}") as s:
        yield s


@pytest.fixture
def fresh(redis_proc: Any, tmp_path: Path) -> Iterator[Served]:
    """A service of its own (its own area), for tests whose van must carry only their rides."""
    with serving(redis_proc, tmp_path, f"br{secrets.token_hex(4)}") as s:
        yield s


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's chromium, headless, with nothing that reaches the network by itself."""
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        # Never a skip: a suite that did not drive the pages has not passed.
        pytest.fail("Debian's chromium is missing: .ci/run installs it (apt-get install -y "
                    "chromium)")
    return {"executable_path": str(CHROMIUM), "headless": True,
            "args": ["--headless", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run"]}


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the tests' screenshots go: ``docs/screenshots`` when MAAS_SCREENSHOTS=docs (to
    refresh the committed ones), else the test's temporary directory."""
    if os.environ.get("MAAS_SCREENSHOTS") == "docs":
        SHOTS.mkdir(parents=True, exist_ok=True)
        return SHOTS
    return tmp_path

"""Plays service days through the HTTP API on a training clock: moves the clock to each van's
next planned stop and reports it as its driver would (arrived, then picked up or dropped
off), so that days run, close and archive as in real service. Used by the service-day tests
and the 30-day benchmark (``benchmarks/bench_service_days.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fastapi.testclient import TestClient

OPERATOR_HEADERS: dict[str, str] = {}


@dataclass
class Player:
    """Drives one training service: ``operator`` headers, a driver token per van."""

    client: TestClient
    operator: dict[str, str]
    drivers: dict[str, dict[str, str]] = field(default_factory=dict)
    reports: int = 0
    clock_moves: int = 0

    def now(self) -> datetime:
        """The service's time."""
        return datetime.fromisoformat(self.client.get("/v1/clock", headers=self.operator)
                                      .json()["now"])

    def set_clock(self, moment: datetime) -> dict[str, Any]:
        """Move the training clock to ``moment`` (if it lies ahead) and return the answer."""
        if moment <= self.now():
            return {"opened": [], "planned": [], "closed": []}
        r = self.client.put("/v1/clock", json={"now": moment.isoformat()},
                            headers=self.operator)
        assert r.status_code == 200, r.text
        self.clock_moves += 1
        body: dict[str, Any] = r.json()
        return body

    def driver(self, vehicle_id: str) -> dict[str, str]:
        """The van's driver headers (a token issued on first use)."""
        if vehicle_id not in self.drivers:
            r = self.client.post(f"/v1/vehicles/{vehicle_id}/driver-token",
                                 headers=self.operator)
            assert r.status_code == 201, r.text
            self.drivers[vehicle_id] = {"Authorization": f"Bearer {r.json()['driver_token']}"}
        return self.drivers[vehicle_id]

    def next_stop(self, day: date) -> tuple[datetime, str, dict[str, Any]] | None:
        """The earliest next stop of any van on ``day``: (planned time, van, stop)."""
        r = self.client.get("/v1/vehicles", params={"date": day.isoformat()},
                            headers=self.operator)
        if r.status_code == 404:
            return None
        assert r.status_code == 200, r.text
        best: tuple[datetime, str, dict[str, Any]] | None = None
        for van in r.json()["vehicles"]:
            stops = van["next_stops"]
            if stops:
                at = datetime.fromisoformat(stops[0]["planned_at"])
                if best is None or at < best[0]:
                    best = (at, van["id"], stops[0])
        return best

    def drive(self, day: date, until: datetime) -> int:
        """Serve ``day``'s stops planned before ``until``, in time order; returns how many."""
        served = 0
        while True:
            found = self.next_stop(day)
            if found is None or found[0] > until:
                return served
            at, van, stop = found
            self.set_clock(at)
            what = ("arrived", "picked_up" if stop["type"] == "pickup" else "dropped_off")
            for report in what:
                r = self.client.post(f"/v1/vehicles/{van}/stops/{stop['stop_id']}/events",
                                     json={"type": report}, headers=self.driver(van))
                assert r.status_code == 200, r.text
                self.reports += 1
            served += 1

"""Writes to one service area are serialised: 20 riders racing for the last 2 seats, through
two app instances on one Redis (as two uvicorn workers would be), never overfill the van."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from maas.roads import RoadNetwork
from tests.api.conftest import T0, Area, iso

RIDERS = 20


def test_twenty_concurrent_bookings_fill_two_seats_exactly(
    settings: Settings, demo_network: RoadNetwork, places: dict[str, dict[str, float]]
) -> None:
    """Exactly two of 20 simultaneous bookings for one two-seat van are confirmed; the plan
    stays feasible with at most two riders on board."""
    with TestClient(create_app(settings, network=demo_network)) as one, \
            TestClient(create_app(settings, network=demo_network)) as two:
        area = Area(one, places)
        van_id, driver = area.van(seats=2, wheelchair_places=0)
        soon = iso(timedelta(minutes=20))
        # Every rider wants the same 17-minute ride at the same time: the van can take two.
        riders = [area.rider(f"rider {i}")[1] for i in range(RIDERS)]
        offers = [area.offer(r, to="Okusawa", pickup_after=soon)["offer_id"] for r in riders]
        start = threading.Barrier(RIDERS)

        def book(i: int) -> Any:
            worker = Area(one if i % 2 else two, places)
            start.wait()
            return worker.book(riders[i], offers[i])

        with ThreadPoolExecutor(RIDERS) as pool:
            responses = list(pool.map(book, range(RIDERS)))

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 201] + [409] * (RIDERS - 2)
        manifest = one.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()["stops"]
        assert len(manifest) == 4
        assert one.portal is not None
        ctx = one.app.state.runtime.days.context(T0.date())  # type: ignore[attr-defined]
        state = one.portal.call(ctx.store.state)
        report = ctx.dispatcher.schedule(state)
        assert report.feasible
        assert max(s.load_seats for s in report.schedules[van_id]) == 2
        assert sum(b.active for b in state.bookings.values()) == 2

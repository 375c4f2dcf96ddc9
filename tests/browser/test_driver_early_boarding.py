"""The driver's page at a held boarding (the manifest's ``board_from``, docs/operations.md "A
van early at a pickup"): the van is early, so the page says from when the rider boards and
keeps the pick-up button shut until then by the service's clock, opening it without a
reload."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect

from maas.roads import load_network
from tests.browser.conftest import TODAY, Served
from tests.browser.test_driver import advance_to, booking, sign_in


def _book_at(served: Served, name: str, frm: dict[str, float], to: dict[str, float],
             at: str) -> dict[str, Any]:
    """A rider and a booking between two points (the hamlets are not named in /v1/service)."""
    rider = served.http.post("/v1/riders", headers=served.op(), json={"name": name}).json()
    offer = served.http.post("/v1/offers", headers=served.op(), json={
        "rider_id": rider["id"], "origin": frm, "destination": to, "pickup_after": at})
    assert offer.status_code == 201, offer.text
    made = served.http.post("/v1/bookings", headers={**served.op(), "Idempotency-Key": name},
                            json={"offer_id": offer.json()["offer_id"]})
    made.raise_for_status()
    return dict(made.json())


def _set_clock(served: Served, moment: datetime) -> None:
    r = served.http.put("/v1/clock", headers=served.op(), json={"now": moment.isoformat()})
    assert r.status_code == 200, r.text


def _first_stop(served: Served, van: str) -> dict[str, Any]:
    r = served.http.get(f"/v1/vehicles/{van}/manifest", headers=served.op())
    r.raise_for_status()
    return dict(r.json()["stops"][0])


def _minute_up(iso: str) -> str:
    """HH:MM of ``iso`` on the town's clock, rounded up to the minute (as the page shows it)."""
    t = datetime.fromisoformat(iso)
    up = t.replace(second=0, microsecond=0) + timedelta(minutes=math.ceil(t.second / 60))
    return up.strftime("%H:%M")


def test_an_early_van_waits_for_board_from_and_the_button_opens_at_that_time(
        browser: Browser, fresh: Served, shots: Path) -> None:
    """Rider A from the station to Okusawa, B from the town hall on the way 22 min later: the
    plan boards A at 09:40 and an arrival at 09:30 holds the boarding (as in
    tests/api/test_early_boarding.py)."""
    places = fresh.places()
    lat, lon = load_network("demo").graph.graph["hamlets"]["Okusawa"]
    okusawa = {"lat": lat, "lon": lon}
    a = _book_at(fresh, "early-rider-a", places["station"], okusawa, f"{TODAY}T09:30:00+09:00")
    b = _book_at(fresh, "early-rider-b", places["town_hall"], okusawa,
                 f"{TODAY}T09:52:00+09:00")
    van = a["vehicle_id"]
    assert b["vehicle_id"] == van, (a, b)
    _set_clock(fresh, datetime.fromisoformat(f"{TODAY}T09:30:00+09:00"))  # 10 min early
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, fresh, van)
    advance_to(page, a["id"])
    held = page.get_by_test_id("board-from")
    expect(held).to_have_count(0)  # before the arrival nothing is held
    expect(page.get_by_test_id("picked-up")).to_be_enabled()
    page.get_by_test_id("arrived").click()
    expect(page.get_by_test_id("queued-count")).to_have_attribute("data-count", "0",
                                                                  timeout=15000)
    board_from = _first_stop(fresh, van)["board_from"]
    assert board_from is not None  # the service held the boarding
    shown = _minute_up(board_from)
    expect(held).to_contain_text(f"乗車は {shown} から", timeout=15000)
    expect(page.get_by_test_id("picked-up")).to_be_disabled()
    expect(page.get_by_test_id("picked-up")).to_contain_text(shown)
    page.screenshot(path=str(shots / "driver-board-from-390x844.png"))
    page.get_by_test_id("lang").click()
    expect(held).to_contain_text(f"Boarding from {shown}")
    page.get_by_test_id("lang").click()
    # the service's clock reaches board_from: the page (re-reading its clock) opens the button
    _set_clock(fresh, datetime.fromisoformat(board_from) + timedelta(seconds=5))
    expect(page.get_by_test_id("picked-up")).to_be_enabled(timeout=15000)
    expect(held).to_have_count(0)
    page.get_by_test_id("picked-up").click()
    expect(page.get_by_test_id("queued-count")).to_have_attribute("data-count", "0",
                                                                  timeout=15000)
    assert booking(fresh, a["id"])["status"] == "onboard"
    page.context.close()

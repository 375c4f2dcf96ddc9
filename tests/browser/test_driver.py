"""The driver's page in a real browser: the next stop, arrived and picked up reported (and
seen by the console as a rider on board), and reports made offline queued and sent in order
once the connection returns."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import OPERATOR_TOKEN, TODAY, Served


def sign_in(page: Page, served: Served, vehicle_id: str) -> None:
    page.goto(f"{served.base}/driver/?van={vehicle_id}")
    page.get_by_test_id("token").fill(served.driver_token(vehicle_id))
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("next-stop")).to_be_visible(timeout=15000)


def advance_to(page: Page, booking_id: str) -> None:
    """Serve the stops ahead of this booking's pickup (another rider's may come first)."""
    stop = page.get_by_test_id("next-stop")
    for _ in range(10):
        # a stop is shown (the manifest may still be loading: never act on an empty page)
        expect(stop).to_contain_text(re.compile(r"b_\d+"), timeout=15000)
        if booking_id in stop.inner_text():
            return
        page.get_by_test_id("arrived").click()
        page.get_by_test_id("picked-up").or_(page.get_by_test_id("dropped-off")).click()
        expect(page.get_by_test_id("queued-count")).to_have_attribute("data-count", "0",
                                                                      timeout=15000)
    raise AssertionError(f"{booking_id} never became the next stop: {stop.inner_text()}")


def booking(served: Served, booking_id: str) -> dict[str, Any]:
    return dict(served.http.get(f"/v1/bookings/{booking_id}", headers=served.op()).json())


def test_driver_reports_a_pickup_and_the_console_shows_the_rider_on_board(
        browser: Browser, fresh: Served, shots: Path) -> None:
    b = fresh.book("driver-rider", "town_hall", "supermarket", f"{TODAY}T08:40:00+09:00")
    van = b["vehicle_id"]
    desk = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    desk.goto(f"{fresh.base}/console/")
    desk.get_by_test_id("token").fill(OPERATOR_TOKEN)
    desk.get_by_test_id("sign-in").click()
    expect(desk.get_by_test_id("stream")).to_have_text(re.compile("接続中|Live"), timeout=15000)
    expect(desk.get_by_test_id(f"onboard-{van}")).to_have_text("0")
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    sign_in(page, fresh, van)
    nxt = page.get_by_test_id("next-stop")
    advance_to(page, b["id"])
    expect(page.get_by_test_id("next-rider")).to_contain_text("driver-rider")
    expect(page.get_by_test_id("no-show")).to_be_disabled()
    page.screenshot(path=str(shots / "driver-next-stop-390x844.png"))
    page.get_by_test_id("arrived").click()
    expect(page.get_by_test_id("no-show")).to_be_disabled()  # the wait is not over
    page.get_by_test_id("picked-up").click()
    expect(page.get_by_test_id("queued-count")).to_have_attribute("data-count", "0",
                                                                  timeout=15000)
    assert booking(fresh, b["id"])["status"] == "onboard"
    expect(nxt).to_contain_text(re.compile("降車|Drop off"), timeout=15000)
    page.screenshot(path=str(shots / "driver-dropoff-390x844.png"))
    # the console, open since before the pickup, shows the rider on board (from the stream)
    expect(desk.get_by_test_id(f"onboard-{van}")).to_have_text("1", timeout=15000)
    phone.close()
    desk.context.close()


def test_offline_reports_queue_and_flush_in_order(browser: Browser, fresh: Served,
                                                  shots: Path) -> None:
    b = fresh.book("valley-rider", "supermarket", "clinic", f"{TODAY}T14:00:00+09:00")
    van = b["vehicle_id"]
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    reports: list[tuple[str, int]] = []  # (body, status) of every stop report that arrived
    page.on("response", lambda r: reports.append((r.request.post_data or "", r.status))
            if "/stops/" in r.url and r.request.method == "POST" else None)
    sign_in(page, fresh, van)
    stop = page.get_by_test_id("next-stop")
    advance_to(page, b["id"])
    reports.clear()
    ctx.set_offline(True)
    expect(page.get_by_test_id("online")).to_have_text(re.compile("オフライン|Offline"))
    page.get_by_test_id("arrived").click()
    page.get_by_test_id("picked-up").click()
    expect(page.get_by_test_id("queued-count")).to_have_text("2")
    expect(page.get_by_test_id("queue")).to_contain_text(b["id"])
    page.screenshot(path=str(shots / "driver-offline-queue-390x844.png"))
    # nothing reached the service while offline
    assert booking(fresh, b["id"])["status"] == "confirmed"
    assert reports == []
    ctx.set_offline(False)
    expect(page.get_by_test_id("queued-count")).to_have_attribute("data-count", "0",
                                                                  timeout=20000)
    assert booking(fresh, b["id"])["status"] == "onboard"
    # each report arrived once, in the order it was made
    assert [(json.loads(body)["type"], status) for body, status in reports] == [
        ("arrived", 200), ("picked_up", 200)]
    expect(stop).to_contain_text(re.compile("降車|Drop off"))
    ctx.close()

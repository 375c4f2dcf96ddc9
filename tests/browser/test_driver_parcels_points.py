"""The driver's page for a parcel (貨客混載: kg and litres instead of riders, "nobody home"
at the door) and meeting points named from the phone booking to the van's timeline and the
driver's next stop, in a real browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DEMO_SERVICE, TODAY, Served, serving
from tests.browser.test_console import sign_in
from tests.browser.test_driver import advance_to
from tests.browser.test_driver import sign_in as driver_sign_in


def test_the_driver_carries_a_parcel_and_finds_nobody_home(browser: Browser, fresh: Served,
                                                           shots: Path) -> None:
    shop = fresh.http.post("/v1/shippers", headers=fresh.op(),
                           json={"name": "北野沢郵便局", "kind": "post_office"}).json()
    p = fresh.places()
    r = fresh.http.post("/v1/parcels", headers={"Authorization": f"Bearer {shop['token']}"},
                        json={"pickup": p["town_hall"], "delivery": p["clinic"], "kg": 7,
                              "litres": 25})
    assert r.status_code == 201, r.text
    parcel = r.json()
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    driver_sign_in(page, fresh, parcel["vehicle_id"])
    advance_to(page, parcel["id"])
    who = page.get_by_test_id("next-rider")
    expect(who).to_contain_text("荷物 7 kg · 25 l")
    expect(page.get_by_test_id("no-show")).to_have_count(0)  # a parcel does not fail to show
    page.get_by_test_id("arrived").click()
    page.get_by_test_id("picked-up").click()
    expect(page.get_by_test_id("next-stop")).to_contain_text("降車", timeout=15000)
    expect(page.get_by_test_id("not-home")).to_be_visible()
    page.screenshot(path=str(shots / "driver-parcel-390x844.png"))
    page.get_by_test_id("arrived").click()
    page.get_by_test_id("not-home").click()
    expect(page.get_by_test_id("queued-count")).to_have_attribute("data-count", "0",
                                                                  timeout=15000)
    got = fresh.http.get(f"/v1/parcels/{parcel['id']}", headers=fresh.op()).json()
    assert got["status"] == "returning"
    # the parcel rides back: its new drop-off is the next stop, marked as returning
    expect(who).to_contain_text("持ち戻り", timeout=15000)
    expect(page.get_by_test_id("not-home")).to_have_count(0)
    page.context.close()


@pytest.fixture
def stop_based(redis_proc: Any, tmp_path: Path) -> Iterator[Served]:
    """The demo town run stop-based: every rider walks to a meeting point."""
    data = yaml.safe_load(DEMO_SERVICE.read_text(encoding="utf-8"))
    data["meeting_points"]["mode"] = "stop_based"
    path = tmp_path / "stop-based.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with serving(redis_proc, tmp_path, "brpoints", path) as s:
        yield s


def test_meeting_points_are_named_from_booking_to_driver(page: Page, browser: Browser,
                                                         stop_based: Served) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, stop_based)
    page.get_by_test_id("tab-book").click()
    page.get_by_test_id("rider-query").fill("石田さくら")
    page.get_by_test_id("rider-search").click()
    page.get_by_test_id("reg-submit").click()
    expect(page.get_by_test_id("selected-rider")).to_contain_text("石田さくら")
    page.get_by_test_id("origin-place").select_option("station")
    page.get_by_test_id("destination-place").select_option("clinic")
    page.get_by_test_id("trip-date").select_option(TODAY)
    page.get_by_test_id("trip-time").fill("10:00")
    page.get_by_test_id("get-offer").click()
    points = page.get_by_test_id("offer-points")
    expect(points).to_contain_text("乗る場所: Station front 駅前", timeout=15000)
    expect(points).to_contain_text("降りる場所: Clinic 診療所前")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("readback")).to_contain_text(
        "「Station front 駅前」でお迎えに参ります")
    booked = page.get_by_test_id("booked")
    expect(booked).to_contain_text("Clinic 診療所前")
    booking_id = booked.inner_text().split(":")[1].split()[0]
    b = stop_based.http.get(f"/v1/bookings/{booking_id}", headers=stop_based.op()).json()
    assert b["pickup_point"]["name"] == "Station front 駅前"
    page.get_by_test_id("tab-today").click()
    expect(page.get_by_test_id(f"point-{booking_id}~pickup")).to_have_text(
        "📍 Station front 駅前", timeout=15000)
    expect(page.get_by_test_id(f"point-{booking_id}~dropoff")).to_have_text(
        "📍 Clinic 診療所前")
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    driver_sign_in(phone, stop_based, b["vehicle_id"])
    advance_to(phone, booking_id)
    expect(phone.get_by_test_id("next-point")).to_contain_text(re.compile("Station front 駅前"),
                                                               timeout=15000)
    phone.context.close()

"""The operator's console in a real browser: a phone booking end to end, the language
switch."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import OPERATOR_TOKEN, TODAY, Served


def sign_in(page: Page, served: Served) -> None:
    page.goto(f"{served.base}/console/")
    page.get_by_test_id("token").fill(OPERATOR_TOKEN)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("stream")).to_have_text(re.compile("接続中|Live"), timeout=15000)


def pixel_of(page: Page, testid: str, place: dict[str, float]) -> dict[str, float]:
    """Where a place is on the map ``testid`` on screen, by Leaflet's own projection."""
    page.wait_for_function("(id) => (window.__maasMaps || {})[id]", arg=testid)
    point = page.evaluate(
        "([id, lat, lon]) => window.__maasMaps[id].latLngToContainerPoint([lat, lon])",
        [testid, place["lat"], place["lon"]])
    return {"x": point["x"], "y": point["y"]}


def a_road_point(served: Served) -> dict[str, float]:
    """A point on a road in the village, away from the named places (whose dots pick the
    place itself)."""
    roads = served.http.get("/v1/service/roads").json()
    places = list(served.places().values())
    lat0 = sum(p["lat"] for p in places) / len(places)
    lon0 = sum(p["lon"] for p in places) / len(places)
    points = [(lat, lon) for f in roads["features"] for line in f["geometry"]["coordinates"]
              for lon, lat in line]
    clear = [(lat, lon) for lat, lon in points
             if min(abs(lat - p["lat"]) + abs(lon - p["lon"]) for p in places) > 0.001]
    lat, lon = min(clear, key=lambda q: abs(q[0] - lat0) + abs(q[1] - lon0))
    return {"lat": lat, "lon": lon}


def test_phone_booking_end_to_end(page: Page, served: Served, shots: Path) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, served)
    page.get_by_test_id("tab-book").click()
    # the caller is new: search finds nobody, the clerk registers her
    page.get_by_test_id("rider-query").fill("山田花子")
    page.get_by_test_id("rider-search").click()
    expect(page.get_by_test_id("reg-name")).to_have_value("山田花子")
    page.get_by_test_id("reg-phone").fill("0166-11-2222")
    page.get_by_test_id("reg-submit").click()
    expect(page.get_by_test_id("selected-rider")).to_contain_text("山田花子")
    # from a named place, to a point clicked on the map
    page.get_by_test_id("origin-place").select_option("clinic")
    page.get_by_test_id("destination-pick").click()
    expect(page.get_by_test_id("pick-hint")).to_be_visible()
    target = pixel_of(page, "booking-map", a_road_point(served))
    page.get_by_test_id("booking-map").click(position=target)
    expect(page.get_by_test_id("destination")).to_contain_text(re.compile(r"\d+\.\d{5}, \d+"))
    page.get_by_test_id("trip-date").select_option(TODAY)
    page.get_by_test_id("trip-time").fill("09:30")
    page.get_by_test_id("get-offer").click()
    offer = page.get_by_test_id("offer")
    expect(offer).to_contain_text(TODAY, timeout=15000)
    page.screenshot(path=str(shots / "console-booking-1366x768.png"))
    page.get_by_test_id("confirm").click()
    readback = page.get_by_test_id("readback")
    expect(readback).to_contain_text("お迎えに参ります")
    expect(readback).to_contain_text(re.compile(r"\d\d:\d\dから\d\d:\d\dの間"))
    page.screenshot(path=str(shots / "console-booked-1366x768.png"))
    outbound_id = page.get_by_test_id("booked").inner_text().split(":")[1].split()[0]
    # the linked return, from the same form: the ends swapped, after the outbound's arrival
    page.get_by_test_id("start-return").click()
    page.get_by_test_id("trip-time").fill("11:00")
    page.get_by_test_id("get-offer").click()
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("readback")).to_contain_text("お迎えに参ります")
    back_id = page.get_by_test_id("booked").inner_text().split(":")[1].split()[0]
    back = served.http.get(f"/v1/bookings/{back_id}", headers=served.op()).json()
    assert back["outbound_booking_id"] == outbound_id
    # the booking is the API's: it is there, confirmed, for this rider
    bookings = served.http.get("/v1/bookings", headers=served.op()).json()["bookings"]
    mine = [b for b in bookings if b["service_date"] == TODAY and b["status"] == "confirmed"]
    booked_id = outbound_id
    assert booked_id in {b["id"] for b in mine}
    # and it shows on its van's timeline, with the rider's name
    page.get_by_test_id("tab-today").click()
    expect(page.get_by_test_id("timelines")).to_contain_text(booked_id, timeout=15000)
    expect(page.get_by_test_id("timelines")).to_contain_text("山田花子")
    expect(page.get_by_test_id("timelines")).to_contain_text(back_id)
    page.screenshot(path=str(shots / "console-today-1366x768.png"))


def test_language_switch(page: Page, served: Served) -> None:
    sign_in(page, served)
    expect(page.get_by_test_id("tab-book")).to_have_text("電話予約")
    page.get_by_test_id("lang").click()
    expect(page.get_by_test_id("tab-book")).to_have_text("Phone booking")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()  # the choice is kept
    expect(page.get_by_test_id("tab-book")).to_have_text("Phone booking", timeout=15000)
    page.get_by_test_id("lang").click()
    expect(page.get_by_test_id("tab-book")).to_have_text("電話予約")


def test_a_caller_already_registered_is_found_by_phone(page: Page, served: Served) -> None:
    served.http.post("/v1/riders", headers=served.op(),
                     json={"name": "佐藤一郎", "phone": "0166-33-4444", "notes": "玄関は裏"})
    sign_in(page, served)
    page.get_by_test_id("tab-book").click()
    page.get_by_test_id("rider-query").fill("0166-33-4444")
    page.get_by_test_id("rider-search").click()
    page.get_by_role("button", name=re.compile("佐藤一郎")).click()
    expect(page.get_by_test_id("selected-rider")).to_contain_text("玄関は裏")


def test_days_ahead_plan_now(page: Page, served: Served) -> None:
    served.book("tomorrow-rider", "clinic", "supermarket", "2026-12-08T10:00:00+09:00")
    sign_in(page, served)
    page.get_by_test_id("tab-days").click()
    expect(page.get_by_test_id("days")).to_contain_text("12月8日(火)")
    page.get_by_test_id("plan-2026-12-08").click()
    expect(page.get_by_test_id("days-msg")).to_contain_text("2026-12-08: 予約 1", timeout=30000)
    expect(page.get_by_test_id("days")).to_contain_text("計画済み")


def test_a_viewer_is_not_offered_what_a_viewer_may_not_do(page: Page, served: Served) -> None:
    made = served.http.post("/v1/staff", headers=served.op(),
                            json={"name": "見学 太郎", "role": "viewer"})
    assert made.status_code == 201, made.text
    page.goto(f"{served.base}/console/")
    page.get_by_test_id("token").fill(made.json()["token"])
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("who")).to_contain_text("閲覧のみ", timeout=15000)
    expect(page.get_by_test_id("tab-today")).to_be_visible()
    expect(page.get_by_test_id("tab-book")).to_have_count(0)
    page.get_by_test_id("tab-roads").click()
    expect(page.get_by_test_id("closures")).to_be_visible()
    expect(page.get_by_test_id("draw-line")).to_have_count(0)
    page.get_by_test_id("tab-days").click()
    expect(page.get_by_test_id("days")).to_be_visible()
    expect(page.get_by_text("今すぐ計画")).to_have_count(0)
    # the fleet is read, not run: no van editing, driver tokens, accounts or assignments
    page.get_by_test_id("tab-fleet").click()
    expect(page.get_by_test_id("fleet-v1")).to_be_visible()
    expect(page.get_by_test_id("assigned-v1")).to_be_visible()
    expect(page.get_by_test_id("edit-v1")).to_have_count(0)
    expect(page.get_by_test_id("assign-v1")).to_have_count(0)
    expect(page.get_by_test_id("driver-create")).to_have_count(0)
    expect(page.get_by_text("トークン発行")).to_have_count(0)

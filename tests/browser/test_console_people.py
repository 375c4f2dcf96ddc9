"""The console's staff, shifts and cancel-with-a-reason pages in a real browser, and the
driver's map drawing the road to the next stop."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TODAY, Served
from tests.browser.test_console import sign_in
from tests.browser.test_driver import sign_in as driver_sign_in


def test_an_admin_changes_a_staff_role(page: Page, served: Served, shots: Path) -> None:
    clerk = served.http.post("/v1/staff", headers=served.op(),
                             json={"name": "加藤一郎", "role": "dispatcher"}).json()
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, served)
    page.get_by_test_id("tab-people").click()
    expect(page.get_by_test_id(f"staff-{clerk['id']}")).to_contain_text("加藤一郎")
    page.get_by_test_id(f"role-{clerk['id']}").select_option("viewer")
    expect(page.get_by_test_id("staff-msg")).to_contain_text("保存しました")
    member = served.http.get(f"/v1/staff/{clerk['id']}", headers=served.op()).json()
    assert member["role"] == "viewer"
    # the change is in the audit log, found by its action
    page.get_by_test_id("audit-action").fill("PATCH /v1/staff/{staff_id}")
    page.get_by_test_id("audit-search").click()
    expect(page.get_by_test_id("audit")).to_contain_text(clerk["id"], timeout=20000)  # flush
    page.screenshot(path=str(shots / "console-staff-1366x768.png"))


def test_a_vans_shift_is_edited(page: Page, served: Served, shots: Path) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, served)
    page.get_by_test_id("tab-shifts").click()
    page.get_by_test_id("shift-van").select_option("v4")
    expect(page.get_by_test_id("week-source")).to_contain_text("運行計画ファイル")
    expect(page.get_by_test_id("shift-mon-start")).to_have_value("07:00")
    # Sunday (no service: no open day changes) gets a shift with a break
    page.get_by_test_id("shift-sun-start").fill("09:00")
    page.get_by_test_id("shift-sun-end").fill("15:00")
    page.get_by_test_id("shift-sun-break_start").fill("12:00")
    page.get_by_test_id("shift-sun-break_end").fill("12:30")
    page.get_by_test_id("shift-sun-minutes").fill("20")
    page.get_by_test_id("save-week").click()
    expect(page.get_by_test_id("shift-msg")).to_contain_text("保存しました")
    expect(page.get_by_test_id("week-source")).to_contain_text("画面で変更")
    # a day off on a Saturday ahead, with its reason
    page.get_by_test_id("override-date").fill("2026-12-19")
    page.get_by_test_id("save-override").click()
    expect(page.get_by_test_id("overrides")).to_contain_text("2026-12-19")
    expect(page.get_by_test_id("overrides")).to_contain_text("休み")
    page.screenshot(path=str(shots / "console-shifts-1366x768.png"))
    shifts = served.http.get("/v1/vehicles/v4/shifts", headers=served.op()).json()
    assert shifts["week"]["sun"] == {"start": "09:00", "end": "15:00", "break": {
        "earliest": "12:00", "latest": "12:30", "minutes": 20}}
    assert shifts["week"]["mon"]["start"] == "07:00"
    assert [(o["first"], o["shift"]) for o in shifts["overrides"]] == [("2026-12-19", None)]
    vans = served.http.get("/v1/vehicles", params={"date": "2026-12-19"},
                           headers=served.op()).json()["vehicles"]
    assert "v4" not in {v["id"] for v in vans}


def test_a_booking_is_cancelled_with_a_reason(page: Page, served: Served) -> None:
    b = served.book("cancel-hanako", "station", "clinic", f"{TODAY}T13:00:00+09:00")
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, served)
    page.get_by_test_id("tab-book").click()
    page.get_by_test_id("rider-query").fill("cancel-hanako")
    page.get_by_test_id("rider-search").click()
    page.get_by_role("button", name=re.compile("cancel-hanako")).click()
    expect(page.get_by_test_id(f"status-{b['id']}")).to_have_text("confirmed")
    page.get_by_test_id("cancel-reason").select_option("weather")
    page.get_by_test_id("cancel-note").fill("大雪のため")
    page.locator("li", has_text=b["id"]).get_by_role("button", name="取消").click()
    expect(page.get_by_test_id(f"cancel-reason-{b['id']}")).to_have_text("天候: 大雪のため")
    kept = served.http.get(f"/v1/bookings/{b['id']}", headers=served.op()).json()
    assert (kept["status"], kept["cancel_reason"], kept["cancel_note"]) == (
        "cancelled", "weather", "大雪のため")


def test_an_address_is_found_by_name(page: Page, served: Served) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, served)
    page.get_by_test_id("tab-book").click()
    page.get_by_test_id("origin-address").fill("一条")
    page.get_by_test_id("origin-address-search").click()
    found = page.get_by_test_id("origin-address-found")
    expect(found.get_by_role("button").first).to_have_text("北一条通")
    found.get_by_role("button", name="南一条通").click()
    expect(page.get_by_test_id("origin-chosen")).to_contain_text("南一条通")


def test_the_driver_map_draws_the_road_to_the_next_stop(browser: Browser, served: Served,
                                                        shots: Path) -> None:
    b = served.book("route-rider", "supermarket", "town_hall", f"{TODAY}T10:00:00+09:00")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    driver_sign_in(page, served, b["vehicle_id"])
    expect(page.get_by_test_id("next-stop")).to_contain_text(re.compile(r"b_\d+"), timeout=15000)
    driver_map = page.get_by_test_id("driver-map")
    expect(driver_map).to_have_attribute("data-route-points", re.compile(r"^([3-9]|\d\d+)"),
                                         timeout=15000)
    leg = served.http.get(f"/v1/vehicles/{b['vehicle_id']}/next-leg",
                          headers=served.op()).json()
    assert driver_map.get_attribute("data-route-points") == str(len(leg["path"]))
    page.screenshot(path=str(shots / "driver-next-stop-390x844.png"))

"""The console's fleet page in a real browser: a van edited (a change that would strand a
booked ride refused with the API's reason, then one that fits saved), a van retired, a
driver account made and assigned to a van for a day (its token then drives that van only);
and the monthly report of a closed day."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import TODAY, Served
from tests.browser.test_console import sign_in

TOMORROW = "2026-12-08"


def van(served: Served, vehicle_id: str) -> dict[str, Any]:
    return dict(served.http.get(f"/v1/vehicles/{vehicle_id}", headers=served.op()).json())


def test_a_van_edit_that_strands_a_booked_ride_is_refused_with_the_reason(
        page: Page, fresh: Served, shots: Path) -> None:
    b = fresh.book("five-riders", "station", "clinic", f"{TOMORROW}T10:00:00+09:00",
                   passengers=5)
    vid = b["vehicle_id"]
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, fresh)
    page.get_by_test_id("tab-fleet").click()
    page.get_by_test_id(f"edit-{vid}").click()
    expect(page.get_by_test_id("van-seats")).to_have_value("8")
    # five riders booked tomorrow do not fit in two seats: refused, nothing changed
    page.get_by_test_id("van-seats").fill("2")
    page.get_by_test_id("van-save").click()
    msg = page.get_by_test_id("van-msg")
    expect(msg).to_contain_text("vehicle_change_infeasible")
    expect(msg).to_contain_text(TOMORROW)
    page.screenshot(path=str(shots / "console-fleet-1366x768.png"))
    assert van(fresh, vid)["seats"] == 8
    # six seats and a new name fit
    page.get_by_test_id("van-seats").fill("6")
    page.get_by_test_id("van-name").fill("1号車（新）")
    page.get_by_test_id("van-save").click()
    expect(msg).to_have_text("保存しました")
    assert (van(fresh, vid)["seats"], van(fresh, vid)["name"]) == (6, "1号車（新）")
    # a van with a ride ahead cannot be retired; the refusal names the ride
    page.get_by_test_id("van-retire").click()
    page.get_by_test_id("van-retire-confirm").click()
    expect(msg).to_contain_text("vehicle_has_rides")
    expect(msg).to_contain_text(b["id"])
    assert not van(fresh, vid)["retired"]
    # a van with nothing booked is retired
    idle = next(v for v in ("v4", "v3", "v2", "v1") if v != vid)
    page.get_by_test_id(f"edit-{idle}").click()
    expect(page.get_by_test_id("van-editor")).to_contain_text(idle)
    page.get_by_test_id("van-retire").click()
    page.get_by_test_id("van-retire-confirm").click()
    expect(msg).to_have_text("廃車済み")
    assert van(fresh, idle)["retired"] is True
    expect(page.get_by_test_id("van-save")).to_have_count(0)


def test_a_driver_is_made_and_assigned_to_a_van_for_a_day(page: Page, browser: Browser,
                                                          served: Served) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, served)
    page.get_by_test_id("tab-fleet").click()
    page.get_by_test_id("driver-name").fill("高橋 運転手")
    page.get_by_test_id("driver-phone").fill("090-1111-2222")
    page.get_by_test_id("driver-create").click()
    made = page.get_by_test_id("driver-made")
    expect(made).to_contain_text("高橋 運転手")
    token = made.locator("code").inner_text()
    page.get_by_test_id("assign-date").select_option(TODAY)
    page.get_by_test_id("assign-v2").select_option(label="高橋 運転手")
    expect(page.get_by_test_id("assign-msg")).to_contain_text(f"保存しました: 2号車 {TODAY}")
    got = served.http.get(f"/v1/vehicles/v2/days/{TODAY}/driver", headers=served.op()).json()
    assert got["driver_name"] == "高橋 運転手"
    # the account's token drives v2 today, and no other van
    auth = {"Authorization": f"Bearer {token}"}
    assert served.http.get("/v1/vehicles/v2/manifest", headers=auth).status_code == 200
    assert served.http.get("/v1/vehicles/v3/manifest", headers=auth).status_code == 403
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{served.base}/driver/?van=v2")
    phone.get_by_test_id("token").fill(token)
    phone.get_by_test_id("sign-in").click()
    expect(phone.get_by_test_id("next-stop")).to_be_visible(timeout=15000)
    phone.context.close()
    # another day shows nobody; taken off again, the van day has no driver
    page.get_by_test_id("assign-date").select_option(TOMORROW)
    expect(page.get_by_test_id("assign-v2")).to_have_value("")
    page.get_by_test_id("assign-date").select_option(TODAY)
    expect(page.get_by_test_id("assign-v2")).to_have_value(got["driver_id"])
    page.get_by_test_id("assign-v2").select_option("")
    expect(page.get_by_test_id("assign-msg")).to_contain_text("→ —")
    got = served.http.get(f"/v1/vehicles/v2/days/{TODAY}/driver", headers=served.op()).json()
    assert got["driver_id"] is None


def _serve_whole(served: Served, booking: dict[str, Any]) -> None:
    """The van's driver reports a ride's (or a parcel's) four stop events through the API."""
    van = booking["vehicle_id"]
    driver = {"Authorization": f"Bearer {served.driver_token(van)}"}
    for stop, what in (("pickup", "arrived"), ("pickup", "picked_up"),
                       ("dropoff", "arrived"), ("dropoff", "dropped_off")):
        r = served.http.post(f"/v1/vehicles/{van}/stops/{booking['id']}~{stop}/events",
                             headers=driver, json={"type": what})
        assert r.status_code == 200, r.text


def test_the_monthly_report_shows_a_closed_day(page: Page, fresh: Served, shots: Path) -> None:
    ride = fresh.book("report-rider", "town_hall", "clinic", f"{TODAY}T09:00:00+09:00")
    gone = fresh.book("report-cancel", "station", "clinic", f"{TODAY}T11:00:00+09:00")
    r = fresh.http.request("DELETE", f"/v1/bookings/{gone['id']}", headers=fresh.op(),
                           json={"reason": "weather"})
    assert r.status_code == 200, r.text
    _serve_whole(fresh, ride)
    # a parcel handed in and delivered the same day (the month's parcels)
    r = fresh.http.post("/v1/shippers", headers=fresh.op(),
                        json={"name": "Post office", "kind": "post_office"})
    assert r.status_code == 201, r.text
    shop = {"Authorization": f"Bearer {r.json()['token']}"}
    p = fresh.places()
    parcel = fresh.http.post("/v1/parcels", headers=shop, json={
        "pickup": p["town_hall"], "delivery": p["clinic"], "kg": 3, "litres": 10,
        "pickup_after": f"{TODAY}T10:00:00+09:00"}).json()
    _serve_whole(fresh, parcel)
    # the training clock moves to the next morning: the day closes into the history
    r = fresh.http.put("/v1/clock", headers=fresh.op(),
                       json={"now": f"{TOMORROW}T07:30:00+09:00"})
    assert r.status_code == 200, r.text
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, fresh)
    page.get_by_test_id("tab-report").click()
    expect(page.get_by_test_id("report-month")).to_have_value("2026-12")
    page.get_by_test_id("report-load").click()
    expect(page.get_by_test_id("fig-rides")).to_have_text("1", timeout=15000)
    expect(page.get_by_test_id("fig-cancelled")).to_have_text("1")
    expect(page.get_by_test_id("reason-weather")).to_have_text("1")
    expect(page.get_by_test_id("report")).to_contain_text("2026-11")  # the month before
    expect(page.get_by_test_id("parcel-handed_in")).to_have_text("1")
    expect(page.get_by_test_id("parcel-delivered")).to_have_text("1")
    expect(page.get_by_test_id("parcel-kg_delivered")).to_have_text("3")
    page.screenshot(path=str(shots / "console-report-1366x768.png"))
    with page.expect_download() as dl:
        page.get_by_test_id("report-csv").click()
    assert dl.value.suggested_filename == "report-2026-12.csv"
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert re.search(r"rides", text) and TODAY in text

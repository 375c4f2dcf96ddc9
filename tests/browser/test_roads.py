"""A closure drawn on the console's map lists the rides it hits. (Last of the browser
tests by name: the closure stays in force on the shared server.)"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import TODAY, Served
from tests.browser.test_console import pixel_of, sign_in


def test_closure_drawn_on_the_map_lists_the_rides_it_hits(page: Page, served: Served,
                                                          shots: Path) -> None:
    booking = served.book("closure-rider", "station", "clinic", f"{TODAY}T10:00:00+09:00")
    places = served.places()
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, served)
    page.get_by_test_id("tab-roads").click()
    page.get_by_test_id("draw-polygon").click()
    # an area around the pickup: project the place onto the map's pixels
    point = pixel_of(page, "roads-map", places["station"])
    for dx, dy in ((-6, -6), (6, -6), (6, 6), (-6, 6)):
        page.get_by_test_id("roads-map").click(
            position={"x": point["x"] + dx, "y": point["y"] + dy})
    page.get_by_test_id("close-road").click()
    expect(page.get_by_test_id("affected")).to_contain_text(booking["id"], timeout=15000)
    page.screenshot(path=str(shots / "console-closure-1366x768.png"))
    # lifted from the console: gone from the list of closures in force
    cid = page.get_by_test_id("closures").locator("b").first.inner_text()
    page.get_by_test_id(f"lift-{cid}").click()
    expect(page.get_by_test_id("closures")).not_to_contain_text(cid, timeout=15000)
    assert served.http.get("/v1/closures", headers=served.op()).json()["closures"] == []

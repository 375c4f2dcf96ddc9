"""A driver at a pickup before the plan's time (the live path of the held boarding).

The plan may begin a pickup later than the van gets there: a later rider's window opens
further on, and boarding at once would ride that wait on board. "arrived" counts the ride
limit from the arrival only where that keeps the plan; else the dispatcher holds the
boarding to the plan's time (the manifest's ``board_from``) and counts from it, and a
driver who boards sooner all the same has the limit counted from the "picked_up" report.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.api.conftest import OPERATOR, T0, Area, iso


def _two_riders_one_wait(area: Area) -> tuple[str, dict[str, str], dict[str, Any], Any]:
    """One van; rider A from the station at 09:30 to Okusawa (20 min away), rider B from the
    town hall on the way at 09:52: the plan picks A up at the window's end (09:40) and waits
    for B's window with A on board. A's limit (10 min + 1.5 x the padded direct ride,
    40.75 min) holds from 09:40 and breaks counted from 09:30."""
    van, driver = area.van()
    _, a_rider = area.rider("Sato Hanako")
    _, b_rider = area.rider("Suzuki Ichiro")
    a = area.book(a_rider, area.offer(a_rider, frm="station", to="Okusawa",
                                      pickup_after=iso(timedelta(minutes=30)))["offer_id"])
    assert a.status_code == 201, a.text
    b = area.book(b_rider, area.offer(b_rider, frm="town_hall", to="Okusawa",
                                      pickup_after=iso(timedelta(minutes=52)))["offer_id"])
    assert b.status_code == 201, b.text
    assert b.json()["vehicle_id"] == van
    rt: Any = area.client.app.state.runtime  # type: ignore[attr-defined]
    return van, driver, a.json(), rt.days.context(T0.date()).store


def _at(area: Area, minutes: float) -> None:
    r = area.client.put("/v1/clock", json={"now": iso(timedelta(minutes=minutes))},
                        headers=OPERATOR)
    assert r.status_code == 200, r.text


def _stops(area: Area, van: str, driver: dict[str, str]) -> list[dict[str, Any]]:
    r = area.client.get(f"/v1/vehicles/{van}/manifest", headers=driver)
    assert r.status_code == 200, r.text
    return r.json()["stops"]  # type: ignore[no-any-return]


def _report(area: Area, van: str, driver: dict[str, str], stop_id: str, what: str) -> None:
    r = area.client.post(f"/v1/vehicles/{van}/stops/{stop_id}/events", json={"type": what},
                         headers=driver)
    assert r.status_code == 200, r.text


def test_an_early_arrival_holds_the_boarding_to_the_plans_time(area: Area) -> None:
    van, driver, booking, store = _two_riders_one_wait(area)
    first = _stops(area, van, driver)[0]
    assert first["booking_id"] == booking["id"] and first["type"] == "pickup"
    planned = datetime.fromisoformat(first["planned_at"])
    assert planned >= T0 + timedelta(minutes=39)  # held for B's window: the plan's time
    _at(area, 30)  # the driver is at the station at the window's start, 10 minutes early
    _report(area, van, driver, first["stop_id"], "arrived")
    state = area.client.portal.call(store.state)  # type: ignore[union-attr]
    assert state.at_risk == frozenset()  # counted from 09:30 the plan broke A's limit
    held = state.bookings[booking["id"]].board_from
    assert held is not None and held > state.now
    first = _stops(area, van, driver)[0]
    assert first["board_from"] is not None
    assert datetime.fromisoformat(first["board_from"]) == planned
    assert first["planned_at"] == first["board_from"]
    _at(area, (planned - T0).total_seconds() / 60 + 1)  # boarded as the manifest says
    _report(area, van, driver, first["stop_id"], "picked_up")
    state = area.client.portal.call(store.state)  # type: ignore[union-attr]
    assert state.at_risk == frozenset()
    assert all(s["board_from"] is None for s in _stops(area, van, driver))


def test_boarding_sooner_than_held_counts_the_limit_from_the_boarding(area: Area) -> None:
    van, driver, booking, store = _two_riders_one_wait(area)
    first = _stops(area, van, driver)[0]
    _at(area, 30)
    _report(area, van, driver, first["stop_id"], "arrived")
    _at(area, 31)  # the driver boards the rider at once all the same
    _report(area, van, driver, first["stop_id"], "picked_up")
    state = area.client.portal.call(store.state)  # type: ignore[union-attr]
    a = state.bookings[booking["id"]]
    assert a.picked_up_at == state.now  # the ride counts from the boarding reported
    assert booking["id"] in state.at_risk  # re-checked: waiting for B now breaks A's limit


def test_an_early_arrival_boards_at_once_where_that_is_harmless(area: Area) -> None:
    """A lone rider: nothing waits later, so the rider boards on the van's arrival."""
    van, driver = area.van()
    _, rider = area.rider()
    made = area.book(rider, area.offer(rider, frm="station", to="clinic",
                                       pickup_after=iso(timedelta(minutes=30)))["offer_id"])
    assert made.status_code == 201, made.text
    first = _stops(area, van, driver)[0]
    _at(area, 30)
    _report(area, van, driver, first["stop_id"], "arrived")
    assert _stops(area, van, driver)[0]["board_from"] is None
    rt: Any = area.client.app.state.runtime  # type: ignore[attr-defined]
    state = area.client.portal.call(rt.days.context(T0.date()).store.state)  # type: ignore[union-attr]
    assert state.bookings[made.json()["id"]].board_from is None

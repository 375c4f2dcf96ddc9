"""The Redis layout: every key of an area in one hash slot, and the parts hash holding exactly
the parts the state's root refers to (writes add what changed and drop what went)."""

from __future__ import annotations

import json
from typing import Any

from api.store import AreaStore
from tests.api.conftest import OPERATOR, T0, Area


def _refs(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_refs(n) for n in node)) if node else set()
    if isinstance(node, dict):
        if "__r" in node:
            return {node["__r"]}
        return set().union(*(_refs(v) for v in node.values())) if node else set()
    return set()


def test_parts_hash_matches_the_root_after_writes(area: Area) -> None:
    """After bookings, a cancellation and a pickup, Redis holds exactly the referenced parts."""
    van_id, driver = area.van()
    _, rider = area.rider()
    first = area.book(rider, area.offer(rider)["offer_id"]).json()
    second = area.book(rider, area.offer(rider, to="supermarket")["offer_id"]).json()
    area.client.delete(f"/v1/bookings/{first['id']}", headers=rider)
    stop = area.client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()["stops"][0]
    assert stop["booking_id"] == second["id"]
    for report in ("arrived", "picked_up"):
        area.client.post(f"/v1/vehicles/{van_id}/stops/{stop['stop_id']}/events",
                         json={"type": report}, headers=driver)
    store: AreaStore = area.client.app.state.runtime.store  # type: ignore[attr-defined]
    day = store.keys.day(T0.date())
    assert area.client.portal is not None
    root = area.client.portal.call(store.redis.get, day.state)
    stored: list[bytes] = area.client.portal.call(store.redis.hkeys,  # type: ignore[arg-type]
                                                  day.parts)
    assert {k.decode() for k in stored} == _refs(json.loads(root))
    keys = area.client.portal.call(store.redis.keys, "*")
    assert keys and all(k.decode().startswith(f"maas:{{{store.area}}}:") for k in keys)
    assert area.client.get(f"/v1/bookings/{second['id']}", headers=OPERATOR).json()[
        "status"] == "onboard"


def test_a_day_closed_elsewhere_keeps_no_parts_cached(area: Area) -> None:
    """Each open day's parts are cached by its own DayStore; once the day is no longer
    among the open days (another worker closed it), listing the days empties its cache."""
    area.van()
    _, rider = area.rider()
    area.book(rider, area.offer(rider)["offer_id"])
    store: AreaStore = area.client.app.state.runtime.store  # type: ignore[attr-defined]
    day = store.day(T0.date())
    assert area.client.portal is not None
    assert len(day.parts) > 0
    area.client.portal.call(store.redis.hdel, store.keys.days, T0.date().isoformat())
    area.client.portal.call(store.day_records)
    assert len(day.parts) == 0

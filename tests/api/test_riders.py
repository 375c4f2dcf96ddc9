"""Riders as the phone clerk meets them: found by name, kana or phone, corrected, erased on
request; their needs (wheelchair, slow boarding) shape their offers."""

from __future__ import annotations

from typing import Any

from api.routers.riders import matches
from tests.api.conftest import OPERATOR, Area, bearer, iso


def _register(area: Area, **body: Any) -> dict[str, Any]:
    r = area.client.post("/v1/riders", json=body, headers=OPERATOR)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_search_matches_name_kana_and_phone_digits() -> None:
    """Part of the name or kana (any width or case), or four digits of the phone."""
    record = {"name": "佐藤 花子", "name_kana": "サトウ ハナコ", "phone": "0166-92-1234"}
    assert matches(record, "佐藤")
    assert matches(record, "ｻﾄｳ")  # half-width kana
    assert matches(record, "サトウハナコ")
    assert matches(record, "92-1234") and matches(record, "０１６６")
    assert not matches(record, "123") and not matches(record, "鈴木")


def test_clerk_finds_a_caller_and_corrects_them(area: Area) -> None:
    """GET /v1/riders?query= finds by phone; PATCH changes only the given fields."""
    sato = _register(area, name="佐藤 花子", name_kana="サトウ ハナコ", phone="0166-92-1234")
    _register(area, name="鈴木 一郎", phone="0166-92-9999")
    found = area.client.get("/v1/riders", params={"query": "921234"}, headers=OPERATOR).json()
    assert [r["id"] for r in found["riders"]] == [sato["id"]]
    r = area.client.patch(f"/v1/riders/{sato['id']}", json={"walker": True, "board_seconds": 180},
                          headers=OPERATOR)
    assert r.status_code == 200 and r.json()["walker"] and r.json()["phone"] == "0166-92-1234"
    me = area.client.get("/v1/riders/me", headers=bearer(sato["token"])).json()
    assert me["board_seconds"] == 180
    other = _register(area, name="Ito")
    hidden = area.client.get(f"/v1/riders/{sato['id']}", headers=bearer(other["token"]))
    assert hidden.status_code == 404
    assert area.client.get("/v1/riders", params={"query": "x"},
                           headers=bearer(other["token"])).status_code == 403


def test_erasure_removes_personal_data_and_tokens(area: Area) -> None:
    """DELETE erases name and phone and revokes the token; refused while a ride is open."""
    area.van()
    rider = _register(area, name="山田 太郎", phone="0166-11-2222")
    headers = bearer(rider["token"])
    booking = area.book(headers, area.offer(headers)["offer_id"]).json()
    refused = area.client.delete(f"/v1/riders/{rider['id']}", headers=OPERATOR)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "rider_has_open_rides"
    area.client.delete(f"/v1/bookings/{booking['id']}", headers=headers)
    erased = area.client.delete(f"/v1/riders/{rider['id']}", headers=OPERATOR)
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"] and erased.json()["name"] is None
    assert erased.json()["phone"] is None
    assert area.client.get("/v1/riders/me", headers=headers).status_code == 401
    found = area.client.get("/v1/riders", params={"query": "山田"}, headers=OPERATOR).json()
    assert found["riders"] == []
    kept = area.client.get(f"/v1/bookings/{booking['id']}", headers=OPERATOR)
    assert kept.status_code == 200 and kept.json()["rider_id"] == rider["id"]


def test_a_riders_needs_shape_the_offer(area: Area) -> None:
    """A rider registered with a wheelchair gets a wheelchair place without asking, and
    slow boarding is planned for."""
    area.van()
    quick = _register(area, name="Quick")
    slow = _register(area, name="Slow", needs_wheelchair=True, board_seconds=600)
    when = {"pickup_after": iso()}
    fast_offer = area.offer(bearer(quick["token"]), **when)
    slow_offer = area.offer(bearer(slow["token"]), **when)
    booked = area.book(bearer(slow["token"]), slow_offer["offer_id"]).json()
    assert booked["wheelchair"] is True

    def ride(offer: dict[str, Any]) -> float:
        from datetime import datetime

        return (datetime.fromisoformat(offer["estimated_dropoff"])
                - datetime.fromisoformat(offer["estimated_pickup"])).total_seconds()

    assert ride(slow_offer) >= ride(fast_offer) + 500

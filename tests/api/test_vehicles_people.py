"""Vans as records: a retried POST /v1/vehicles adds one van; GET /v1/vehicles/{id}."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.api.conftest import OPERATOR, Area, bearer, iso


def _body(area: Area, name: str = "Hiace 1") -> dict[str, Any]:
    return {"name": name, "seats": 8, "wheelchair_places": 1, "depot": area.places["depot"],
            "shift_start": iso(-timedelta(hours=1)), "shift_end": iso(timedelta(hours=10))}


def test_retrying_post_vehicles_with_the_same_key_adds_one_van(area: Area) -> None:
    client = area.client
    headers = {**OPERATOR, "Idempotency-Key": "van-1"}
    first = client.post("/v1/vehicles", json=_body(area), headers=headers)
    again = client.post("/v1/vehicles", json=_body(area), headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    fleet = client.get("/v1/vehicles", headers=OPERATOR).json()["vehicles"]
    assert [v["id"] for v in fleet] == [first.json()["id"]]
    van_id = first.json()["id"]
    manifest = client.get(f"/v1/vehicles/{van_id}/manifest",
                          headers=bearer(again.json()["driver_token"]))
    assert manifest.status_code == 200, manifest.text
    # Another key adds another van; the same key with another body is refused.
    other = client.post("/v1/vehicles", json=_body(area, "Hiace 2"),
                        headers={**OPERATOR, "Idempotency-Key": "van-2"})
    assert other.status_code == 201
    reused = client.post("/v1/vehicles", json=_body(area, "Hiace 3"), headers=headers)
    assert reused.status_code == 409
    assert len(client.get("/v1/vehicles", headers=OPERATOR).json()["vehicles"]) == 2


def test_a_van_record_is_read_by_staff(area: Area) -> None:
    van_id, driver = area.van()
    record = area.client.get(f"/v1/vehicles/{van_id}", headers=OPERATOR)
    assert record.status_code == 200
    assert record.json()["seats"] == 8 and record.json()["name"] == "Hiace 1"
    assert area.client.get(f"/v1/vehicles/{van_id}", headers=driver).status_code == 403
    assert area.client.get("/v1/vehicles/v_nope", headers=OPERATOR).status_code == 404


def test_a_van_with_rides_is_not_retired_and_a_retired_van_gets_none(area: Area) -> None:
    client = area.client
    van_id, driver = area.van()
    _, rider = area.rider()
    offer = area.offer(rider)
    booked = area.book(rider, offer["offer_id"])
    assert booked.status_code == 201, booked.text
    booking_id = booked.json()["id"]
    refused = client.delete(f"/v1/vehicles/{van_id}", headers=OPERATOR)
    assert refused.status_code == 409
    assert list(refused.json()["error"]["rides"].values()) == [[booking_id]]
    assert client.delete(f"/v1/bookings/{booking_id}", headers=rider).status_code == 200
    retired = client.delete(f"/v1/vehicles/{van_id}", headers=OPERATOR)
    assert retired.status_code == 200, retired.text
    assert retired.json()["retired"] is True
    assert client.get("/v1/vehicles", headers=OPERATOR).json()["vehicles"] == []
    assert client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).status_code == 401
    assert client.post("/v1/offers", json=area.ask(), headers=rider).status_code != 201
    assert client.delete(f"/v1/vehicles/{van_id}", headers=OPERATOR).status_code == 404


def test_a_van_change_applies_to_later_days_only_while_their_plans_stay_feasible(
        area: Area) -> None:
    client = area.client
    tomorrow = timedelta(days=1)
    body = {**_body(area), "shift_start": iso(tomorrow - timedelta(hours=1)),
            "shift_end": iso(tomorrow + timedelta(hours=8))}
    made = client.post("/v1/vehicles", json=body, headers=OPERATOR)
    assert made.status_code == 201, made.text
    van_id = made.json()["id"]
    _, rider = area.rider()
    offer = area.offer(rider, passengers=3, pickup_after=iso(tomorrow + timedelta(hours=1)))
    assert area.book(rider, offer["offer_id"]).status_code == 201
    day = made.json()["shift_start"][:10]
    too_small = client.patch(f"/v1/vehicles/{van_id}", json={"seats": 2}, headers=OPERATOR)
    assert too_small.status_code == 409, too_small.text
    assert too_small.json()["error"]["day"] == day
    assert client.get(f"/v1/vehicles/{van_id}", headers=OPERATOR).json()["seats"] == 8
    ok = client.patch(f"/v1/vehicles/{van_id}", json={"seats": 4, "name": "Hiace 4"},
                      headers=OPERATOR)
    assert ok.status_code == 200, ok.text
    assert client.get(f"/v1/vehicles/{van_id}", headers=OPERATOR).json()["seats"] == 4
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    ctx = rt.days.context(date.fromisoformat(day))
    state = client.portal.call(ctx.store.state)  # type: ignore[union-attr]
    van = state.vehicle(van_id)
    assert van is not None and van.type.seats == 4 and van.type.name == "Hiace 4"

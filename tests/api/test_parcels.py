"""Contract of the parcel endpoints (貨客混載): the operator registers shippers, a shipper
hands in parcels and follows them, every other role gets 403 on POST, bad bodies 422 with
the field named, and the driver's manifest lists the parcel and reports it like a ride."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import OPERATOR, Area, bearer, iso


def shipper(client: TestClient, name: str = "Kitanosawa post office") -> tuple[str, dict[str, str]]:
    r = client.post("/v1/shippers", json={"name": name, "kind": "post_office"},
                    headers=OPERATOR)
    assert r.status_code == 201, r.text
    return r.json()["id"], bearer(r.json()["token"])


def cargo_van(area: Area) -> tuple[str, dict[str, str]]:
    body = {"name": "Hiace 1", "seats": 8, "wheelchair_places": 1,
            "depot": area.places["depot"], "shift_start": iso(-timedelta(hours=1)),
            "shift_end": iso(timedelta(hours=10)), "cargo_kg": 100, "cargo_litres": 300}
    r = area.client.post("/v1/vehicles", json=body, headers=OPERATOR)
    assert r.status_code == 201, r.text
    return r.json()["id"], bearer(r.json()["driver_token"])


def parcel_body(area: Area, **extra: Any) -> dict[str, Any]:
    return {"pickup": area.places["town_hall"], "delivery": area.places["clinic"],
            "kg": 5, "litres": 20, **extra}


def test_a_shipper_hands_in_a_parcel_and_follows_it(area: Area) -> None:
    client = area.client
    van_id, driver = cargo_van(area)
    shipper_id, shop = shipper(client)
    r = client.post("/v1/parcels", json=parcel_body(area), headers=shop)
    assert r.status_code == 201, r.text
    parcel = r.json()
    assert parcel["status"] == "planned" and parcel["vehicle_id"] == van_id
    assert parcel["shipper_id"] == shipper_id
    assert (parcel["kg"], parcel["litres"]) == (5, 20)
    assert parcel["planned_pickup"] is not None and parcel["planned_delivery"] is not None
    got = client.get(f"/v1/parcels/{parcel['id']}", headers=shop)
    assert got.status_code == 200 and got.json()["id"] == parcel["id"]
    assert client.get(f"/v1/parcels/{parcel['id']}", headers=OPERATOR).status_code == 200
    listed = client.get("/v1/parcels", headers=shop).json()["parcels"]
    assert [p["id"] for p in listed] == [parcel["id"]]
    # another shipper neither sees it nor lists it
    _, other = shipper(client, "Farm Tanaka")
    assert client.get(f"/v1/parcels/{parcel['id']}", headers=other).status_code == 404
    assert client.get("/v1/parcels", headers=other).json()["parcels"] == []
    # the driver's manifest lists it with its size
    manifest = client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()
    stops = [s for s in manifest["stops"] if s["booking_id"] == parcel["id"]]
    assert [s["type"] for s in stops] == ["pickup", "dropoff"]
    assert stops[0]["parcel"] == {"kg": 5, "litres": 20, "returning": False}
    assert stops[0]["passengers"] == 0


def test_a_shipper_withdraws_a_parcel_not_collected_yet(area: Area) -> None:
    client = area.client
    cargo_van(area)
    _, shop = shipper(client)
    _, other = shipper(client, "Farm Tanaka")
    pid = client.post("/v1/parcels", json=parcel_body(area), headers=shop).json()["id"]
    assert client.delete(f"/v1/parcels/{pid}", headers=other).status_code == 404
    for _ in range(2):  # twice is not an error
        r = client.delete(f"/v1/parcels/{pid}", headers=shop)
        assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text


def test_nobody_home_is_reported_and_the_parcel_comes_back(area: Area) -> None:
    client = area.client
    van_id, driver = cargo_van(area)
    _, shop = shipper(client)
    parcel = client.post("/v1/parcels", json=parcel_body(area), headers=shop).json()
    pid = parcel["id"]
    for stop, what in (("pickup", "arrived"), ("pickup", "picked_up"),
                       ("dropoff", "arrived"), ("dropoff", "not_home")):
        r = client.post(f"/v1/vehicles/{van_id}/stops/{pid}~{stop}/events",
                        json={"type": what}, headers=driver)
        assert r.status_code in (200, 201), (what, r.text)
    assert client.get(f"/v1/parcels/{pid}", headers=shop).json()["status"] == "returning"
    manifest = client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()
    back = [s for s in manifest["stops"] if s["booking_id"] == pid]
    assert len(back) == 1 and back[0]["parcel"]["returning"] is True
    r = client.post(f"/v1/vehicles/{van_id}/stops/{pid}~dropoff/events",
                    json={"type": "dropped_off"}, headers=driver)
    assert r.status_code in (200, 201), r.text
    assert client.get(f"/v1/parcels/{pid}", headers=shop).json()["status"] == "returned"


def test_only_a_shipper_may_hand_in_parcels(area: Area) -> None:
    client = area.client
    _, driver = cargo_van(area)
    _, rider = area.rider()
    for headers in (OPERATOR, rider, driver):
        r = client.post("/v1/parcels", json=parcel_body(area), headers=headers)
        assert r.status_code == 403, r.text
    assert client.get("/v1/parcels", headers=rider).status_code == 403
    assert client.post("/v1/parcels", json=parcel_body(area)).status_code == 401
    _, shop = shipper(client)
    assert client.post("/v1/shippers", json={"name": "x"}, headers=shop).status_code == 403


@pytest.mark.parametrize(("change", "field"), [
    ({"kg": -1}, "kg"),
    ({"kg": 0, "litres": 0}, "litres"),
    ({"litres": 10**6}, "litres"),
    ({"pickup": {"lat": 95, "lon": 0}}, "pickup"),
    ({"colour": "red"}, "colour"),
    ({"pickup_after": iso(timedelta(hours=2)), "deliver_by": iso(timedelta(hours=1))},
     "deliver_by"),
])
def test_bad_parcels_are_422_naming_the_field(area: Area, change: dict[str, Any],
                                              field: str) -> None:
    cargo_van(area)
    _, shop = shipper(area.client)
    r = area.client.post("/v1/parcels", json={**parcel_body(area), **change}, headers=shop)
    assert r.status_code == 422, r.text
    assert field in r.text


def test_a_parcel_no_van_can_carry_is_409(area: Area) -> None:
    cargo_van(area)
    _, shop = shipper(area.client)
    r = area.client.post("/v1/parcels", json=parcel_body(area, kg=500), headers=shop)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "parcel_too_large"


def test_without_cargo_space_a_parcel_is_refused_not_lost(area: Area) -> None:
    area.van()  # a van without cargo space
    _, shop = shipper(area.client)
    r = area.client.post("/v1/parcels", json=parcel_body(area), headers=shop)
    assert r.status_code == 409 and r.json()["error"]["code"] == "parcel_too_large"

"""Authorisation: 401 without a valid token; other people's bookings and vans answer 404."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import OPERATOR, Area, bearer, iso


@pytest.mark.parametrize("headers", [{}, bearer("not-a-token"), {"Authorization": "Basic x"}])
def test_missing_or_wrong_token_is_401(client: TestClient, headers: dict[str, str]) -> None:
    """No token, an unknown token or another scheme: 401 with the error JSON."""
    r = client.get("/v1/vehicles", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"


def test_rider_cannot_read_or_cancel_another_riders_booking(area: Area) -> None:
    """Rider B gets 404 (not 403) for rider A's booking, and it stays confirmed."""
    area.van()
    _, rider_a = area.rider("A")
    _, rider_b = area.rider("B")
    booking = area.book(rider_a, area.offer(rider_a)["offer_id"]).json()
    url = f"/v1/bookings/{booking['id']}"
    assert area.client.get(url, headers=rider_b).status_code == 404
    assert area.client.delete(url, headers=rider_b).status_code == 404
    unknown = area.client.get("/v1/bookings/b_doesnotexist", headers=rider_b)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == area.client.get(url, headers=rider_b).json()[
        "error"]["code"]
    assert area.client.get(url, headers=rider_a).json()["status"] == "confirmed"


def test_rider_cannot_book_another_riders_offer(area: Area) -> None:
    """An offer made to rider A cannot be booked by rider B."""
    area.van()
    _, rider_a = area.rider("A")
    _, rider_b = area.rider("B")
    offer = area.offer(rider_a)
    assert area.book(rider_b, offer["offer_id"]).status_code == 409
    assert area.book(rider_a, offer["offer_id"]).status_code == 201


def test_driver_of_one_van_cannot_move_or_read_another(area: Area) -> None:
    """The driver of van 1 gets 404 for van 2's position, manifest and stops."""
    _, driver_1 = area.van()
    van_2, _ = area.van()
    body = {**area.places["station"], "at": iso()}
    assert area.client.post(f"/v1/vehicles/{van_2}/position", json=body,
                            headers=driver_1).status_code == 404
    assert area.client.get(f"/v1/vehicles/{van_2}/manifest", headers=driver_1).status_code == 404
    assert area.client.post(f"/v1/vehicles/{van_2}/stops/b_x~pickup/events",
                            json={"type": "arrived"}, headers=driver_1).status_code == 404


def test_driver_cannot_read_bookings(area: Area) -> None:
    """A booking is not the driver's to read: 404."""
    _, driver = area.van()
    _, rider = area.rider()
    booking = area.book(rider, area.offer(rider)["offer_id"]).json()
    assert area.client.get(f"/v1/bookings/{booking['id']}", headers=driver).status_code == 404


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/v1/riders"), ("post", "/v1/vehicles"), ("get", "/v1/vehicles"),
    ("post", "/v1/closures"),
])
def test_operator_endpoints_refuse_riders(area: Area, method: str, path: str) -> None:
    """Riders may not register riders or vans, list the fleet or close roads (403)."""
    _, rider = area.rider()
    r = area.client.request(method, path, json={}, headers=rider)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"


def test_operator_sees_everything(area: Area) -> None:
    """The operator reads any booking and any van's manifest."""
    van_id, _ = area.van()
    _, rider = area.rider()
    booking = area.book(rider, area.offer(rider)["offer_id"]).json()
    assert area.client.get(f"/v1/bookings/{booking['id']}", headers=OPERATOR).status_code == 200
    assert area.client.get(f"/v1/vehicles/{van_id}/manifest", headers=OPERATOR).status_code == 200

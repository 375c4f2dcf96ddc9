"""``GET /v1/vehicles/{id}/riders``: the van's driver sees the riders of its manifest (name,
passengers, wheelchair, notes, phone); other drivers and riders do not."""

from __future__ import annotations

from tests.api.conftest import OPERATOR, Area


def test_the_driver_sees_the_riders_of_the_van(area: Area) -> None:
    van, driver = area.van()
    _, other_driver = area.van()
    r = area.client.post("/v1/riders", headers=OPERATOR, json={
        "name": "Kato Yumi", "phone": "0166-55-6666", "notes": "ring twice"})
    rider = {"Authorization": f"Bearer {r.json()['token']}"}
    booking = area.book(rider, area.offer(rider)["offer_id"]).json()
    on_van = booking["vehicle_id"]
    me = driver if on_van == van else other_driver
    crew = area.client.get(f"/v1/vehicles/{on_van}/riders", headers=me)
    assert crew.status_code == 200, crew.text
    assert crew.json()["riders"] == [{
        "booking_id": booking["id"], "rider_name": "Kato Yumi", "phone": "0166-55-6666",
        "passengers": 1, "wheelchair": False, "notes": "ring twice",
        "pickup_point": None, "dropoff_point": None}]  # door to door
    them = other_driver if me is driver else driver
    assert area.client.get(f"/v1/vehicles/{on_van}/riders", headers=them).status_code == 404
    assert area.client.get(f"/v1/vehicles/{on_van}/riders", headers=rider).status_code == 404
    assert area.client.get(f"/v1/vehicles/{on_van}/riders", headers=OPERATOR).status_code == 200

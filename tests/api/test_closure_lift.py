"""``GET /v1/closures`` lists the closures in force with their geometry;
``DELETE /v1/closures/{id}`` lifts one now and re-plans (the console's map and its lift)."""

from __future__ import annotations

from tests.api.conftest import OPERATOR, Area


def test_a_closure_is_listed_then_lifted(area: Area) -> None:
    area.van()
    _, rider = area.rider()
    booking = area.book(rider, area.offer(rider, to="clinic")["offer_id"]).json()
    lat, lon = area.places["clinic"]["lat"], area.places["clinic"]["lon"]
    d = 0.003
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d],
            [lon - d, lat - d]]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    made = area.client.post("/v1/closures", json={"geometry": geometry}, headers=OPERATOR)
    assert made.status_code == 201
    cid = made.json()["id"]
    listed = area.client.get("/v1/closures", headers=OPERATOR).json()["closures"]
    assert [(c["id"], c["geometry"]) for c in listed] == [(cid, geometry)]
    closed = area.client.post("/v1/offers", json=area.ask(to="clinic"), headers=rider)
    assert closed.status_code != 201  # the clinic's roads are shut

    lifted = area.client.delete(f"/v1/closures/{cid}", headers=OPERATOR)
    assert lifted.status_code == 200 and lifted.json()["id"] == cid
    assert area.client.get("/v1/closures", headers=OPERATOR).json()["closures"] == []
    assert area.client.delete(f"/v1/closures/{cid}", headers=OPERATOR).status_code == 404
    # the booking is still confirmed, and a new ride to the clinic is offered again
    again = area.client.get(f"/v1/bookings/{booking['id']}", headers=OPERATOR).json()
    assert again["status"] == "confirmed"
    area.offer(rider, to="clinic")


def test_only_the_operator_lists_or_lifts(area: Area) -> None:
    _, rider = area.rider()
    assert area.client.get("/v1/closures", headers=rider).status_code == 403
    assert area.client.delete("/v1/closures/c_x", headers=rider).status_code == 403

"""Contract v1 end to end on a real Redis: riders, vans, offers, bookings, manifests, stop
reports, positions, closures, health."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from tests.api.conftest import OPERATOR, Area, iso


def test_rider_creation_returns_id_and_token(client: TestClient) -> None:
    """POST /v1/riders gives 201 with an id and a token that authenticates the rider."""
    r = client.post("/v1/riders", json={"name": "Kato", "phone": "0123", "needs_wheelchair": True},
                    headers=OPERATOR)
    assert r.status_code == 201
    body = r.json()
    assert body["id"] and body["token"] and body["needs_wheelchair"] is True
    assert client.post("/v1/offers", json={}, headers={
        "Authorization": f"Bearer {body['token']}"}).status_code == 422


def test_vehicle_creation_and_fleet_listing(area: Area) -> None:
    """A new van appears in GET /v1/vehicles with its position, empty load and no stops."""
    van_id, _ = area.van(seats=6)
    fleet = area.client.get("/v1/vehicles", headers=OPERATOR).json()["vehicles"]
    assert [v["id"] for v in fleet] == [van_id]
    assert fleet[0]["load"] == {"passengers": 0, "wheelchairs": 0}
    assert fleet[0]["next_stops"] == []
    assert abs(fleet[0]["position"]["lat"] - area.places["depot"]["lat"]) < 0.01


def test_offer_has_window_dropoff_and_expiry(area: Area) -> None:
    """An offer carries a pickup window, a latest drop-off and an expiry, as ISO 8601."""
    area.van()
    _, rider = area.rider()
    offer = area.offer(rider, pickup_after=iso(timedelta(minutes=30)))
    start = datetime.fromisoformat(offer["pickup_window"]["start"])
    end = datetime.fromisoformat(offer["pickup_window"]["end"])
    assert start < end <= datetime.fromisoformat(offer["dropoff_by"])
    assert start >= datetime.fromisoformat(iso(timedelta(minutes=29)))
    assert datetime.fromisoformat(offer["expires_at"]) > datetime.fromisoformat(iso())


def test_booking_confirms_offer_with_promise(area: Area) -> None:
    """POST /v1/bookings gives 201 confirmed with the offer's window and a van."""
    van_id, _ = area.van()
    _, rider = area.rider()
    offer = area.offer(rider)
    r = area.book(rider, offer["offer_id"])
    assert r.status_code == 201
    booking = r.json()
    assert booking["status"] == "confirmed" and booking["vehicle_id"] == van_id
    assert booking["pickup_window"] == offer["pickup_window"]
    assert booking["dropoff_by"] == offer["dropoff_by"]
    assert area.client.get(f"/v1/bookings/{booking['id']}", headers=rider).json() == booking


def test_same_idempotency_key_returns_same_booking(area: Area) -> None:
    """Repeating a booking with the same Idempotency-Key returns the same booking, once."""
    area.van()
    _, rider = area.rider()
    offer = area.offer(rider)
    first = area.book(rider, offer["offer_id"], key="abc-1")
    again = area.book(rider, offer["offer_id"], key="abc-1")
    assert first.status_code == 201 and again.status_code in (200, 201)
    assert again.json()["id"] == first.json()["id"]
    manifest = area.client.get(f"/v1/vehicles/{first.json()['vehicle_id']}/manifest",
                               headers=OPERATOR).json()
    assert len(manifest["stops"]) == 2


def test_already_booked_offer_is_a_conflict(area: Area) -> None:
    """Booking an offer a second time under another key gives 409."""
    area.van()
    _, rider = area.rider()
    offer = area.offer(rider)
    assert area.book(rider, offer["offer_id"]).status_code == 201
    again = area.book(rider, offer["offer_id"])
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "offer_already_booked"


def test_expired_offer_is_a_conflict(area: Area) -> None:
    """An offer whose TTL has run out cannot be booked (409)."""
    area.van()
    _, rider = area.rider()
    offer = area.offer(rider)
    store = area.client.app.state.runtime.store  # type: ignore[attr-defined]
    assert area.client.portal is not None
    area.client.portal.call(store.redis.delete, store.keys.offer(offer["offer_id"]))  # TTL ran out
    r = area.book(rider, offer["offer_id"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "offer_expired"


def test_operator_books_by_phone_for_a_rider(area: Area) -> None:
    """The operator asks with rider_id; the booking belongs to that rider."""
    area.van()
    rider_id, rider = area.rider()
    offer = area.offer(OPERATOR, rider_id=rider_id)
    booking = area.book(OPERATOR, offer["offer_id"]).json()
    assert booking["rider_id"] == rider_id
    assert area.client.get(f"/v1/bookings/{booking['id']}", headers=rider).status_code == 200


def test_cancel_is_idempotent_and_frees_the_manifest(area: Area) -> None:
    """DELETE cancels (twice is fine) and the van's manifest loses the stops."""
    van_id, driver = area.van()
    _, rider = area.rider()
    booking = area.book(rider, area.offer(rider)["offer_id"]).json()
    for _ in range(2):
        r = area.client.delete(f"/v1/bookings/{booking['id']}", headers=rider)
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
    manifest = area.client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()
    assert manifest["stops"] == []


def test_no_vehicle_gives_409_with_error_shape(area: Area) -> None:
    """With no van at all, an offer is refused with 409 and the error JSON shape."""
    _, rider = area.rider()
    r = area.client.post("/v1/offers", json=area.ask(), headers=rider)
    assert r.status_code == 409
    assert set(r.json()["error"]) >= {"code", "message"}


def test_offer_lists_alternatives_when_asked(area: Area) -> None:
    """Asked with ``alternatives: true``, an offer also lists other servable times (earlier
    than asked, later than offered), each an offer with the same estimate when asked for;
    without it the list is empty (and the offer costs no extra searches)."""
    area.van()
    _, rider = area.rider()
    asked = iso(timedelta(hours=1))
    plain = area.offer(rider, pickup_after=asked)
    assert plain["alternatives"] == []
    offer = area.offer(rider, pickup_after=asked, alternatives=True)
    listed = offer["alternatives"]
    assert listed
    offered = datetime.fromisoformat(offer["estimated_pickup"])
    for alt in listed:
        pickup = datetime.fromisoformat(alt["estimated_pickup"])
        assert pickup < datetime.fromisoformat(asked) or pickup > offered
        again = area.offer(rider, pickup_after=alt["pickup_after"])
        assert abs(datetime.fromisoformat(again["estimated_pickup"]) - pickup) <= \
            timedelta(seconds=1)


def test_busy_van_gives_409_with_a_later_alternative(area: Area) -> None:
    """A one-seat van taking a rider 17 minutes away cannot take a second rider in the same
    window: 409 that names a later feasible pickup time."""
    area.van(seats=1, wheelchair_places=0)
    _, rider = area.rider()
    soon = iso(timedelta(minutes=20))
    offer = area.offer(rider, to="Okusawa", pickup_after=soon)
    assert area.book(rider, offer["offer_id"]).status_code == 201
    r = area.client.post("/v1/offers", json=area.ask(to="Okusawa", pickup_after=soon),
                         headers=rider)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "no_capacity"
    later = datetime.fromisoformat(r.json()["error"]["alternative"]["pickup_after"])
    assert later > datetime.fromisoformat(offer["pickup_window"]["end"])
    listed = r.json()["error"]["alternatives"]
    assert 1 <= len(listed) <= 6 and all("estimated_pickup" in a for a in listed)


def test_manifest_lists_stops_in_driving_order(area: Area) -> None:
    """The manifest has pickup before drop-off, planned times that do not go back, places."""
    van_id, driver = area.van()
    _, rider = area.rider()
    booking = area.book(rider, area.offer(rider, passengers=2)["offer_id"]).json()
    stops = area.client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()["stops"]
    assert [(s["booking_id"], s["type"]) for s in stops] == [
        (booking["id"], "pickup"), (booking["id"], "dropoff")]
    assert stops[0]["passengers"] == 2
    times = [datetime.fromisoformat(s["planned_at"]) for s in stops]
    assert times == sorted(times)
    assert set(stops[0]["location"]) == {"lat", "lon"}


def test_driver_reports_pickup_and_dropoff(area: Area) -> None:
    """Stop events move a booking to onboard, then completed, and empty the manifest."""
    van_id, driver = area.van()
    _, rider = area.rider()
    booking = area.book(rider, area.offer(rider)["offer_id"]).json()
    stops = area.client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()["stops"]
    pickup, dropoff = stops[0]["stop_id"], stops[1]["stop_id"]
    url = f"/v1/vehicles/{van_id}/stops"
    assert area.client.post(f"{url}/{pickup}/events", json={"type": "arrived"},
                            headers=driver).status_code == 200
    r = area.client.post(f"{url}/{pickup}/events", json={"type": "picked_up"}, headers=driver)
    assert r.status_code == 200 and r.json()["booking_status"] == "onboard"
    fleet = area.client.get("/v1/vehicles", headers=OPERATOR).json()["vehicles"]
    assert fleet[0]["load"]["passengers"] == 1
    r = area.client.post(f"{url}/{dropoff}/events", json={"type": "dropped_off"}, headers=driver)
    assert r.status_code == 200 and r.json()["booking_status"] == "completed"
    assert area.client.get(f"/v1/bookings/{booking['id']}", headers=rider).json()[
        "status"] == "completed"
    assert area.client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()[
        "stops"] == []


def test_wrong_report_for_stop_kind_is_422(area: Area) -> None:
    """'dropped_off' at a pickup stop is refused with 422."""
    van_id, driver = area.van()
    _, rider = area.rider()
    area.book(rider, area.offer(rider)["offer_id"])
    stop = area.client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()["stops"][0]
    r = area.client.post(f"/v1/vehicles/{van_id}/stops/{stop['stop_id']}/events",
                         json={"type": "dropped_off"}, headers=driver)
    assert r.status_code == 422


def test_driver_reports_position(area: Area) -> None:
    """A position report snaps onto the road and moves the van in the fleet view."""
    van_id, driver = area.van()
    at = area.places["station"]
    r = area.client.post(f"/v1/vehicles/{van_id}/position", json={**at, "at": iso()},
                         headers=driver)
    assert r.status_code == 200
    fleet = area.client.get("/v1/vehicles", headers=OPERATOR).json()["vehicles"]
    assert abs(fleet[0]["position"]["lat"] - at["lat"]) < 0.005
    assert fleet[0]["position_at"] is not None


def test_closure_lists_affected_bookings(area: Area) -> None:
    """A polygon closing the clinic's roads re-plans and names the booking going there."""
    area.van()
    _, rider = area.rider()
    booking = area.book(rider, area.offer(rider, to="clinic")["offer_id"]).json()
    lat, lon = area.places["clinic"]["lat"], area.places["clinic"]["lon"]
    d = 0.003
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d],
            [lon - d, lat - d]]
    r = area.client.post("/v1/closures", json={"geometry": {"type": "Polygon",
                                                            "coordinates": [ring]}},
                         headers=OPERATOR)
    assert r.status_code == 201
    body = r.json()
    assert body["id"]
    assert booking["id"] in body["affected_bookings"] + body["promises_at_risk"]


def test_health_ready_metrics(client: TestClient) -> None:
    """/healthz and /readyz answer 200; /metrics is Prometheus text with our counters."""
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and "maas_http_requests_total" in metrics.text


def test_openapi_lists_contract_paths(client: TestClient) -> None:
    """/openapi.json documents every path of contract v1."""
    paths = set(client.get("/openapi.json").json()["paths"])
    assert paths >= {"/v1/riders", "/v1/vehicles", "/v1/vehicles/{vehicle_id}/position",
                     "/v1/vehicles/{vehicle_id}/manifest",
                     "/v1/vehicles/{vehicle_id}/stops/{stop_id}/events", "/v1/offers",
                     "/v1/bookings", "/v1/bookings/{booking_id}", "/v1/closures", "/v1/events",
                     "/healthz", "/readyz", "/metrics"}


def test_booking_list_shows_a_rider_only_their_own_and_the_operator_all(area: Area) -> None:
    """GET /v1/bookings: rider A sees only A's bookings; the operator sees both, newest first."""
    area.van()
    _, rider_a = area.rider("A")
    _, rider_b = area.rider("B")
    booking_a = area.book(rider_a, area.offer(rider_a)["offer_id"]).json()
    booking_b = area.book(rider_b, area.offer(rider_b)["offer_id"]).json()
    mine = area.client.get("/v1/bookings", headers=rider_a)
    assert mine.status_code == 200
    assert mine.json()["bookings"] == [booking_a]
    everyone = area.client.get("/v1/bookings", headers=OPERATOR).json()["bookings"]
    assert [b["id"] for b in everyone] == [booking_b["id"], booking_a["id"]]
    limited = area.client.get("/v1/bookings", params={"limit": 1}, headers=OPERATOR).json()
    assert [b["id"] for b in limited["bookings"]] == [booking_b["id"]]


def test_booking_list_filters_by_status(area: Area) -> None:
    """?status=cancelled lists only the cancelled booking; ?status=confirmed only the other."""
    area.van()
    _, rider = area.rider()
    kept = area.book(rider, area.offer(rider)["offer_id"]).json()
    dropped = area.book(rider, area.offer(rider, frm="clinic", to="station")["offer_id"]).json()
    assert area.client.delete(f"/v1/bookings/{dropped['id']}", headers=rider).status_code == 200

    def listed(status: str) -> list[str]:
        r = area.client.get("/v1/bookings", params={"status": status}, headers=rider)
        assert r.status_code == 200
        return [b["id"] for b in r.json()["bookings"]]

    assert listed("cancelled") == [dropped["id"]]
    assert listed("confirmed") == [kept["id"]]
    assert listed("no_show") == []


def test_booking_list_rejects_bad_status_and_drivers(area: Area) -> None:
    """A bad status or limit is a 422 JSON error; a driver gets 403; it is in the OpenAPI."""
    _, driver = area.van()
    assert "get" in area.client.get("/openapi.json").json()["paths"]["/v1/bookings"]
    for params in ({"status": "lost"}, {"limit": 0}, {"limit": 501}):
        r = area.client.get("/v1/bookings", params=params, headers=OPERATOR)
        assert r.status_code == 422
        assert "code" in r.json()["error"]
    assert area.client.get("/v1/bookings", headers=driver).status_code == 403

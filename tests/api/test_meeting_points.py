"""Meeting points in the live service: the demo town's service file run mixed (winter: a
150 m walk limit), offers that name the point and the walk, door-to-door riders at the door,
riders out of reach refused under ``out_of_reach: reject``, bookings planned at the point."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from api.main import DEMO_SERVICE, create_app
from maas.roads import RoadNetwork
from tests.api.conftest import OPERATOR, TOKYO, bearer, make_settings, redis_url

FRIDAY = datetime(2027, 1, 8, 8, 0, tzinfo=TOKYO)  # winter: the 150 m limit
NEAR_ASAHI_3 = {"lat": 43.0354916, "lon": 142.044863}  # 100 m north of the point "Asahi 3"
FAR_FROM_POINTS = {"lat": 43.0142177, "lon": 142.0332738}  # 284 m from the nearest point


def _service_file(tmp_path: Path, **meeting: Any) -> Path:
    data = yaml.safe_load(Path(DEMO_SERVICE).read_text(encoding="utf-8"))
    data["meeting_points"].update(meeting)
    path = tmp_path / "demo-mixed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _town(redis_proc: Any, demo_network: RoadNetwork, tmp_path: Path, **meeting: Any
          ) -> TestClient:
    settings = make_settings(redis_url(redis_proc), service=_service_file(tmp_path, **meeting),
                             clock_start=FRIDAY, archive_dir=tmp_path / "archive")
    return TestClient(create_app(settings, network=demo_network))


@pytest.fixture
def mixed(redisdb: Any, redis_proc: Any, demo_network: RoadNetwork, tmp_path: Path
          ) -> Iterator[TestClient]:
    with _town(redis_proc, demo_network, tmp_path, mode="mixed") as c:
        yield c


def _rider(client: TestClient, **flags: bool) -> dict[str, str]:
    r = client.post("/v1/riders", json={"name": "Abe", **flags}, headers=OPERATOR)
    assert r.status_code == 201, r.text
    assert all(r.json()[k] == v for k, v in flags.items())
    return bearer(r.json()["token"])


def _clinic(client: TestClient) -> dict[str, float]:
    lat, lon = client.app.state.runtime.network.graph.graph["places"]["clinic"]  # type: ignore[attr-defined]
    return {"lat": lat, "lon": lon}


def _offer(client: TestClient, rider: dict[str, str], origin: dict[str, float]) -> Any:
    return client.post("/v1/offers", json={"origin": origin, "destination": _clinic(client),
                                           "pickup_after": "2027-01-08T10:00:00+09:00"},
                       headers=rider)


def test_stop_based_rider_is_offered_a_point_within_the_winter_limit(mixed: TestClient) -> None:
    r = _offer(mixed, _rider(mixed), NEAR_ASAHI_3)
    assert r.status_code == 201, r.text
    point = r.json()["pickup_point"]
    assert point is not None and point["walk_m"] <= 150
    assert point["id"] == "asahi-3" and point["name"] == "Asahi 3"  # the only one in reach
    assert abs(point["walk_m"] - 100) <= 2
    assert set(point) == {"id", "name", "lat", "lon", "walk_m"}
    # The clinic is a meeting point itself: the rider is set down there, no walk.
    assert r.json()["dropoff_point"]["id"] == "clinic"
    assert r.json()["dropoff_point"]["walk_m"] == 0


def test_door_to_door_rider_is_met_at_the_door(mixed: TestClient) -> None:
    for flags in ({"door_to_door": True}, {"needs_wheelchair": True}):
        r = _offer(mixed, _rider(mixed, **flags), NEAR_ASAHI_3)
        assert r.status_code == 201, r.text
        assert r.json()["pickup_point"] is None and r.json()["dropoff_point"] is None


def test_rider_flag_can_be_changed(mixed: TestClient) -> None:
    r = mixed.post("/v1/riders", json={"name": "Ito"}, headers=OPERATOR)
    rid = r.json()["id"]
    assert r.json()["door_to_door"] is False
    patched = mixed.patch(f"/v1/riders/{rid}", json={"door_to_door": True}, headers=OPERATOR)
    assert patched.status_code == 200 and patched.json()["door_to_door"] is True


def test_booking_plans_exactly_the_offered_point(mixed: TestClient) -> None:
    rider = _rider(mixed)
    offer = _offer(mixed, rider, NEAR_ASAHI_3).json()
    booked = mixed.post("/v1/bookings", json={"offer_id": offer["offer_id"]},
                        headers={**rider, "Idempotency-Key": offer["offer_id"]})
    assert booked.status_code == 201, booked.text
    booking = booked.json()
    assert booking["pickup_point"] == offer["pickup_point"]
    assert booking["dropoff_point"] == offer["dropoff_point"]
    rt = mixed.app.state.runtime  # type: ignore[attr-defined]
    point = next(p for p in rt.meeting.points if p.id == "asahi-3")
    assert (booking["origin"]["lat"], booking["origin"]["lon"]) == (point.location.lat,
                                                                    point.location.lon)
    again = mixed.get(f"/v1/bookings/{booking['id']}", headers=rider)
    assert again.json()["pickup_point"] == offer["pickup_point"]
    assert mixed.portal is not None
    ctx = rt.days.context(FRIDAY.date())
    state = mixed.portal.call(ctx.store.state)
    assert state.bookings[booking["id"]].request.origin == point.location
    # the driver's list of riders names where each boards and alights
    crew = mixed.get(f"/v1/vehicles/{booking['vehicle_id']}/riders", headers=OPERATOR).json()
    mine = next(r for r in crew["riders"] if r["booking_id"] == booking["id"])
    assert mine["pickup_point"] == offer["pickup_point"]
    assert mine["dropoff_point"]["name"] == "Clinic 診療所前"


def test_service_lists_the_meeting_points(mixed: TestClient) -> None:
    body = mixed.get("/v1/service").json()["meeting_points"]
    assert body["mode"] == "mixed" and body["walk_limit_m"] == {"summer": 300, "winter": 150}
    assert body["walk_limit_today_m"] == 150  # January
    assert body["door_to_door_flags"] == ["door_to_door", "needs_wheelchair"]
    assert {"id": "asahi-3", "name": "Asahi 3", "lat": 43.034587, "lon": 142.044863} \
        in body["points"]


def test_out_of_reach_is_refused_when_the_service_says_so(
        redisdb: Any, redis_proc: Any, demo_network: RoadNetwork, tmp_path: Path) -> None:
    with _town(redis_proc, demo_network, tmp_path, mode="stop_based",
               out_of_reach="reject") as town:
        r = _offer(town, _rider(town), FAR_FROM_POINTS)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "no_meeting_point" and error["field"] == "origin"
        assert error["walk_limit_m"] == 150
        assert 280 <= error["nearest_point"]["walk_m"] <= 290
        assert "150 m" in error["message"]
        # In reach: offered at a point, as in the mixed service.
        ok = _offer(town, _rider(town), NEAR_ASAHI_3)
        assert ok.status_code == 201 and ok.json()["pickup_point"]["id"] == "asahi-3"


def test_door_to_door_service_offers_no_points(
        redisdb: Any, redis_proc: Any, demo_network: RoadNetwork, tmp_path: Path) -> None:
    """The shipped demo file (door_to_door) keeps every rider at the door."""
    with _town(redis_proc, demo_network, tmp_path) as town:
        r = _offer(town, _rider(town), NEAR_ASAHI_3)
        assert r.status_code == 201, r.text
        assert r.json()["pickup_point"] is None and r.json()["dropoff_point"] is None
        assert town.get("/v1/service").json()["meeting_points"]["points"] == []


def test_standing_rides_are_met_at_the_point(mixed: TestClient) -> None:
    """A weekly ride of a stop-based rider is booked at the meeting point on each open day,
    as an offer would be; a door-to-door rider's at the door."""
    for flags, expected in (({}, "asahi-3"), ({"door_to_door": True}, None)):
        rider = _rider(mixed, **flags)
        r = mixed.post("/v1/standing-bookings", headers=rider, json={
            "origin": NEAR_ASAHI_3, "destination": _clinic(mixed), "weekdays": ["mon", "fri"],
            "pickup_after": "10:00", "first_date": FRIDAY.date().isoformat()})
        assert r.status_code == 201, r.text
        booked = [ride["booking_id"] for ride in r.json()["rides"] if ride["booking_id"]]
        assert booked, r.json()["rides"]
        for bid in booked:
            booking = mixed.get(f"/v1/bookings/{bid}", headers=rider).json()
            point = booking["pickup_point"]
            assert (point["id"] if point else None) == expected, booking

"""Offers that connect with trains, over HTTP: ``connect_to`` / ``connect_from`` resolved
against the service's timetable (422 naming the field otherwise), and late trains reported by
the operator (``POST /v1/transit/delays``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from maas.roads import RoadNetwork
from tests.api.conftest import OPERATOR, T0, Area, make_settings, redis_url
from tests.transit.gtfs_build import write_station_feed

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo-service.yaml"


@pytest.fixture
def rail(redisdb: Any, redis_proc: Any, demo_network: RoadNetwork, tmp_path: Path,
         places: dict[str, dict[str, float]]) -> Iterator[Area]:
    """The demo service with a railway station at the demo town's station: trains leave
    for Sapporo at 08:30 (before the clock's 09:00), 10:30 and 11:30 and arrive at 11:00;
    transfer buffer 5 minutes."""
    st = places["station"]
    feed = write_station_feed(tmp_path / "gtfs", ("KS", "Kitanosawa", st["lat"], st["lon"]),
                              ["08:30", "10:30", "11:30"], ["11:00"])
    text = DEMO.read_text(encoding="utf-8").replace("network:\n  source: demo", (
        f"transit:\n  feed: {feed}\n  transfer_stops: [KS]\n  transfer_buffer_minutes: 5\n"
        "network:\n  source: demo"), 1)
    service = tmp_path / "rail-service.yaml"
    service.write_text(text, encoding="utf-8")
    app = create_app(make_settings(redis_url(redis_proc), service=service),
                     network=demo_network)
    with TestClient(app) as client:
        yield Area(client, places)


def at(hh: int, mm: int) -> str:
    return T0.replace(hour=hh, minute=mm).isoformat()


def _post(area: Area, headers: dict[str, str], **body: Any) -> Any:
    return area.client.post("/v1/offers", json=area.ask(**body), headers=headers)


def test_offer_to_a_train_states_the_departure_and_arrives_in_time(rail: Area) -> None:
    _, me = rail.rider()
    r = _post(rail, me, frm="clinic", to="station",
              connect_to={"stop_id": "KS", "departure": at(10, 30)})
    assert r.status_code == 201, r.text
    offer = r.json()
    c = offer["connection"]
    assert c["kind"] == "departure" and c["stop_id"] == "KS" and c["trip_id"] == "up1"
    assert c["stop_name"] == "Kitanosawa" and c["headsign"] == "Sapporo"
    assert datetime.fromisoformat(c["scheduled"]) == T0.replace(hour=10, minute=30)
    assert c["buffer_minutes"] == 5 and c["margin_minutes"] >= 0
    by = datetime.fromisoformat(c["at_stop_by"])
    assert by == T0.replace(hour=10, minute=25) - timedelta(minutes=c["margin_minutes"])
    assert datetime.fromisoformat(offer["dropoff_by"]) == by
    assert datetime.fromisoformat(offer["estimated_dropoff"]) <= by
    booked = rail.book(me, offer["offer_id"])
    assert booked.status_code == 201, booked.text


def test_the_next_train_after_a_time(rail: Area) -> None:
    _, me = rail.rider()
    r = _post(rail, me, frm="clinic", to="station",
              connect_to={"stop_id": "KS", "headsign": "Sapporo", "after": at(10, 31)})
    assert r.status_code == 201, r.text
    c = r.json()["connection"]
    assert c["trip_id"] == "up2"
    assert datetime.fromisoformat(c["scheduled"]) == T0.replace(hour=11, minute=30)


@pytest.mark.parametrize(("connect", "code", "field"), [
    ({"stop_id": "SAP", "departure": at(10, 30)}, "not_a_transfer_stop", "connect_to.stop_id"),
    ({"stop_id": "KS", "departure": at(10, 40)}, "no_such_departure", "connect_to.departure"),
    ({"stop_id": "KS", "after": at(11, 31)}, "no_such_departure", "connect_to.after"),
    ({"stop_id": "KS", "after": at(9, 0), "headsign": "Asahikawa"}, "no_such_departure",
     "connect_to.after"),
])
def test_connect_to_refusals_name_the_field(rail: Area, connect: dict[str, Any], code: str,
                                            field: str) -> None:
    _, me = rail.rider()
    r = _post(rail, me, frm="clinic", to="station", connect_to=connect)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == code and err["field"] == field and field in err["message"]


def test_a_train_that_has_left_is_refused(rail: Area) -> None:
    _, me = rail.rider()
    for connect in ({"stop_id": "KS", "departure": at(8, 30)},
                    {"stop_id": "KS", "after": at(6, 0)}):  # the next after 06:00 is 08:30
        r = _post(rail, me, frm="clinic", to="station", connect_to=connect)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "in_the_past"
        assert r.json()["error"]["field"] == "connect_to"


def test_ride_to_a_train_must_end_at_its_stop(rail: Area) -> None:
    _, me = rail.rider()
    r = _post(rail, me, frm="station", to="clinic",
              connect_to={"stop_id": "KS", "departure": at(10, 30)})
    assert r.status_code == 422 and r.json()["error"]["field"] == "destination"


def test_connection_and_a_time_together_are_refused(rail: Area) -> None:
    _, me = rail.rider()
    r = _post(rail, me, frm="clinic", to="station", arrive_before=at(10, 0),
              connect_to={"stop_id": "KS", "departure": at(10, 30)})
    assert r.status_code == 422
    assert "connect" in r.text


def test_plain_service_has_no_timetable(area: Area) -> None:
    _, me = area.rider()
    r = _post(area, me, frm="clinic", to="station",
              connect_to={"stop_id": "KS", "departure": at(10, 30)})
    assert r.status_code == 422 and r.json()["error"]["code"] == "no_timetable"
    assert r.json()["error"]["field"] == "connect_to"


def test_late_train_moves_the_return_pickup(rail: Area) -> None:
    _, me = rail.rider()
    r = _post(rail, me, frm="station", to="clinic",
              connect_from={"stop_id": "KS", "arrival": at(11, 0)})
    assert r.status_code == 201, r.text
    offer = r.json()
    assert offer["connection"]["kind"] == "arrival" and offer["connection"]["trip_id"] == "down0"
    start = datetime.fromisoformat(offer["pickup_window"]["start"])
    assert start >= T0.replace(hour=11, minute=5)
    booked = rail.book(me, offer["offer_id"])
    assert booked.status_code == 201, booked.text
    bid = booked.json()["id"]
    r = rail.client.post("/v1/transit/delays", json={"trip_id": "down0", "delay_minutes": 20},
                         headers=OPERATOR)
    assert r.status_code == 200, r.text
    moved = r.json()["moved"]
    assert [m["booking_id"] for m in moved] == [bid]
    assert datetime.fromisoformat(moved[0]["pickup_window"]["start"]) == \
        start + timedelta(minutes=20)
    now = rail.client.get(f"/v1/bookings/{bid}", headers=OPERATOR).json()
    assert datetime.fromisoformat(now["pickup_window"]["start"]) == start + timedelta(minutes=20)
    # riders may not report delays
    r = rail.client.post("/v1/transit/delays", json={"trip_id": "down0", "delay_minutes": 5},
                         headers=me)
    assert r.status_code == 403


def test_a_booking_with_its_connection_survives_redis_encoding() -> None:
    """The state the API stores keeps the connection (the codec rebuilds engine types)."""
    from api import codec
    from maas.domain import Location, Request, TimeWindow
    from solver.dispatch.connections import Connection
    from solver.dispatch.state import Booking

    here = Location(43.0, 142.0)
    req = Request("b", here, here, TimeWindow(0, 600), TimeWindow(0, 900), 900)
    booking = Booking("b", "r", req, "v1", connection=Connection(
        "KS", 37_800, "departure", "up0", "Limited", "Sapporo", 300, 42, 0))
    assert codec.loads(codec.dumps(booking)) == booking

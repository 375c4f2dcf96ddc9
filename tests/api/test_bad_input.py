"""Every bad input is a 4xx with the error JSON, never a 5xx or a stack trace."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jsonschema
import pytest

from tests.api.conftest import OPERATOR, Area, iso


def _assert_error(r: Any, status: int) -> None:
    """An RFC 9457 problem: media type, members, the v1 ``error`` object agreeing."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"] == f"tag:maas-demand,2026:{body['code']}"
    error = body["error"]
    assert error["code"] == body["code"] and error["message"] == body["detail"]
    assert "Traceback" not in r.text


@pytest.mark.parametrize(("change", "why"), [
    ({"origin": {"lat": 91, "lon": 142.0}}, "latitude out of range"),
    ({"destination": {"lat": 43.0, "lon": 181}}, "longitude out of range"),
    ({"passengers": 0}, "zero passengers"),
    ({"passengers": 40}, "too many passengers"),
    ({"pickup_after": iso(-timedelta(hours=2))}, "pickup in the past"),
    ({"arrive_before": iso(-timedelta(minutes=5))}, "arrival in the past"),
    ({"destination": "same"}, "origin equal to destination"),
    ({"origin": {"lat": 43.3, "lon": 142.6}}, "far from any road"),
    ({"pickup_after": iso(timedelta(hours=1)), "arrive_before": iso(timedelta(hours=2))},
     "both times"),
    ({"pickup_after": "yesterday-ish"}, "not a time"),
    ({"surprise": 1}, "unknown field"),
])
def test_bad_offer_is_422(area: Area, change: dict[str, Any], why: str) -> None:
    """Each bad offer body is refused with 422."""
    area.van()
    _, rider = area.rider()
    body = area.ask(**{k: v for k, v in change.items() if v != "same"})
    if change.get("destination") == "same":
        body["destination"] = body["origin"]
    _assert_error(area.client.post("/v1/offers", json=body, headers=rider), 422)


def test_malformed_json_is_422(area: Area) -> None:
    """A body that is not JSON gives 422 malformed_json."""
    _, rider = area.rider()
    r = area.client.post("/v1/offers", content=b'{"origin": ',
                         headers={**rider, "Content-Type": "application/json"})
    _assert_error(r, 422)
    assert r.json()["error"]["code"] == "malformed_json"


def test_oversized_body_is_413(area: Area) -> None:
    """A body over the size cap is refused with 413 before parsing."""
    _, rider = area.rider()
    r = area.client.post("/v1/offers", content=b"[" + b"1," * 50_000 + b"1]",
                         headers={**rider, "Content-Type": "application/json"})
    _assert_error(r, 413)


def test_missing_idempotency_key_is_422(area: Area) -> None:
    """POST /v1/bookings without an Idempotency-Key header is refused."""
    area.van()
    _, rider = area.rider()
    offer = area.offer(rider)
    _assert_error(area.client.post("/v1/bookings", json={"offer_id": offer["offer_id"]},
                                   headers=rider), 422)


def test_idempotency_key_reused_for_another_offer_is_409(area: Area) -> None:
    """One key, two different offers: the second is refused, not silently booked."""
    area.van()
    _, rider = area.rider()
    first, second = area.offer(rider), area.offer(rider, to="supermarket")
    assert area.book(rider, first["offer_id"], key="k").status_code == 201
    _assert_error(area.book(rider, second["offer_id"], key="k"), 409)


@pytest.mark.parametrize(("change", "status"), [
    ({"seats": -1}, 422),
    ({"seats": 0, "wheelchair_places": 0}, 422),
    ({"depot": {"lat": 43.3, "lon": 142.6}}, 422),
    ({"shift_end": iso(-timedelta(hours=3))}, 422),
    ({"shift_start": "9999-01-01T00:00:00+09:00"}, 422),
])
def test_bad_vehicle_is_422(area: Area, change: dict[str, Any], status: int) -> None:
    """Impossible vans (no places, depot off the roads, shift over or absurd) are refused."""
    body = {"name": "van", "seats": 8, "wheelchair_places": 1, "depot": area.places["depot"],
            "shift_start": iso(-timedelta(hours=4)), "shift_end": iso(timedelta(hours=8)),
            **change}
    _assert_error(area.client.post("/v1/vehicles", json=body, headers=OPERATOR), status)


def test_position_far_off_road_is_422(area: Area) -> None:
    """A van reported 30 km from any road is refused."""
    van_id, driver = area.van()
    r = area.client.post(f"/v1/vehicles/{van_id}/position",
                         json={"lat": 43.3, "lon": 142.6, "at": iso()}, headers=driver)
    _assert_error(r, 422)


@pytest.mark.parametrize("geometry", [
    {"type": "Point", "coordinates": [142.0, 43.0]},
    {"type": "LineString", "coordinates": [[142.0, 43.0]]},
    {"type": "Polygon", "coordinates": [[[142.0, 43.0], [142.1, 43.0], [142.0, 43.0]]]},
])
def test_bad_closure_geometry_is_422(area: Area, geometry: dict[str, Any]) -> None:
    """A closure must be a LineString or a valid Polygon."""
    _assert_error(area.client.post("/v1/closures", json={"geometry": geometry},
                                   headers=OPERATOR), 422)


def test_unknown_route_and_method_give_error_json(area: Area) -> None:
    """404 and 405 from routing also use the error shape."""
    _assert_error(area.client.get("/v1/nothing-here", headers=OPERATOR), 404)
    _assert_error(area.client.put("/v1/offers", headers=OPERATOR), 405)


def test_openapi_describes_the_problem_bodies_sent(area: Area) -> None:
    """Each operation's error statuses are documented as ``Problem`` under
    application/problem+json (not FastAPI's validation error shape, never sent), and the
    body sent for a 422 validates against that schema."""
    doc = area.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    offers = doc["paths"]["/v1/offers"]["post"]["responses"]
    for status in ("401", "422", "429", "503"):
        assert offers[status]["content"] == {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"}}}
    _, rider = area.rider()
    r = area.client.post("/v1/offers", json={"origin": {"lat": 91, "lon": 142.0}}, headers=rider)
    schema = {**doc["components"]["schemas"]["Problem"],
              "components": doc["components"]}
    jsonschema.validate(r.json(), schema)

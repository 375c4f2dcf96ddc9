"""``GET /v1/vehicles/{id}/next-leg`` (the road to the next stop, closures honoured) and
``GET /v1/places?query=`` (address entry without internet)."""

from __future__ import annotations

import itertools
import math

from tests.api.conftest import OPERATOR, Area, bearer


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 111_320
    dx = (a[1] - b[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def test_the_next_leg_follows_the_roads_and_avoids_a_closure(area: Area) -> None:
    client = area.client
    van, driver = area.van()
    _, rider = area.rider()
    empty = client.get(f"/v1/vehicles/{van}/next-leg", headers=driver)
    assert empty.status_code == 200, empty.text
    assert empty.json()["stop_id"] is None and empty.json()["path"] == []
    offer = area.offer(rider, frm="station", to="clinic")
    assert area.book(rider, offer["offer_id"]).status_code == 201
    leg = client.get(f"/v1/vehicles/{van}/next-leg", headers=driver)
    assert leg.status_code == 200, leg.text
    body = leg.json()
    assert body["stop_id"].endswith("pickup") and body["reachable"]
    path = [tuple(p) for p in body["path"]]
    assert len(path) > 2
    start = (body["origin"]["lat"], body["origin"]["lon"])
    end = (body["destination"]["lat"], body["destination"]["lon"])
    assert _metres(path[0], start) < 5 and _metres(path[-1], end) < 5
    along = sum(_metres(a, b) for a, b in itertools.pairwise(path))
    assert abs(along - body["distance_m"]) < 0.05 * body["distance_m"] + 20
    assert along > _metres(start, end)  # roads, not a straight line
    # Only the van's driver and staff see it.
    assert client.get(f"/v1/vehicles/{van}/next-leg", headers=rider).status_code == 404
    assert client.get(f"/v1/vehicles/{van}/next-leg", headers=OPERATOR).status_code == 200
    # Close a road the leg uses (a short stretch in its middle): the leg goes round it.
    mid = len(path) // 2
    stretch = [[path[mid][1], path[mid][0]], [path[mid + 1][1], path[mid + 1][0]]]
    closed = client.post("/v1/closures", json={"geometry": {"type": "LineString",
                                                            "coordinates": stretch}},
                         headers=OPERATOR)
    assert closed.status_code == 201, closed.text
    detour = client.get(f"/v1/vehicles/{van}/next-leg", headers=driver).json()
    assert detour["reachable"] and detour["path"] != body["path"]
    steps = list(itertools.pairwise(detour["path"]))
    closed_step = (list(path[mid]), list(path[mid + 1]))
    assert closed_step not in steps and closed_step[::-1] not in steps
    assert detour["distance_m"] >= body["distance_m"]


def test_places_are_found_by_name_japanese_first(area: Area) -> None:
    client = area.client
    viewer = client.post("/v1/staff", json={"name": "Ito", "role": "viewer"}, headers=OPERATOR)
    found = client.get("/v1/places", params={"query": "一条"},
                       headers=bearer(viewer.json()["token"]))
    assert found.status_code == 200, found.text
    assert [p["name"] for p in found.json()["places"]] == ["北一条通", "南一条通"]
    okusawa = client.get("/v1/places", params={"query": "okusawa"}, headers=OPERATOR).json()
    assert [p["kind"] for p in okusawa["places"]] == ["hamlet"]
    mixed = client.get("/v1/places", params={"query": "o"}, headers=OPERATOR).json()["places"]
    assert mixed and all(p["name"].casefold().find("o") >= 0 for p in mixed)
    assert client.get("/v1/places", params={"query": ""}, headers=OPERATOR).status_code == 422
    assert client.get("/v1/places", params={"query": "x", "limit": 0},
                      headers=OPERATOR).status_code == 422
    _, rider = area.rider()
    assert client.get("/v1/places", params={"query": "駅"}, headers=rider).status_code == 403

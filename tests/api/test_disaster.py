"""Disaster mode and care for riders through the HTTP API (issue 16), on a real redis-server
and the demo town's service file: a declared flood lists the rides it affects, evacuates the
registered riders of the hazard zone and pauses bookings; ending it reopens booking; viewers
may not declare; bad polygons are 422. A no-show of a rider living alone alerts the operator
with the contact person; repeated ones are listed for the welfare office."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import DEMO_SERVICE, create_app
from maas.roads import RoadNetwork
from maas.roads.demo_town import to_lonlat, trunk_lateral
from tests.api.conftest import OPERATOR, T0, Area, bearer, make_settings, redis_url


@pytest.fixture
def town(redisdb: Any, redis_proc: Any, demo_network: RoadNetwork) -> Iterator[TestClient]:
    """The demo town's service (shelters, the upper valley hazard zone) on Tuesday 09:00."""
    settings = make_settings(redis_url(redis_proc), service=DEMO_SERVICE)
    with TestClient(create_app(settings, network=demo_network)) as c:
        yield c
    demo_network.apply_closures([])


def _square(s: float, half_m: float = 250.0, d: float | None = None) -> dict[str, Any]:
    """A square polygon of ``2 * half_m`` around the point ``s`` m along the valley."""
    d = trunk_lateral(s) if d is None else d
    lon, lat = to_lonlat(s, d)
    dlat, dlon = half_m / 111_000, half_m / 81_000
    ring = [[lon - dlon, lat - dlat], [lon + dlon, lat - dlat], [lon + dlon, lat + dlat],
            [lon - dlon, lat + dlat], [lon - dlon, lat - dlat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _hamlet(client: TestClient, name: str) -> dict[str, float]:
    lat, lon = client.app.state.runtime.network.graph.graph["hamlets"][name]  # type: ignore[attr-defined]
    return {"lat": lat, "lon": lon}


def _place(client: TestClient, name: str) -> dict[str, float]:
    lat, lon = client.app.state.runtime.network.graph.graph["places"][name]  # type: ignore[attr-defined]
    return {"lat": lat, "lon": lon}


def _rider(client: TestClient, **body: Any) -> tuple[str, dict[str, str]]:
    r = client.post("/v1/riders", json={"name": "Rider", **body}, headers=OPERATOR)
    assert r.status_code == 201, r.text
    return r.json()["id"], bearer(r.json()["token"])


def _book(client: TestClient, rider: dict[str, str], origin: dict[str, float],
          destination: dict[str, float], **times: str) -> dict[str, Any]:
    offer = client.post("/v1/offers", json={"origin": origin, "destination": destination,
                                            **times}, headers=rider)
    assert offer.status_code == 201, offer.text
    booked = client.post("/v1/bookings", json={"offer_id": offer.json()["offer_id"]},
                         headers={**rider, "Idempotency-Key": offer.json()["offer_id"]})
    assert booked.status_code == 201, booked.text
    return booked.json()  # type: ignore[no-any-return]


def _events(client: TestClient, kind: str) -> list[dict[str, Any]]:
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    assert client.portal is not None
    entries = client.portal.call(rt.store.redis.xrange, rt.store.keys.events, "-", "+")
    out = []
    for _, fields in entries:
        f = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes)
                                                          else v) for k, v in fields.items()}
        if f["kind"] == kind:
            out.append(json.loads(f["data"]))
    return out


def test_a_declared_flood_lists_the_rides_it_cuts_off(town: TestClient) -> None:
    """Without evacuation: the roads close at once, the affected ride is named, booking
    goes on; the closures are listed as closures."""
    _, rider = _rider(town)
    later = (T0 + timedelta(hours=1)).isoformat()
    cut = _book(town, rider, _hamlet(town, "Asahi"), _place(town, "clinic"), pickup_after=later)
    fine = _book(town, rider, _place(town, "station"), _place(town, "supermarket"),
                 pickup_after=later)
    # A flood over the Asahi road, 1.5 km up its valley.
    body = {"name": "Asahi river", "kind": "flood", "areas": [_square(2600, 200, 1500)]}
    r = town.post("/v1/disaster", json=body, headers=OPERATOR)
    assert r.status_code == 201, r.text
    done = r.json()
    assert done["status"] == "active" and not done["evacuate"]
    assert cut["id"] in done["affected_bookings"] and fine["id"] not in done["affected_bookings"]
    listed = {c["id"] for c in town.get("/v1/closures", headers=OPERATOR).json()["closures"]}
    assert set(done["closure_ids"]) <= listed
    again = town.post("/v1/offers", json={"origin": _place(town, "station"),
                                          "destination": _place(town, "clinic")}, headers=rider)
    assert again.status_code == 201
    assert town.post("/v1/disaster", json=body, headers=OPERATOR).status_code == 409


def test_evacuation_fetches_the_hazard_zone_and_pauses_bookings_until_the_end(
        town: TestClient) -> None:
    helped, _ = _rider(town, home=_hamlet(town, "Okusawa"), lives_alone=True,
                       contact_name="Sato Ichiro", contact_phone="090-0000-0000")
    able, _ = _rider(town, home=_hamlet(town, "Shimizu"))
    _rider(town, home=_hamlet(town, "Asahi"))  # outside the hazard zone: stays home
    _, other = _rider(town)
    ordinary = _book(town, other, _place(town, "station"), _place(town, "supermarket"),
                     pickup_after=(T0 + timedelta(hours=2)).isoformat())
    body = {"name": "upper valley flood", "areas": [_square(-4000)], "evacuate": True}
    r = town.post("/v1/disaster", json=body, headers=OPERATOR)
    assert r.status_code == 201, r.text
    done = r.json()
    assert done["registered"] == 2 and done["hazard_zones"] == ["upper_valley"]
    rides = {ride["rider_id"]: ride for ride in done["evacuation_rides"]}
    assert set(rides) == {helped, able} and done["waiting_riders"] == []
    assert all(ride["shelter"] in {"town_hall", "community_centre", "higashisawa_school"}
               for ride in rides.values())
    record = town.get(f"/v1/bookings/{rides[helped]['booking_id']}", headers=OPERATOR).json()
    assert record["status"] == "confirmed"
    assert town.get("/v1/disaster", headers=OPERATOR).json()["event"]["id"] == done["id"]
    # Ordinary bookings are paused, with the code and a message saying why.
    paused = town.post("/v1/offers", json={"origin": _place(town, "station"),
                                           "destination": _place(town, "clinic")},
                       headers=other)
    assert paused.status_code == 409
    assert paused.json()["error"]["code"] == "paused_for_evacuation"
    assert "evacuates" in paused.json()["error"]["message"]
    assert ordinary["id"] not in done["bumped_bookings"]  # room for both: it stays
    assert _events(town, "disaster_declared")[0]["event_id"] == done["id"]
    # The end: roads reopen, booking resumes, the event is over.
    ended = town.post(f"/v1/disaster/{done['id']}/end", headers=OPERATOR)
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended" and ended.json()["ended_at"]
    assert town.get("/v1/disaster", headers=OPERATOR).json()["event"] is None
    listed = {c["id"] for c in town.get("/v1/closures", headers=OPERATOR).json()["closures"]}
    assert not listed & set(done["closure_ids"])
    resumed = town.post("/v1/offers", json={"origin": _place(town, "station"),
                                            "destination": _place(town, "clinic")},
                        headers=other)
    assert resumed.status_code == 201, resumed.text
    assert town.post(f"/v1/disaster/{done['id']}/end", headers=OPERATOR).status_code == 409
    assert town.post("/v1/disaster/d_nothing/end", headers=OPERATOR).status_code == 404


def test_a_viewer_may_read_but_not_declare(town: TestClient) -> None:
    r = town.post("/v1/staff", json={"name": "Ito", "role": "viewer"}, headers=OPERATOR)
    viewer = bearer(r.json()["token"])
    body = {"name": "flood", "areas": [_square(-4000)]}
    assert town.post("/v1/disaster", json=body, headers=viewer).status_code == 403
    assert town.get("/v1/disaster", headers=viewer).status_code == 200
    _, rider = _rider(town)
    assert town.post("/v1/disaster", json=body, headers=rider).status_code == 403


@pytest.mark.parametrize(
    ("areas", "extra", "code"),
    [
        ([{"type": "Polygon", "coordinates": [[[142.0, 43.0], [142.01, 43.01], [142.01, 43.0],
                                                [142.0, 43.01], [142.0, 43.0]]]}], {},
         "bad_polygon"),  # a bow tie
        ([{"type": "LineString", "coordinates": [[142.0, 43.0], [142.01, 43.01]]}], {}, None),
        ([], {}, None),
        (None, {"evacuate": True, "hazard_zones": ["harbour"]}, "unknown_hazard_zone"),
    ],
)
def test_bad_declarations_are_422(town: TestClient, areas: list[Any] | None,
                                  extra: dict[str, Any], code: str | None) -> None:
    body = {"name": "flood", "areas": [_square(-4000)] if areas is None else areas, **extra}
    r = town.post("/v1/disaster", json=body, headers=OPERATOR)
    assert r.status_code == 422, r.text
    if code is not None:
        assert r.json()["error"]["code"] == code
    assert town.get("/v1/disaster", headers=OPERATOR).json()["event"] is None


def _no_show(area: Area, rider: dict[str, str], van_id: str, driver: dict[str, str]
             ) -> dict[str, Any]:
    """Book a ride for ``rider`` and report it as a no-show once the wait is over."""
    booking = area.book(rider, area.offer(rider)["offer_id"]).json()
    start = datetime.fromisoformat(booking["pickup_window"]["start"])
    moved = area.client.put("/v1/clock", json={"now": (start + timedelta(seconds=200))
                                               .isoformat(), "running": False},
                            headers=OPERATOR)
    assert moved.status_code == 200, moved.text
    stops = area.client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()["stops"]
    stop = next(s for s in stops if s["booking_id"] == booking["id"])
    url = f"/v1/vehicles/{van_id}/stops/{stop['stop_id']}/events"
    assert area.client.post(url, json={"type": "arrived"}, headers=driver).status_code == 200
    r = area.client.post(url, json={"type": "no_show"}, headers=driver)
    assert r.status_code == 200 and r.json()["booking_status"] == "no_show", r.text
    return booking


def test_a_no_show_of_a_rider_living_alone_alerts_with_the_contact(area: Area) -> None:
    van_id, driver = area.van()
    r = area.client.post("/v1/riders", json={
        "name": "Kato Fumi", "phone": "0166-11-1111", "lives_alone": True,
        "contact_name": "Kato Jiro (son)", "contact_phone": "090-1111-2222"}, headers=OPERATOR)
    alone_id, alone = r.json()["id"], bearer(r.json()["token"])
    other_id, other = area.rider("Someone")
    first = _no_show(area, alone, van_id, driver)
    _no_show(area, other, van_id, driver)
    alerts = _events(area.client, "welfare_alert")
    assert [a["booking_id"] for a in alerts] == [first["id"]]  # the other rider: no alert
    alert = alerts[0]
    assert (alert["rider_id"], alert["contact_name"], alert["contact_phone"]) == (
        alone_id, "Kato Jiro (son)", "090-1111-2222")
    assert alert["reason"] == "lives alone" and "contact person" in alert["message"]
    # One no-show is a signal, not a pattern: the list needs two within the period.
    r = area.client.get("/v1/reports/welfare", headers=OPERATOR)
    assert r.status_code == 200, r.text
    listed = r.json()
    assert listed["threshold"] == 2 and listed["riders"] == []
    second = _no_show(area, alone, van_id, driver)
    _no_show(area, other, van_id, driver)
    listed = area.client.get("/v1/reports/welfare", headers=OPERATOR).json()
    assert [r["rider_id"] for r in listed["riders"]] == [alone_id]
    entry = listed["riders"][0]
    assert entry["no_shows"] == 2 and set(entry["booking_ids"]) == {first["id"], second["id"]}
    assert entry["contact_phone"] == "090-1111-2222"
    assert other_id not in {r["rider_id"] for r in listed["riders"]}
    # No ban: the flagged rider still gets offers.
    assert area.client.post("/v1/offers", json=area.ask(), headers=alone).status_code == 201
    future = (T0 + timedelta(days=3)).date().isoformat()
    empty = area.client.get("/v1/reports/welfare", params={"since": future}, headers=OPERATOR)
    assert empty.status_code == 200 and empty.json()["riders"] == []


def test_erasure_removes_home_and_contact(area: Area) -> None:
    r = area.client.post("/v1/riders", json={
        "name": "Kato Fumi", "lives_alone": True, "home": area.places["Okusawa"],
        "contact_name": "Kato Jiro", "contact_phone": "090-1111-2222"}, headers=OPERATOR)
    rid = r.json()["id"]
    erased = area.client.delete(f"/v1/riders/{rid}", headers=OPERATOR).json()
    assert erased["erased"] and erased["home"] is None and erased["contact_name"] is None
    assert erased["contact_phone"] is None and erased["lives_alone"] is False
    again = area.client.get(f"/v1/riders/{rid}", headers=OPERATOR).json()
    assert again == erased


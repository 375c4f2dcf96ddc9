"""Staff role changes, van shifts over the service file's roster, driver accounts per van
day: roles (403), bad input (422), conflicts (409) and the audit rows they leave."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from maas.roads import RoadNetwork
from tests.api.conftest import OPERATOR, TOKYO, Area, bearer, make_settings, redis_url

DEMO_SERVICE = Path(__file__).resolve().parents[2] / "scenarios" / "demo-service.yaml"
TUESDAY = datetime(2026, 12, 8, 8, 0, tzinfo=TOKYO)
WEDNESDAY = date(2026, 12, 9)


def _staff(client: TestClient, role: str, name: str, headers: dict[str, str] = OPERATOR
           ) -> dict[str, Any]:
    r = client.post("/v1/staff", json={"name": name, "role": role}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _audit(client: TestClient) -> list[dict[str, Any]]:
    r = client.get("/v1/audit", headers=OPERATOR)
    assert r.status_code == 200, r.text
    return r.json()["entries"]  # type: ignore[no-any-return]


@pytest.fixture
def audited(settings: Settings, demo_network: RoadNetwork, tmp_path: Path
            ) -> Iterator[TestClient]:
    """A plain service with a SQLite history (for the audit log)."""
    url = f"sqlite:///{tmp_path / 'history.db'}"
    with TestClient(create_app(settings.model_copy(update={"history_url": url}),
                               network=demo_network)) as c:
        yield c


@pytest.fixture
def town(redisdb: Any, redis_proc: Any, tmp_path: Path, demo_network: RoadNetwork
         ) -> Iterator[TestClient]:
    """The demo town's service file (four roster vans), Tuesday 08:00, with a history."""
    settings = make_settings(redis_url(redis_proc), service=DEMO_SERVICE, clock_start=TUESDAY,
                             archive_dir=tmp_path / "archive",
                             history_url=f"sqlite:///{tmp_path / 'history.db'}")
    with TestClient(create_app(settings, network=demo_network)) as c:
        yield c


# --- staff roles ------------------------------------------------------------------------

def test_an_admin_changes_roles_and_the_last_admin_stays(audited: TestClient) -> None:
    client = audited
    first = _staff(client, "admin", "Tanaka")
    second = _staff(client, "admin", "Suzuki")
    clerk = _staff(client, "dispatcher", "Kato")
    admin, clerk_h = bearer(first["token"]), bearer(clerk["token"])
    # A dispatcher may not change roles; bad input names the field.
    assert client.patch(f"/v1/staff/{clerk['id']}", json={"role": "admin"},
                        headers=clerk_h).status_code == 403
    bad = client.patch(f"/v1/staff/{clerk['id']}", json={"role": "boss"}, headers=admin)
    assert bad.status_code == 422 and "role" in bad.text
    assert client.patch(f"/v1/staff/{clerk['id']}", json={}, headers=admin
                        ).json()["error"]["code"] == "empty_change"
    assert client.patch("/v1/staff/s_nope", json={"role": "viewer"},
                        headers=admin).status_code == 404
    # Demoted to viewer: at once, the clerk may read but not act.
    changed = client.patch(f"/v1/staff/{clerk['id']}", json={"role": "viewer",
                                                              "name": "Kato Jiro"},
                           headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "viewer" and changed.json()["name"] == "Kato Jiro"
    assert changed.json()["updated_by"] == first["id"]
    assert client.get("/v1/days", headers=clerk_h).status_code == 200
    assert client.post("/v1/riders", json={"name": "X"}, headers=clerk_h).status_code == 403
    # Made inactive: the token gets 401, the account stays listed.
    assert client.patch(f"/v1/staff/{clerk['id']}", json={"active": False},
                        headers=admin).status_code == 200
    assert client.get("/v1/days", headers=clerk_h).status_code == 401
    listed = {s["id"]: s for s in client.get("/v1/staff", headers=admin).json()["staff"]}
    assert listed[clerk["id"]]["active"] is False
    # Two admins: one may step down; the other is then the last and may not.
    assert client.patch(f"/v1/staff/{second['id']}", json={"role": "dispatcher"},
                        headers=admin).status_code == 200
    last = client.patch(f"/v1/staff/{first['id']}", json={"role": "viewer"}, headers=admin)
    assert last.status_code == 409
    assert last.json()["error"]["code"] == "last_admin"
    assert "last active admin" in last.json()["error"]["message"]
    assert client.patch(f"/v1/staff/{first['id']}", json={"active": False},
                        headers=OPERATOR).status_code == 409
    assert client.delete(f"/v1/staff/{first['id']}", headers=OPERATOR).status_code == 409
    # Every successful role change is in the audit log, refused ones are not.
    patches = [e for e in _audit(client) if e["action"] == "PATCH /v1/staff/{staff_id}"]
    assert sorted(e["object_id"] for e in patches) == sorted(
        [clerk["id"], clerk["id"], second["id"]])
    assert {e["actor"] for e in patches} == {first["id"]}


# --- shifts -----------------------------------------------------------------------------

def _vans(client: TestClient, day: date) -> dict[str, Any]:
    state = client.portal.call(  # type: ignore[union-attr]
        client.app.state.runtime.days.context(day).store.state)  # type: ignore[attr-defined]
    return {v.id: v for v in state.vehicles}


def _book_on(client: TestClient, day: date) -> dict[str, Any]:
    graph = client.app.state.runtime.network.graph.graph  # type: ignore[attr-defined]
    (a_lat, a_lon), (b_lat, b_lon) = graph["places"]["station"], graph["places"]["clinic"]
    rider = client.post("/v1/riders", json={"name": "Sato Hanako"}, headers=OPERATOR).json()
    ask = {"origin": {"lat": a_lat, "lon": a_lon}, "destination": {"lat": b_lat, "lon": b_lon},
           "rider_id": rider["id"],
           "pickup_after": datetime(day.year, day.month, day.day, 10, 0,
                                    tzinfo=TOKYO).isoformat()}
    offer = client.post("/v1/offers", json=ask, headers=OPERATOR)
    assert offer.status_code == 201, offer.text
    booked = client.post("/v1/bookings", json={"offer_id": offer.json()["offer_id"]},
                         headers={**OPERATOR, "Idempotency-Key": "k-" + rider["id"]})
    assert booked.status_code == 201, booked.text
    return booked.json()  # type: ignore[no-any-return]


def test_shifts_come_from_the_service_file_until_edited(town: TestClient) -> None:
    shifts = town.get("/v1/vehicles/v1/shifts", headers=OPERATOR)
    assert shifts.status_code == 200, shifts.text
    body = shifts.json()
    assert body["week_source"] == "service_file" and body["overrides"] == []
    assert body["week"]["mon"] == {"start": "07:00", "end": "18:00", "break": {
        "earliest": "11:30", "latest": "12:30", "minutes": 30}}
    assert body["week"]["sun"] is None
    assert town.get("/v1/vehicles/v_stand_in/shifts", headers=OPERATOR).status_code == 404


def test_a_weekly_pattern_reaches_open_days_and_days_opened_later(town: TestClient) -> None:
    viewer = bearer(_staff(town, "viewer", "Ito")["token"])
    week = {"week": {d: {"start": "09:00", "end": "15:00",
                         "break": {"earliest": "12:00", "latest": "12:30", "minutes": 20}}
                     for d in ("mon", "tue", "wed", "thu", "fri")}}
    assert town.put("/v1/vehicles/v4/shifts", json=week, headers=viewer).status_code == 403
    for bad, field in (({"week": {"mon": {"start": "9:00", "end": "15:00"}}}, "start"),
                       ({"week": {"mon": {"start": "15:00", "end": "09:00"}}}, "end"),
                       ({"week": {"mon": {"start": "09:00", "end": "15:00", "break": {
                           "earliest": "08:00", "latest": "08:30", "minutes": 20}}}}, "break"),
                       ({"week": {"mon": {"start": "07:00", "end": "49:00"}}}, "48:00"),
                       ({"week": {"funday": None}}, "funday")):
        r = town.put("/v1/vehicles/v4/shifts", json=bad, headers=OPERATOR)
        assert r.status_code == 422, r.text
        assert field in r.text
    put = town.put("/v1/vehicles/v4/shifts", json=week, headers=OPERATOR)
    assert put.status_code == 200, put.text
    assert put.json()["week_source"] == "api" and put.json()["week"]["sat"] is None
    assert WEDNESDAY.isoformat() in put.json()["applied_to"]
    van = _vans(town, WEDNESDAY)["v4"]
    assert (van.shift.earliest, van.shift.latest) == (9 * 3600, 15 * 3600)  # day-seconds
    assert van.break_ is not None and van.break_.duration == 20 * 60
    assert "v4" not in _vans(town, date(2026, 12, 12))  # Saturday: off now
    # A day opened later (the horizon moves with the clock) takes the edited pattern.
    later = date(2026, 12, 23)  # a Wednesday beyond the first horizon
    assert later not in client_open_days(town)
    moved = town.put("/v1/clock", json={"now": datetime(2026, 12, 10, 8, 0,
                                                        tzinfo=TOKYO).isoformat()},
                     headers=OPERATOR)
    assert moved.status_code == 200, moved.text
    assert _vans(town, later)["v4"].shift.earliest == 9 * 3600


def client_open_days(client: TestClient) -> list[date]:
    return [date.fromisoformat(d["date"]) for d in
            client.get("/v1/days", headers=OPERATOR).json()["days"]]


def test_a_day_off_that_strands_rides_is_refused_with_the_rides(town: TestClient) -> None:
    booking = _book_on(town, WEDNESDAY)
    van = booking["vehicle_id"]
    off = {"off": True, "reason": "inspection"}
    refused = town.put(f"/v1/vehicles/{van}/shifts/{WEDNESDAY}", json=off, headers=OPERATOR)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "shift_strands_rides"
    assert refused.json()["error"]["rides"] == {WEDNESDAY.isoformat(): [booking["id"]]}
    assert van in _vans(town, WEDNESDAY)
    assert town.get(f"/v1/vehicles/{van}/shifts", headers=OPERATOR).json()["overrides"] == []
    # Hours that no longer reach the 10:00 pickup strand it too.
    short = {"start": "07:00", "end": "09:00"}
    assert town.put(f"/v1/vehicles/{van}/shifts/{WEDNESDAY}", json=short,
                    headers=OPERATOR).status_code == 409
    # Another van without rides goes off that day, and comes back when the override goes.
    other = next(v for v in ("v1", "v2", "v3", "v4") if v != van)
    done = town.put(f"/v1/vehicles/{other}/shifts/{WEDNESDAY}", json=off, headers=OPERATOR)
    assert done.status_code == 200, done.text
    assert done.json()["overrides"] == [{"first": "2026-12-09", "last": "2026-12-09",
                                         "shift": None, "reason": "inspection",
                                         "source": "api"}]
    assert other not in _vans(town, WEDNESDAY)
    assert town.delete(f"/v1/vehicles/{other}/shifts/{WEDNESDAY}",
                       headers=OPERATOR).status_code == 200
    assert other in _vans(town, WEDNESDAY)
    assert town.delete(f"/v1/vehicles/{other}/shifts/{WEDNESDAY}",
                       headers=OPERATOR).status_code == 404
    # Bad dates: in the past, or a day without service.
    assert town.put(f"/v1/vehicles/{other}/shifts/2026-12-01", json=off,
                    headers=OPERATOR).json()["error"]["code"] == "past_date"
    assert town.put(f"/v1/vehicles/{other}/shifts/2026-12-13", json=off,
                    headers=OPERATOR).json()["error"]["code"] == "not_operating"
    assert town.put(f"/v1/vehicles/{other}/shifts/{WEDNESDAY}", json={"start": "08:00"},
                    headers=OPERATOR).status_code == 422
    actions = [(e["action"], e["object_id"]) for e in _audit(town)]
    assert ("PUT /v1/vehicles/{vehicle_id}/shifts/{day}", other) in actions
    assert ("DELETE /v1/vehicles/{vehicle_id}/shifts/{day}", other) in actions
    assert ("PUT /v1/vehicles/{vehicle_id}/shifts/{day}", van) not in actions


# --- drivers ----------------------------------------------------------------------------

def test_a_driver_sees_the_van_assigned_to_them_that_day_only(area: Area) -> None:
    client = area.client
    van, _ = area.van()
    other_van, _ = area.van()
    made = client.post("/v1/drivers", json={"name": "Yamada Taro", "phone": "090-0000-0000"},
                       headers=OPERATOR)
    assert made.status_code == 201, made.text
    driver_id, driver = made.json()["id"], bearer(made.json()["token"])
    today = "2026-12-08"
    manifest = f"/v1/vehicles/{van}/manifest"
    assert client.get(manifest, headers=driver).status_code == 403  # not assigned yet
    viewer = bearer(_staff(client, "viewer", "Ito")["token"])
    path = f"/v1/vehicles/{van}/days/{today}/driver"
    assert client.put(path, json={"driver_id": driver_id}, headers=viewer).status_code == 403
    assert client.put(path, json={"driver_id": "d_nope"}, headers=OPERATOR
                      ).json()["error"]["code"] == "unknown_driver"
    assert client.put(path, json={}, headers=OPERATOR).status_code == 422
    assert client.put(f"/v1/vehicles/{van}/days/2026-12-01/driver",
                      json={"driver_id": driver_id}, headers=OPERATOR).status_code == 422
    put = client.put(path, json={"driver_id": driver_id}, headers=OPERATOR)
    assert put.status_code == 200, put.text
    assert put.json()["driver_name"] == "Yamada Taro"
    assert client.get(manifest, headers=driver).status_code == 200
    assert client.get(f"/v1/vehicles/{van}/riders", headers=driver).status_code == 200
    assert client.get(f"/v1/vehicles/{other_van}/manifest", headers=driver).status_code == 403
    # Assigned tomorrow only: today's manifest is not theirs.
    assert client.delete(path, headers=OPERATOR).json()["driver_id"] is None
    tomorrow = (date(2026, 12, 8) + timedelta(days=1)).isoformat()
    assert client.put(f"/v1/vehicles/{van}/days/{tomorrow}/driver",
                      json={"driver_id": driver_id}, headers=OPERATOR).status_code == 200
    assert client.get(manifest, headers=driver).status_code == 403
    assert client.get("/v1/drivers", headers=viewer).json()["drivers"][0]["id"] == driver_id


def test_shift_edits_from_two_workers_at_once_all_stay(redisdb: Any, redis_proc: Any,
                                                       tmp_path: Path,
                                                       demo_network: RoadNetwork) -> None:
    """Two workers (two apps on one Redis) setting days off at the same moment: every edit
    is kept (the read-change-write holds an area-wide lock, not a per-process one)."""
    from concurrent.futures import ThreadPoolExecutor

    settings = make_settings(redis_url(redis_proc), service=DEMO_SERVICE, clock_start=TUESDAY,
                             archive_dir=tmp_path / "archive",
                             history_url=f"sqlite:///{tmp_path / 'history.db'}")
    days = [d for d in (WEDNESDAY + timedelta(days=i) for i in range(20))
            if d.weekday() < 6][:12]
    with TestClient(create_app(settings, network=demo_network)) as one, \
            TestClient(create_app(settings, network=demo_network)) as two:
        def day_off(i: int) -> int:
            client = (one, two)[i % 2]
            r = client.put(f"/v1/vehicles/v4/shifts/{days[i]}",
                           json={"off": True, "reason": f"leave {i}"}, headers=OPERATOR)
            return r.status_code

        with ThreadPoolExecutor(max_workers=6) as pool:
            codes = list(pool.map(day_off, range(len(days))))
        assert codes == [200] * len(days)
        kept = one.get("/v1/vehicles/v4/shifts", headers=OPERATOR).json()["overrides"]
    assert sorted((o["first"], o["reason"]) for o in kept) == [
        (d.isoformat(), f"leave {i}") for i, d in enumerate(days)]

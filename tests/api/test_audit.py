"""Every staff write shows up in the audit log, on the SQLite default and on PostgreSQL; with
the database down the writes still succeed and their entries wait in Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.audit import flush
from api.main import create_app
from api.settings import Settings
from maas.history import HistoryStore
from maas.roads import RoadNetwork
from tests.api.conftest import OPERATOR, Area, bearer, iso
from tests.history.conftest import postgresql_proc, store  # noqa: F401  (fixtures)


def _staff(client: TestClient, role: str, name: str) -> dict[str, Any]:
    r = client.post("/v1/staff", json={"name": name, "role": role}, headers=OPERATOR)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _log(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    r = client.get("/v1/audit", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_every_staff_write_shows_up_in_the_audit_log(
        settings: Settings, demo_network: RoadNetwork, places: dict[str, Any],
        store: HistoryStore) -> None:  # noqa: F811
    with TestClient(create_app(settings.model_copy(update={"history_url": store.url}),
                               network=demo_network)) as client:
        area = Area(client, places)
        admin = _staff(client, "admin", "Tanaka")
        kato_member = _staff(client, "dispatcher", "Kato")
        kato, dispatcher = kato_member["id"], bearer(kato_member["token"])
        viewer_member = _staff(client, "viewer", "Ito")
        viewer = bearer(viewer_member["token"])
        rider = client.post("/v1/riders", json={"name": "Sato Hanako"}, headers=dispatcher)
        rider_id = rider.json()["id"]
        van, _ = area.van()
        offer = client.post("/v1/offers", json=area.ask(rider_id=rider_id), headers=dispatcher)
        booking = area.book(dispatcher, offer.json()["offer_id"], key="b-1").json()["id"]
        assert client.delete(f"/v1/bookings/{booking}", headers=dispatcher).status_code == 200
        a, b = places["station"], places["clinic"]
        closure = client.post("/v1/closures", headers=bearer(admin["token"]), json={
            "geometry": {"type": "LineString",
                         "coordinates": [[a["lon"], a["lat"]], [b["lon"], b["lat"]]]}})
        assert closure.status_code == 201, closure.text
        self_id, rider_headers = area.rider("Rider Self")
        # Not staff writes, or refused: no entries.
        assert client.post("/v1/offers", json=area.ask(), headers=rider_headers
                           ).status_code == 201
        assert client.post("/v1/riders", json={"name": "X"}, headers=viewer).status_code == 403
        deleted = client.delete(f"/v1/staff/{viewer_member['id']}",
                                headers=bearer(admin["token"]))
        assert deleted.status_code == 200

        got = _log(client, bearer(admin["token"]))
        assert got["pending"] == 0
        seen = [(e["actor"], e["action"], e["object_id"]) for e in reversed(got["entries"])]
        staff_ids = {"admin": admin["id"]}
        assert seen == [
            ("bootstrap", "POST /v1/staff", admin["id"]),
            ("bootstrap", "POST /v1/staff", kato),
            ("bootstrap", "POST /v1/staff", viewer_member["id"]),
            (kato, "POST /v1/riders", rider_id),
            ("bootstrap", "POST /v1/vehicles", van),
            (kato, "POST /v1/offers", offer.json()["offer_id"]),
            (kato, "POST /v1/bookings", booking),
            (kato, "DELETE /v1/bookings/{booking_id}", booking),
            (staff_ids["admin"], "POST /v1/closures", closure.json()["id"]),
            ("bootstrap", "POST /v1/riders", self_id),
            (staff_ids["admin"], "DELETE /v1/staff/{staff_id}", viewer_member["id"]),
        ], seen
        assert {e["object_type"] for e in got["entries"]} == {
            "staff", "riders", "vehicles", "offers", "bookings", "closures"}
        mine = _log(client, bearer(admin["token"]), actor=kato)["entries"]
        assert len(mine) == 4 and all(e["actor_role"] == "dispatcher" for e in mine)
        cancels = _log(client, OPERATOR, action="DELETE /v1/bookings/{booking_id}")["entries"]
        assert [e["object_id"] for e in cancels] == [booking]
        assert _log(client, OPERATOR, since=iso(), until=iso())["entries"] == []
        assert len(_log(client, OPERATOR, since=iso())["entries"]) == len(seen)
        assert client.get("/v1/audit", headers=dispatcher).status_code == 403


def test_a_write_succeeds_while_the_database_is_down_and_its_entry_is_kept(
        settings: Settings, demo_network: RoadNetwork, tmp_path: Path) -> None:
    folder = tmp_path / "not-yet"  # SQLite cannot open a file in a missing folder
    url = f"sqlite:///{folder / 'history.db'}"
    with TestClient(create_app(settings.model_copy(update={"history_url": url}),
                               network=demo_network)) as client:
        rt = client.app.state.runtime  # type: ignore[attr-defined]
        member = _staff(client, "dispatcher", "Kato")
        assert client.post("/v1/riders", json={"name": "Sato"},
                           headers=bearer(member["token"])).status_code == 201
        assert client.get("/v1/audit", headers=OPERATOR).status_code == 503
        folder.mkdir()
        moved = client.portal.call(flush, rt)  # type: ignore[union-attr]  # as the tick does
        assert moved == 2
        got = _log(client, OPERATOR)
        assert got["pending"] == 0
        assert [e["action"] for e in got["entries"]] == ["POST /v1/riders", "POST /v1/staff"]

"""Staff accounts and roles, and tokens that expire, rotate and are revoked at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from maas.roads import RoadNetwork
from tests.api.conftest import OPERATOR, Area, bearer, iso


def staff(client: TestClient, role: str, name: str = "Suzuki Ichiro",
          key: str | None = None, **extra: Any) -> dict[str, Any]:
    headers = {**OPERATOR, **({"Idempotency-Key": key} if key else {})}
    r = client.post("/v1/staff", json={"name": name, "role": role, **extra}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_admin_creates_lists_and_deletes_staff(client: TestClient) -> None:
    admin = staff(client, "admin", "Tanaka Admin")
    dispatcher = staff(client, "dispatcher", "Kato Dispatch")
    listed = client.get("/v1/staff", headers=bearer(admin["token"]))
    assert listed.status_code == 200
    assert {s["id"] for s in listed.json()["staff"]} == {admin["id"], dispatcher["id"]}
    assert "token" not in listed.json()["staff"][0]
    # A dispatcher does the daily work but does not manage staff.
    assert client.get("/v1/staff", headers=bearer(dispatcher["token"])).status_code == 403
    assert client.post("/v1/staff", json={"name": "X", "role": "admin"},
                       headers=bearer(dispatcher["token"])).status_code == 403
    gone = client.delete(f"/v1/staff/{dispatcher['id']}", headers=bearer(admin["token"]))
    assert gone.status_code == 200
    assert client.get("/v1/days", headers=bearer(dispatcher["token"])).status_code == 401
    assert client.delete(f"/v1/staff/{admin['id']}",
                         headers=bearer(admin["token"])).status_code == 422


def test_retried_staff_creation_returns_the_same_account_and_token(client: TestClient) -> None:
    first = staff(client, "viewer", key="k-1")
    again = staff(client, "viewer", key="k-1")
    assert again == first
    assert len(client.get("/v1/staff", headers=OPERATOR).json()["staff"]) == 1
    assert client.get("/v1/days", headers=bearer(again["token"])).status_code == 200
    other = client.post("/v1/staff", json={"name": "Other", "role": "viewer"},
                        headers={**OPERATOR, "Idempotency-Key": "k-1"})
    assert other.status_code == 409


def test_a_viewer_reads_but_cannot_book_or_close_roads(area: Area) -> None:
    client = area.client
    viewer = bearer(staff(client, "viewer")["token"])
    dispatcher = bearer(staff(client, "dispatcher")["token"])
    rider_id, _ = area.rider()
    area.van()
    assert client.get("/v1/days", headers=viewer).status_code == 200
    assert client.get("/v1/vehicles", headers=viewer).status_code == 200
    assert client.get("/v1/riders", params={"query": "Sato"}, headers=viewer).status_code == 200
    body = area.ask(rider_id=rider_id)
    assert client.post("/v1/offers", json=body, headers=viewer).status_code == 403
    offer = client.post("/v1/offers", json=body, headers=dispatcher)
    assert offer.status_code == 201, offer.text
    refused = area.book(viewer, offer.json()["offer_id"])
    assert refused.status_code == 403
    a, b = area.places["station"], area.places["clinic"]
    closure = {"geometry": {"type": "LineString",
                            "coordinates": [[a["lon"], a["lat"]], [b["lon"], b["lat"]]]}}
    assert client.post("/v1/closures", json=closure, headers=viewer).status_code == 403
    assert client.post("/v1/riders", json={"name": "New"}, headers=viewer).status_code == 403
    booked = area.book(dispatcher, offer.json()["offer_id"])
    assert booked.status_code == 201, booked.text
    booking_id = booked.json()["id"]
    assert client.get(f"/v1/bookings/{booking_id}", headers=viewer).status_code == 200
    assert client.delete(f"/v1/bookings/{booking_id}", headers=viewer).status_code == 403


def test_a_revoked_token_gets_401_at_once_on_every_worker(
        settings: Settings, demo_network: RoadNetwork) -> None:
    with TestClient(create_app(settings, network=demo_network)) as one, \
            TestClient(create_app(settings, network=demo_network)) as two:
        r = one.post("/v1/riders", json={"name": "Sato Hanako"}, headers=OPERATOR)
        rider = bearer(r.json()["token"])
        member = staff(one, "dispatcher")
        for c in (one, two):
            assert c.get("/v1/riders/me", headers=rider).status_code == 200
            assert c.get("/v1/days", headers=bearer(member["token"])).status_code == 200
        assert one.post("/v1/tokens/revoke", json={}, headers=rider).json() == {"revoked": 1}
        revoked = two.post("/v1/tokens/revoke", json={"kind": "staff", "id": member["id"]},
                           headers=OPERATOR)
        assert revoked.json() == {"revoked": 1}
        for c in (one, two):
            assert c.get("/v1/riders/me", headers=rider).status_code == 401
            assert c.get("/v1/days", headers=bearer(member["token"])).status_code == 401


def test_rotation_replaces_the_token_and_expiry_ends_it(client: TestClient) -> None:
    r = client.post("/v1/riders", json={"name": "Sato Hanako"}, headers=OPERATOR)
    rider_id, old = r.json()["id"], bearer(r.json()["token"])
    rotated = client.post("/v1/tokens/rotate", json={"expires_in_seconds": 3600}, headers=old)
    assert rotated.status_code == 201, rotated.text
    new = bearer(rotated.json()["token"])
    assert client.get("/v1/riders/me", headers=old).status_code == 401
    assert client.get("/v1/riders/me", headers=new).json()["id"] == rider_id
    clock = client.put("/v1/clock", json={"now": iso(timedelta(hours=2))}, headers=OPERATOR)
    assert clock.status_code == 200, clock.text
    assert client.get("/v1/riders/me", headers=new).status_code == 401
    # A lost phone: the clerk issues a new token.
    issued = client.post("/v1/tokens", json={"kind": "rider", "id": rider_id},
                         headers={**OPERATOR, "Idempotency-Key": "phone-2"})
    again = client.post("/v1/tokens", json={"kind": "rider", "id": rider_id},
                        headers={**OPERATOR, "Idempotency-Key": "phone-2"})
    assert issued.status_code == again.status_code == 201
    assert issued.json()["token"] == again.json()["token"]
    assert client.get("/v1/riders/me",
                      headers=bearer(issued.json()["token"])).json()["id"] == rider_id
    assert client.post("/v1/tokens/rotate", json={}, headers=OPERATOR).status_code == 422


def test_retried_rider_registration_returns_the_same_rider_and_token(client: TestClient) -> None:
    headers = {**OPERATOR, "Idempotency-Key": "call-0930"}
    first = client.post("/v1/riders", json={"name": "Sato Hanako"}, headers=headers)
    again = client.post("/v1/riders", json={"name": "Sato Hanako"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    found = client.get("/v1/riders", params={"query": "Sato"}, headers=OPERATOR).json()
    assert [r["id"] for r in found["riders"]] == [first.json()["id"]]
    assert client.get("/v1/riders/me",
                      headers=bearer(again.json()["token"])).json()["id"] == first.json()["id"]

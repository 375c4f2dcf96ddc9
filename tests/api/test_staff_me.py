"""``GET /v1/staff/me``: who the calling staff member is (the console offers only what their
role may do)."""

from __future__ import annotations

from tests.api.conftest import OPERATOR, Area, bearer


def test_staff_me_names_the_role(area: Area) -> None:
    me = area.client.get("/v1/staff/me", headers=OPERATOR)
    assert me.status_code == 200
    assert me.json()["role"] == "admin"
    made = area.client.post("/v1/staff", headers=OPERATOR,
                            json={"name": "Ito Ken", "role": "viewer"}).json()
    viewer = area.client.get("/v1/staff/me", headers=bearer(made["token"])).json()
    assert viewer == {"id": made["id"], "name": "Ito Ken", "role": "viewer"}
    _, rider = area.rider()
    assert area.client.get("/v1/staff/me", headers=rider).status_code == 403

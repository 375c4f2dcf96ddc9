"""``/gofs/``: the running service's GOFS-lite documents, as ``maas export gofs`` writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.main import create_app
from api.routers import gofs
from maas.roads import RoadNetwork
from tests.api.conftest import make_settings, redis_url
from tests.publish.test_gofs import check

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo-service.yaml"


def test_gofs_served(redisdb: Any, redis_proc: Any, demo_network: RoadNetwork) -> None:
    application = create_app(make_settings(redis_url(redis_proc), service=DEMO),
                             network=demo_network)
    application.include_router(gofs.router)
    with TestClient(application) as client:
        discovery = client.get("/gofs/gofs.json")
        assert discovery.status_code == 200, discovery.text
        check("gofs", discovery.json())
        for feed in discovery.json()["data"]["ja"]["feeds"]:
            assert feed["url"].startswith("http://testserver/gofs/")
            path = feed["url"].removeprefix("http://testserver")
            r = client.get(path)
            assert r.status_code == 200, r.text
            check(feed["name"], r.json())
        assert client.get("/gofs/nope.json").json()["error"]["code"] == "unknown_feed"


def test_plain_service_has_no_zones(redisdb: Any, redis_proc: Any,
                                    demo_network: RoadNetwork) -> None:
    application = create_app(make_settings(redis_url(redis_proc)), network=demo_network)
    application.include_router(gofs.router)
    with TestClient(application) as client:
        r = client.get("/gofs/zones.json")
        assert r.status_code == 404 and r.json()["error"]["code"] == "no_service_area"

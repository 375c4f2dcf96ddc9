"""A cancellation keeps its reason: in the booking, in the history once the day closes, and
in the month's count of cancellations by reason."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from maas.roads import RoadNetwork
from tests.api.conftest import OPERATOR, T0, Area


def test_a_cancel_reason_is_kept_and_counted(settings: Settings, demo_network: RoadNetwork,
                                             places: dict[str, dict[str, float]],
                                             tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'history.db'}"
    with TestClient(create_app(settings.model_copy(update={"history_url": url}),
                               network=demo_network)) as client:
        area = Area(client, places)
        area.van()
        rider_id, rider = area.rider()
        ids = []
        for _ in range(3):
            offer = area.offer(OPERATOR, rider_id=rider_id)
            booked = area.book(OPERATOR, offer["offer_id"])
            assert booked.status_code == 201, booked.text
            ids.append(booked.json()["id"])
        # Bad reasons are named; nothing is cancelled by them.
        bad = client.request("DELETE", f"/v1/bookings/{ids[0]}", json={"reason": "bored"},
                             headers=OPERATOR)
        assert bad.status_code == 422 and "reason" in bad.text
        long = client.request("DELETE", f"/v1/bookings/{ids[0]}",
                              json={"reason": "other", "note": "x" * 501}, headers=OPERATOR)
        assert long.status_code == 422 and "note" in long.text
        assert client.get(f"/v1/bookings/{ids[0]}", headers=OPERATOR).json()["status"] \
            == "confirmed"
        gone = client.request("DELETE", f"/v1/bookings/{ids[0]}",
                              json={"reason": "weather", "note": "吹雪で外出できない"},
                              headers=OPERATOR)
        assert gone.status_code == 200, gone.text
        assert (gone.json()["cancel_reason"], gone.json()["cancel_note"]) == (
            "weather", "吹雪で外出できない")
        again = client.get(f"/v1/bookings/{ids[0]}", headers=OPERATOR).json()
        assert again["cancel_reason"] == "weather" and again["status"] == "cancelled"
        # The rider's own cancellation says so; staff without a body leave it unsaid.
        assert client.delete(f"/v1/bookings/{ids[1]}", headers=rider
                             ).json()["cancel_reason"] == "rider_request"
        assert client.delete(f"/v1/bookings/{ids[2]}", headers=OPERATOR
                             ).json()["cancel_reason"] is None
        # The day closes into the history; the month counts the reasons.
        moved = client.put("/v1/clock", json={"now": (T0 + timedelta(days=1)).replace(
            hour=5).isoformat()}, headers=OPERATOR)
        assert moved.status_code == 200, moved.text
        report = client.get("/v1/reports/months/2026-12", headers=OPERATOR)
        assert report.status_code == 200, report.text
        counted = report.json()["current"]["cancelled_by_reason"]
        assert counted["weather"] == 1 and counted["rider_request"] == 1
        assert counted["unspecified"] == 1 and counted["illness"] == 0
        assert sum(counted.values()) == report.json()["current"]["total"]["cancelled"] == 3
        sheet = client.get("/v1/reports/months/2026-12/report.csv", headers=OPERATOR)
        assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(sheet.text)))
        assert [r["date"] for r in rows] == ["2026-12-08", "total"]
        assert rows[-1]["cancelled"] == "3"
        assert client.get("/v1/reports/months/2026-13/report.csv",
                          headers=OPERATOR).status_code == 422

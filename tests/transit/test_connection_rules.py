"""The service file's connection rules reach the dispatcher's policy; the timetable finds the
train an offer names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from maas.service import ServiceError, load_service
from maas.transit import load_feed
from solver.dispatch.policy import policy_for_day
from tests.transit.gtfs_build import write_station_feed

DAY = date(2026, 12, 8)


def test_transit_section_sets_buffer_confidence_and_noise(tmp_path: Path) -> None:
    feed = write_station_feed(tmp_path / "gtfs", ("KS", "Kitanosawa", 43.0, 142.0), ["10:30"])
    base = Path("scenarios/demo-service.yaml").read_text(encoding="utf-8")
    path = tmp_path / "svc.yaml"
    path.write_text(base.replace("  travel_time_margin: 0.2\n",
                                 "  travel_time_margin: 0.2\n  travel_time_noise: 0.15\n")
                    + f"transit:\n  feed: {feed}\n  transfer_stops: [KS]\n"
                      "  transfer_buffer_minutes: 8\n  connection_confidence: 0.9\n",
                    encoding="utf-8")
    policy = policy_for_day(load_service(path), DAY)
    assert (policy.connection_buffer, policy.connection_confidence) == (480, 0.9)
    assert policy.travel_time_noise == 0.15
    plain = policy_for_day(load_service("scenarios/demo-service.yaml"), DAY)
    assert (plain.connection_buffer, plain.connection_confidence) == (300, 0.95)
    bad = tmp_path / "bad.yaml"
    bad.write_text(base + f"transit:\n  feed: {feed}\n  connection_confidence: 1.5\n",
                   encoding="utf-8")
    with pytest.raises(ServiceError, match=r"transit\.connection_confidence"):
        load_service(bad)


def test_find_a_departure_or_an_arrival(tmp_path: Path) -> None:
    feed = load_feed(write_station_feed(tmp_path / "gtfs", ("KS", "Kitanosawa", 43.0, 142.0),
                                        ["10:30", "11:30"], ["11:00"]))
    tt = feed.timetable
    exact = tt.find("KS", DAY, at=10 * 3600 + 1800)
    assert exact is not None and exact.trip_id == "up0" and exact.headsign == "Sapporo"
    assert tt.find("KS", DAY, at=10 * 3600 + 1860) is None  # no train at 10:31
    assert tt.find("KS", DAY, after="10:31", headsign="Sapp") is not None
    assert tt.find("KS", DAY, after="10:31", route="Limited").trip_id == "up1"  # type: ignore[union-attr]
    assert tt.find("KS", DAY, after="09:00", route="Local") is None
    assert tt.find("KS", DAY, after="11:31") is None
    back = tt.find("KS", DAY, after="10:00", arriving=True)
    assert back is not None and back.trip_id == "down0" and back.seconds == 11 * 3600
    # a departure is not an arrival: the first stop of a trip takes no one off
    assert [a.trip_id for a in tt.arrivals("KS", DAY)] == ["down0"]
    assert [d.trip_id for d in tt.departures("KS", DAY)] == ["up0", "up1"]

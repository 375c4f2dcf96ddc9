"""Riders to and from trains in the simulator, and the KPI ``connections_made_share``."""

from __future__ import annotations

from pathlib import Path

import pytest

from maas.roads import load_network
from scenarios.config import load_scenario
from scenarios.run import run_scenario
from tests.transit.gtfs_build import write_station_feed

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _scenario(tmp_path: Path, mode: str = "connect", margin: float = 0.2) -> object:
    st = load_network("demo").graph.graph["places"]["station"]
    feed = write_station_feed(tmp_path / "gtfs", ("KS", "Kitanosawa", st[0], st[1]),
                              [f"{h:02d}:{m:02d}" for h in range(8, 18) for m in (0, 30)],
                              [f"{h:02d}:15" for h in range(9, 18)])
    return load_scenario(SCENARIOS / "demo.yaml", {
        "demand.requests": 12, "demand.exact_count": True,
        "policy.travel_time_margin": margin,
        "transit": {"feed": str(feed), "stop": "KS", "service_date": "2026-12-08",
                    "trips": 14, "return_share": 0.4, "buffer_minutes": 5, "mode": mode}})


def test_train_riders_are_simulated_and_counted(tmp_path: Path) -> None:
    run = run_scenario(_scenario(tmp_path), tmp_path / "out")  # type: ignore[arg-type]
    k = run.kpis
    trains = [t for t in run.result.trips if t.connect is not None]
    assert len(trains) == 14 and k["requests"] == 26
    outbound = [t for t in trains if t.connect is not None and t.connect.kind == "departure"]
    returns = [t for t in trains if t.connect is not None and t.connect.kind == "arrival"]
    assert outbound and returns
    counted = [t for t in outbound if t.booking is not None
               and t.status.value not in ("cancelled", "no_show")]
    assert k["connections"] == len(counted) > 0
    made = [t for t in counted if t.dropoff_at is not None and t.connect is not None
            and t.booking is not None and t.dropoff_at + t.booking.alight <= t.connect.at]
    kept = [t for t in counted if t.dropoff_at is not None and t.connect is not None
            and t.dropoff_at <= t.connect.at - t.connect.buffer]
    assert k["connections_made_share"] == pytest.approx(len(made) / len(counted), abs=1e-4)
    assert k["connection_buffer_kept_share"] == pytest.approx(len(kept) / len(counted),
                                                              abs=1e-4)
    assert len(kept) <= len(made)
    for t in counted:  # the promise is the connection's deadline
        assert t.booking is not None and t.connect is not None
        assert t.booking.dropoff.latest == t.connect.at - t.connect.buffer - t.connect.margin
    for t in returns:  # a return ride never picks up before the train is in
        if t.pickup_at is not None and t.connect is not None:
            assert t.pickup_at >= t.connect.at + t.connect.buffer


def test_baseline_books_plain_arrive_by_rides(tmp_path: Path) -> None:
    run = run_scenario(_scenario(tmp_path, "arrive_by", margin=0.0),  # type: ignore[arg-type]
                       tmp_path / "out")
    for t in run.result.trips:
        if t.connect is not None and t.connect.kind == "departure" and t.booking is not None:
            assert t.booking.dropoff.latest == t.connect.at - t.connect.buffer
    assert run.kpis["connections"] > 0 and run.kpis["connections_made_share"] is not None


def _late(tmp_path: Path, announced: bool) -> object:
    st = load_network("demo").graph.graph["places"]["station"]
    feed = write_station_feed(tmp_path / "gtfs", ("KS", "Kitanosawa", st[0], st[1]),
                              [f"{h:02d}:{m:02d}" for h in range(8, 18) for m in (0, 30)],
                              [f"{h:02d}:15" for h in range(9, 18)])
    return load_scenario(SCENARIOS / "demo.yaml", {
        "demand.requests": 8, "demand.exact_count": True, "demand.prebooked_share": 1.0,
        "simulation.no_show_rate": 0.0, "simulation.cancel_rate": 0.0,
        "simulation.travel_time_noise": 0.0,
        "transit": {"feed": str(feed), "stop": "KS", "service_date": "2026-12-08",
                    "trips": 12, "return_share": 1.0, "buffer_minutes": 5,
                    "delays": {"share": 1.0, "minutes": [25, 30], "announced": announced}}})


def test_late_trains_announced_keep_their_riders_and_unannounced_lose_them(tmp_path: Path
                                                                           ) -> None:
    """Every arriving train 25-30 min late: reported 10 minutes before, the vans come for
    the riders at the moved time and keep the moved promise; never reported, the vans wait
    the no-show time at the station and leave before the trains are in."""
    told = run_scenario(_late(tmp_path / "a", True), tmp_path / "told")  # type: ignore[arg-type]
    blind = run_scenario(_late(tmp_path / "b", False), tmp_path / "blind")  # type: ignore[arg-type]
    k_told, k_blind = told.kpis["late_trains"], blind.kpis["late_trains"]
    assert k_told["trains"] == k_blind["trains"] > 0 and k_told["announced"]
    assert not k_blind["announced"] and k_told["riders"] > 0
    assert k_told["missed"] == 0 and k_told["met"] == k_told["riders"]
    assert k_told["promise_kept_share"] == 1.0
    assert k_blind["missed"] == k_blind["riders"] > 0 and k_blind["met"] == 0
    for t in told.result.trips:  # each met rider boarded after the late train was in
        if t.connect is not None and t.connect.kind == "arrival" and t.pickup_at is not None:
            late = told.result.late_trains[t.connect.trip_id]
            assert t.train_delay_s == late and t.pickup_at >= t.connect.at + late + 300
            assert t.booking is not None and t.booking.pickup.earliest >= t.connect.at + late

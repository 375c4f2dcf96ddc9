"""GTFS-JP in: the Toyama community bus feed read with gtfs-kit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from maas.domain import Location
from maas.errors import OffNetworkError
from maas.roads import RoadNetwork
from maas.service import ServiceError, load_service
from maas.transit import TransitError, load_feed, snap_stops
from maas.transit.feed import TransitFeed, load_service_feed


@pytest.fixture(scope="module")
def feed(data_dir: Path) -> TransitFeed:
    return load_feed(data_dir / "gtfs" / "toyama" / "gtfs-jp.zip")


def test_stops_keep_their_names(feed: TransitFeed) -> None:
    assert len(feed.stops) == 70  # stops.txt has 70 rows, all location_type 0
    station = feed.stop("1_1")
    assert station.name == "富山駅前"
    assert (station.lat, station.lon) == (36.699941, 137.212183)
    with pytest.raises(TransitError, match="'nope'"):
        feed.stop("nope")


def test_departures_by_service_date(feed: TransitFeed) -> None:
    tt = feed.timetable
    june = tt.departures("1_1", date(2023, 6, 1))
    times = [d.seconds for d in june]
    assert times == sorted(times) and june[0].clock == "09:00:00"
    later = tt.departures("1_1", date(2023, 6, 1), after="09:30")
    assert later and all(d.seconds >= 9 * 3600 + 1800 for d in later)
    assert later == [d for d in june if d.seconds >= 9 * 3600 + 1800]
    assert later[0].route_name == "東ルート" and later[0].headsign == "アピア前"
    # calendar.txt runs 2023-04-01 .. 2024-03-31: nothing after, nothing before
    assert tt.departures("1_1", date(2024, 4, 1)) == []
    assert tt.departures("1_1", date(2023, 3, 31)) == []
    # calendar_dates.txt adds 2020-12-29 (exception_type 1) outside the calendar's range
    assert tt.services_on(date(2020, 12, 29)) == frozenset({"毎日"})
    assert tt.departures("1_1", date(2020, 12, 29))
    assert tt.departures("no-such-stop", date(2023, 6, 1)) == []


def test_departure_time_is_local(feed: TransitFeed) -> None:
    from zoneinfo import ZoneInfo

    dep = feed.timetable.departures("1_1", date(2023, 6, 1))[0]
    at = dep.at(ZoneInfo("Asia/Tokyo"))
    assert (at.hour, at.minute, at.utcoffset().total_seconds()) == (9, 0, 9 * 3600)  # type: ignore[union-attr]


def test_snap_reports_stops_off_the_network(feed: TransitFeed) -> None:
    # A snap that refuses everything east of 137.215: those stops are reported, not dropped.
    def snap(lat: float, lon: float) -> Location:
        if lon > 137.215:
            raise OffNetworkError(lat, lon, 900.0, 500.0)
        return Location(lat, lon)

    placed = snap_stops(feed, snap, transfer_stops=["1_1"])
    east = {s for s, st in feed.stops.items() if st.lon > 137.215}
    assert {o.stop.stop_id for o in placed.off_network} == east
    assert set(placed.locations) == set(feed.stops) - east
    assert all(o.distance_m == 900.0 for o in placed.off_network)
    assert [s.stop_id for s, _ in placed.transfer_points()] == ["1_1"]
    with pytest.raises(TransitError, match=r"transit\.transfer_stops"):
        snap_stops(feed, snap, transfer_stops=["1_1", "zz"])


@pytest.mark.slow
def test_stops_snap_to_the_toyama_roads(feed: TransitFeed, toyama_network: RoadNetwork
                                        ) -> None:
    placed = snap_stops(feed, lambda lat, lon: toyama_network.snap(lat, lon, 200.0))
    assert not placed.off_network  # every bus stop of the city lies on a road
    loc = placed.locations["1_1"]
    assert loc.edge is not None and loc.snap_distance_m < 100


def test_service_file_names_feed_and_transfer_stops(tmp_path: Path, data_dir: Path) -> None:
    base = Path("scenarios/demo-service.yaml").read_text(encoding="utf-8")
    feed_path = data_dir / "gtfs" / "toyama" / "gtfs-jp.zip"
    good = tmp_path / "good.yaml"
    good.write_text(base + f"transit:\n  feed: {feed_path}\n  transfer_stops: ['1_1', '1_2']\n",
                    encoding="utf-8")
    svc = load_service(good)
    assert svc.transit is not None and svc.transit.transfer_stops == ("1_1", "1_2")
    loaded = load_service_feed(svc)
    assert loaded is not None and loaded.stop("1_2").name == "富山駅前"
    assert load_service_feed(load_service("scenarios/demo-service.yaml")) is None

    bad_stop = tmp_path / "bad-stop.yaml"
    bad_stop.write_text(base + f"transit:\n  feed: {feed_path}\n  transfer_stops: ['9_9']\n",
                        encoding="utf-8")
    with pytest.raises(TransitError, match=r"bad-stop.yaml: transit.transfer_stops: .*'9_9'"):
        load_service_feed(load_service(bad_stop))
    missing = tmp_path / "missing.yaml"
    missing.write_text(base + "transit:\n  feed: nowhere.zip\n", encoding="utf-8")
    with pytest.raises(ServiceError, match=r"missing.yaml: transit.feed: .*nowhere.zip"):
        load_service(missing)
    typo = tmp_path / "typo.yaml"
    typo.write_text(base + f"transit:\n  feed: {feed_path}\n  transfer: ['1_1']\n",
                    encoding="utf-8")
    with pytest.raises(ServiceError, match=r"transit.transfer"):
        load_service(typo)

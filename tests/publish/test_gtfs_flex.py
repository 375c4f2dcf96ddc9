"""GTFS-Flex v2 out: checked by the gtfs-validator package (a pure-Python reimplementation of
MobilityData's canonical validator, Flex rules included) and field by field here."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from maas.publish.gtfs_flex import FeedOptions, flex_tables
from maas.publish.ride_times import DurationFit, from_history, from_policy
from maas.service import load_service

DEMO = Path("scenarios/demo-service.yaml")
START = date(2026, 12, 1)


def _validator() -> str:
    exe = Path(sys.executable).with_name("gtfs-validator")
    found = str(exe) if exe.exists() else shutil.which("gtfs-validator")
    if found is None:
        pytest.fail("gtfs-validator is not installed (pip install -e '.[dev]')")
    return found


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def feed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("flex")
    result = CliRunner().invoke(app, [
        "export", "gtfs-flex", str(DEMO), "--out", str(out), "--agency-url",
        "https://demo.example.org/", "--start", START.isoformat(), "--phone", "0166-00-0000",
        "--contact-email", "data@example.org"])
    assert result.exit_code == 0, result.output
    return out


def _notices(feed: Path, tmp: Path) -> list[dict[str, Any]]:
    report = tmp / "report"
    subprocess.run([_validator(), "-i", str(feed), "-o", str(report), "-d",
                    START.isoformat(), "-c", "JP"], check=True, capture_output=True,
                   timeout=300)
    system = json.loads((report / "system_errors.json").read_text())
    assert system["notices"] == []
    return json.loads((report / "report.json").read_text())["notices"]  # type: ignore[no-any-return]


def test_validator_finds_no_error(feed_dir: Path, tmp_path: Path) -> None:
    notices = _notices(feed_dir, tmp_path)
    errors = [(n["code"], n["sampleNotices"][:1]) for n in notices if n["severity"] == "ERROR"]
    assert errors == []
    # safe_duration_* are GTFS-Flex fields the validator's table set does not know (INFO)
    unknown = [n for n in notices if n["code"] == "unknown_column"]
    assert {s["fieldName"] for n in unknown for s in n["sampleNotices"]} <= {
        "safe_duration_factor", "safe_duration_offset"}


def test_validator_catches_a_broken_booking_rule(feed_dir: Path, tmp_path: Path) -> None:
    # The check can fail: a prior-day rule without its last time is a Flex error.
    broken = tmp_path / "broken"
    shutil.copytree(feed_dir, broken)
    rows = _read(broken / "booking_rules.txt")
    rows[0]["prior_notice_last_time"] = ""
    rows[0]["prior_notice_duration_min"] = "30"
    with (broken / "booking_rules.txt").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    codes = {n["code"] for n in _notices(broken, tmp_path) if n["severity"] == "ERROR"}
    assert codes & {"missing_prior_notice_last_time", "forbidden_prior_day_booking_field_value"}


def test_booking_rules_windows_and_durations(feed_dir: Path) -> None:
    svc = load_service(DEMO)
    rules = {r["booking_rule_id"]: r for r in _read(feed_dir / "booking_rules.txt")}
    ahead, same = rules["demo_prior_day"], rules["demo_same_day"]
    assert (ahead["booking_type"], ahead["prior_notice_last_day"],
            ahead["prior_notice_last_time"], ahead["prior_notice_start_day"]) == (
        "2", "1", "17:00:00", "14")
    assert (same["booking_type"], same["prior_notice_duration_min"],
            same["prior_notice_start_day"]) == ("1", "30", "0")
    stop_times = _read(feed_dir / "stop_times.txt")
    trips = {t["trip_id"]: t for t in _read(feed_dir / "trips.txt")}
    assert {t["service_id"] for t in trips.values()} == {"weekday", "saturday"}
    for st in stop_times:
        assert (st["start_pickup_drop_off_window"], st["end_pickup_drop_off_window"]) == (
            "07:00:00", "18:00:00")
        assert (float(st["safe_duration_factor"]), float(st["safe_duration_offset"])) == (
            svc.policy.ride_time_b, svc.policy.ride_time_a_s / 60)
        rule = st["pickup_booking_rule_id"] or st["drop_off_booking_rule_id"]
        assert rule == ("demo_prior_day" if trips[st["trip_id"]]["trip_id"].endswith(
            "prior_day") else "demo_same_day")
    locations = json.loads((feed_dir / "locations.geojson").read_text())
    assert [f["id"] for f in locations["features"]] == ["centre"]
    assert {st["location_id"] for st in stop_times} == {"centre"}


def test_calendar_follows_the_service_calendar(feed_dir: Path) -> None:
    svc = load_service(DEMO)
    cal = {r["service_id"]: r for r in _read(feed_dir / "calendar.txt")}
    assert cal["weekday"]["monday"] == "1" and cal["weekday"]["saturday"] == "0"
    assert cal["saturday"]["saturday"] == "1" and "sunday" not in cal
    exceptions = {(r["service_id"], r["date"]): r["exception_type"]
                  for r in _read(feed_dir / "calendar_dates.txt")}
    # 2027-01-11 (Coming of Age Day, a Monday) and 2026-12-31 (closed) are removed
    assert exceptions[("weekday", "20270111")] == "2"
    assert exceptions[("weekday", "20261231")] == "2"
    assert exceptions[("saturday", "20270102")] == "2"
    # the published calendar runs exactly the service's operating days
    for offset in range(365):
        d = date.fromordinal(START.toordinal() + offset)
        wd = d.weekday()
        base = "weekday" if wd < 5 else ("saturday" if wd == 5 else None)
        runs = {base} if base else set()
        key = d.strftime("%Y%m%d")
        runs = {s for s in runs if exceptions.get((s, key)) != "2"}
        runs |= {s for (s, k), e in exceptions.items() if k == key and e == "1"}
        assert bool(runs) == svc.is_operating(d), d


def test_fares_and_agency(feed_dir: Path) -> None:
    fare = _read(feed_dir / "fare_attributes.txt")[0]
    assert (fare["price"], fare["currency_type"]) == ("300", "JPY")
    agency = _read(feed_dir / "agency.txt")[0]
    assert agency["agency_timezone"] == "Asia/Tokyo" and agency["agency_phone"] == "0166-00-0000"


def test_ride_times_from_history_cover_95_percent() -> None:
    from tests.publish.test_open_data import _day

    days = [_day(date(2026, 12, d), [(f"r{i}", 9) for i in range(10)]) for d in (7, 8, 9)]
    fit = from_history(days)
    assert fit.source == "history" and fit.rides == 30
    assert fit.covered_share is not None and fit.covered_share >= 0.95
    pairs = [((b.dropped_off_at - b.picked_up_at).total_seconds() / 60,  # type: ignore[operator]
              b.direct_s / 60) for d in days for b in d.bookings]  # type: ignore[operator]
    assert sum(r <= fit.factor * x + fit.offset_min + 1e-9 for r, x in pairs) >= 0.95 * 30
    assert fit.factor > 1.0  # rides grow with the direct time in these days
    with pytest.raises(ValueError, match="at least 20"):
        from_history(days[:1])


def test_agency_url_is_required() -> None:
    svc = load_service(DEMO)
    with pytest.raises(ValueError, match="agency_url"):
        flex_tables(svc, from_policy(svc.policy), FeedOptions("demo.example.org", START))
    assert isinstance(from_policy(svc.policy), DurationFit)


def test_history_fits_the_durations(tmp_path: Path) -> None:
    from maas.history import HistoryStore
    from tests.publish.test_open_data import _day

    url = f"sqlite:///{tmp_path / 'h.db'}"
    days = [_day(date(2026, 12, d), [(f"r{i}", 9) for i in range(10)]) for d in (7, 8, 9)]
    with HistoryStore(url) as store:
        store.migrate()
        for d in days:
            store.import_day(d)
    out = tmp_path / "flex"
    result = CliRunner().invoke(app, [
        "export", "gtfs-flex", str(DEMO), "--out", str(out), "--agency-url",
        "https://demo.example.org/", "--start", START.isoformat(), "--history", url])
    assert result.exit_code == 0, result.output
    fit = from_history(days)
    st = _read(out / "stop_times.txt")[0]
    assert (float(st["safe_duration_factor"]), float(st["safe_duration_offset"])) == (
        fit.factor, fit.offset_min)
    assert "from the history, covers" in result.output


def test_service_area_and_holidays_that_run(tmp_path: Path) -> None:
    # A bbox service area (one zone named after the area) and holidays run on their hours.
    text = DEMO.read_text(encoding="utf-8").replace(
        "  winter: false", "  winter: false\n  service_area: [142.00, 42.99, 142.06, 43.03]"
    ).replace("  holiday: null", '  holiday: ["08:00", "16:00"]').replace(
        "holidays: {country: JP, closed: true}", "holidays: {country: JP, closed: false}")
    path = tmp_path / "open-holidays.yaml"
    path.write_text(text, encoding="utf-8")
    svc = load_service(path)
    out = tmp_path / "flex"
    result = CliRunner().invoke(app, ["export", "gtfs-flex", str(path), "--out", str(out),
                                      "--agency-url", "https://demo.example.org/",
                                      "--start", START.isoformat()])
    assert result.exit_code == 0, result.output
    errors = [n["code"] for n in _notices(out, tmp_path) if n["severity"] in ("ERROR",
                                                                               "WARNING")
              and n["code"] != "mixed_case_recommended_field"]
    assert errors == []
    locations = json.loads((out / "locations.geojson").read_text())
    assert [f["id"] for f in locations["features"]] == ["demo"]
    assert "holiday" not in {r["service_id"] for r in _read(out / "calendar.txt")}
    exceptions = {(r["service_id"], r["date"]): r["exception_type"]
                  for r in _read(out / "calendar_dates.txt")}
    assert exceptions[("holiday", "20270111")] == "1"
    assert exceptions[("weekday", "20270111")] == "2"
    holiday_times = {(st["start_pickup_drop_off_window"], st["end_pickup_drop_off_window"])
                     for st in _read(out / "stop_times.txt") if "_holiday_" in st["trip_id"]}
    assert holiday_times == {("08:00:00", "16:00:00")}
    assert svc.is_operating(date(2027, 1, 11))


@pytest.mark.parametrize("mode", ["stop_based", "mixed"])
def test_meeting_points_are_published_as_location_groups(tmp_path: Path, mode: str) -> None:
    """A service that meets riders at points lists them as stops, one location group per
    zone, and its stop times name the groups; the validator finds no error."""
    from maas.meeting import service_point_specs
    from maas.publish.gtfs_flex import point_groups
    from maas.publish.zones import service_zones

    text = DEMO.read_text(encoding="utf-8").replace("  mode: door_to_door",
                                                    f"  mode: {mode}")
    path = DEMO.parent / f".test-flex-{mode}.yaml"  # beside the demo: its relative paths hold
    path.write_text(text, encoding="utf-8")
    try:
        svc = load_service(path)
        out = tmp_path / "flex"
        result = CliRunner().invoke(app, ["export", "gtfs-flex", str(path), "--out", str(out),
                                          "--agency-url", "https://demo.example.org/",
                                          "--start", START.isoformat()])
    finally:
        path.unlink()
    assert result.exit_code == 0, result.output
    errors = [n["code"] for n in _notices(out, tmp_path) if n["severity"] == "ERROR"]
    assert errors == []
    points = service_point_specs(svc)
    zones = service_zones(svc)
    groups = point_groups(zones, points)
    assert groups and sum(map(len, groups.values())) <= len(points)
    stops = {r["stop_id"]: r for r in _read(out / "stops.txt")}
    members = _read(out / "location_group_stops.txt")
    assert {r["location_group_id"] for r in _read(out / "location_groups.txt")} == {
        f"{z}_meeting_points" for z in groups}
    assert {(r["location_group_id"], r["stop_id"]) for r in members} == {
        (f"{z}_meeting_points", f"mp_{p.id}") for z, ps in groups.items() for p in ps}
    first = next(p for ps in groups.values() for p in ps)
    assert stops[f"mp_{first.id}"]["stop_name"] == first.name
    times = _read(out / "stop_times.txt")
    for st in times:
        assert bool(st["location_id"]) != bool(st["location_group_id"])
    grouped = {st["location_group_id"] for st in times if st["location_group_id"]}
    assert grouped == {f"{z}_meeting_points" for z in groups}
    at_door = [z.id for z in zones if z.id not in groups]
    if at_door:
        located = json.loads((out / "locations.geojson").read_text())
        assert [f["id"] for f in located["features"]] == at_door
    else:
        assert not (out / "locations.geojson").exists()
    message = _read(out / "booking_rules.txt")[0]["message"]
    assert "乗降場所" in message and ("登録された方" in message) == (mode == "mixed")


def test_a_door_to_door_service_publishes_no_meeting_points(feed_dir: Path) -> None:
    assert not (feed_dir / "stops.txt").exists()
    assert all(st["location_group_id"] == "" for st in _read(feed_dir / "stop_times.txt"))

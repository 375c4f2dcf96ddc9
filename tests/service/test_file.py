"""Service files: the shipped demo reads as the issue states; bad fields are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from maas.service import ServiceDefinition, ServiceError, load_service, parse_service
from tests.service.conftest import SCENARIOS, edited, service


def test_the_demo_file_states_the_demo_rules(demo: ServiceDefinition) -> None:
    """Area, zone, booking rules and windows of the demo service, in engine units."""
    assert (demo.name, demo.area, demo.timezone) == (
        "Kitanosawa on-demand van (synthetic demo town)", "demo", "Asia/Tokyo")
    assert str(demo.tz) == "Asia/Tokyo"
    assert demo.network.source == "demo"
    b = demo.booking
    assert (b.min_notice_s, b.prior_day_deadline_s, b.days_ahead, b.provisional_window_s) == (
        1800, 17 * 3600, 14, 1800)
    assert demo.policy.pickup_window_s == 600
    assert len(demo.fleet.vans) == 4
    assert demo.fares.adult == 300 and demo.fares.currency == "JPY"
    assert demo.base_dir == SCENARIOS


def test_named_places_come_from_the_demo_town_and_the_file(demo: ServiceDefinition) -> None:
    """The town's station, clinic, supermarket, town hall and depot, plus the file's own."""
    from maas.roads import demo_town

    assert set(demo.places) == {*demo_town.places(), "community_centre"}
    lat, lon = demo_town.places()["clinic"]
    assert (demo.places["clinic"].lat, demo.places["clinic"].lon) == (lat, lon)


def test_zones_hold_the_points_inside_them(demo: ServiceDefinition) -> None:
    """The centre zone holds the town hall; a point far up the valley lies in no zone."""
    hall = demo.places["town_hall"]
    assert demo.zone_of(hall.lat, hall.lon) == "centre"
    assert demo.zone_of(43.2, 142.3) is None


def test_load_service_names_the_file_and_the_field(tmp_path: Path) -> None:
    """The interface's example: a bad deadline names file and field."""
    path = tmp_path / "demo-service.yaml"
    path.write_text(yaml.safe_dump(edited({"booking.prior_day_deadline": "17h"}),
                                   allow_unicode=True), encoding="utf-8")
    with pytest.raises(ServiceError, match=r"^demo-service\.yaml: booking\.prior_day_deadline: "):
        load_service(path)


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"booking.days_ahed": 3}, r"booking\.days_ahed: Extra inputs"),
        ({"booking.days_ahead": -1}, r"booking\.days_ahead: "),
        ({"booking.prior_day_deadline": "24:30"}, r"booking\.prior_day_deadline: .*day before"),
        ({"booking.provisional_window_minutes": 5},
         r"booking\.provisional_window_minutes: narrower"),
        ({"timezone": "Asia/Tokio"}, r"timezone: 'Asia/Tokio' is not an IANA"),
        ({"area": "Demo Town"}, r"area: "),
        ({"hours.weekday": ["18:00", "07:00"]}, r"hours\.weekday: ends"),
        ({"calendar.weekdays": ["monday"]}, r"calendar\.weekdays\.0: "),
        ({"fleet.depot": {"place": "harbour"}}, r"fleet\.depot\.place: unknown place 'harbour'"),
        ({"fleet.depot": {"lat": 43.0}}, r"fleet\.depot: "),
        ({"fleet.vans.2.seats": 0}, r"fleet\.vans\.2\.seats: "),
        ({"fleet.shift_patterns.day.start": "7h"}, r"fleet\.shift_patterns\.day\.start: "),
        ({"fares.adult": "free"}, r"fares\.adult: "),
        ({"zones.centre": [[142.0, 43.0], [142.1, 43.0]]}, r"zones: zone 'centre' needs"),
        ({"policy.ride_time.factor": 0.5}, r"policy\.ride_time\.factor: "),
        ({"policy.rescue.iterations": 5}, r"policy\.rescue\.iterations: .*at least 10 .*0 or "
                                          r"null turns the rescue off"),
        ({"policy.rescue.vans": 0}, r"policy\.rescue\.vans: "),
        ({"network.service_area": [142.1, 42.9, 142.0, 43.1]}, r"network\.service_area: bbox"),
        ({"version": 2}, r"version: "),
    ],
)
def test_a_bad_field_is_named(changes: dict[str, object], where: str) -> None:
    """Every kind of mistake names the file and the field it is in."""
    with pytest.raises(ServiceError, match=rf"^demo-service\.yaml: {where}"):
        service(changes)


def test_a_missing_section_is_named() -> None:
    """Without ``hours`` the file is refused naming it."""
    with pytest.raises(ServiceError, match=r"demo-service\.yaml: hours: Field required"):
        service(drop=("hours",))


def test_a_file_that_is_not_yaml_or_missing_is_refused(tmp_path: Path) -> None:
    """Unreadable and malformed files raise the same typed error."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ServiceError, match="not valid YAML"):
        load_service(bad)
    with pytest.raises(ServiceError, match="cannot read"):
        load_service(tmp_path / "missing.yaml")
    with pytest.raises(ServiceError, match="expected a mapping"):
        parse_service(["a"], tmp_path)  # type: ignore[arg-type]


def test_a_geojson_service_area_gives_its_bounding_box(tmp_path: Path) -> None:
    """A GeoJSON polygon beside the file resolves, and its bounds become the bbox."""
    ring = [[142.0, 43.0], [142.1, 43.0], [142.1, 43.05], [142.0, 43.0]]
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    (tmp_path / "area.geojson").write_text(json.dumps(feature), encoding="utf-8")
    svc = parse_service(edited({"network.service_area": "area.geojson"}), tmp_path)
    assert svc.network.bbox == (142.0, 43.0, 142.1, 43.05)
    with pytest.raises(ServiceError, match=r"network\.service_area|not found"):
        parse_service(edited({"network.service_area": "nowhere.geojson"}), tmp_path)


def test_a_service_error_is_invalid_input_with_its_code() -> None:
    """The API maps it once: an InvalidInput with code bad_service."""
    from maas.errors import InvalidInput

    assert issubclass(ServiceError, InvalidInput)
    assert ServiceError.code == "bad_service"


def test_a_service_definition_pickles_for_worker_processes(demo: ServiceDefinition) -> None:
    """Sweeps and API workers may ship it between processes; it compares equal after."""
    import pickle
    from datetime import date

    back = pickle.loads(pickle.dumps(demo))
    assert back.booking == demo.booking and back.fleet == demo.fleet
    assert back.is_operating(date(2027, 1, 11)) is False

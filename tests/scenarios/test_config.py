"""Scenario files: validation names the bad field; paths resolve beside the file or in data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from maas.settings import settings
from scenarios.config import (
    ScenarioError,
    apply_overrides,
    clock_to_seconds,
    load_scenario,
    read_scenario_data,
)
from scenarios.simulator import dispatch_policy
from tests.scenarios.conftest import SCENARIOS


def _bad(tmp_path: Path, overrides: dict) -> str:
    data = apply_overrides(read_scenario_data(SCENARIOS / "demo.yaml"), overrides)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)


def test_shipped_scenarios_validate() -> None:
    """The three shipped scenario files load without error."""
    names = {load_scenario(SCENARIOS / f).name
             for f in ("demo.yaml", "toyama-south.yaml", "bayreuth-villages.yaml")}
    assert names == {"demo-town", "toyama-south", "bayreuth-villages"}


def test_wrong_type_names_the_field(tmp_path: Path) -> None:
    """A vehicle count that is not a number is reported as fleet.vehicles."""
    assert "fleet.vehicles" in _bad(tmp_path, {"fleet.vehicles": "many"})


def test_misspelt_key_names_the_field(tmp_path: Path) -> None:
    """An unknown key is an error naming it, not a silent default."""
    assert "policy.max_wiat_minutes" in _bad(tmp_path, {"policy.max_wiat_minutes": 15})


def test_nested_list_field_is_named(tmp_path: Path) -> None:
    """A bad latitude inside the attractor list names its position."""
    message = _bad(tmp_path, {"demand.attractors": [{"name": "x", "lat": 123, "lon": 142}]})
    assert "demand.attractors.0.lat" in message


def test_shift_ending_before_start_is_rejected(tmp_path: Path) -> None:
    """A shift that ends before it starts names fleet.shift."""
    assert "fleet.shift" in _bad(tmp_path, {"fleet.shift": ["19:00", "07:00"]})


def test_missing_section_is_named(tmp_path: Path) -> None:
    """A scenario without a fleet section names it."""
    data = read_scenario_data(SCENARIOS / "demo.yaml")
    del data["fleet"]
    path = tmp_path / "nofleet.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match="fleet"):
        load_scenario(path)


def test_not_yaml_is_a_scenario_error(tmp_path: Path) -> None:
    """A file that is not YAML gives a ScenarioError, not a parser traceback."""
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(path)


def test_clock_times_parse_to_seconds() -> None:
    """Clock strings become seconds since midnight; nonsense is refused."""
    assert clock_to_seconds("07:30") == 27_000
    with pytest.raises(ValueError):
        clock_to_seconds("7h30")


def test_network_file_is_found_through_data_dir(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """toyama-south's bare file name resolves under MAAS_DATA_DIR (pointed at osm/)."""
    monkeypatch.setenv("MAAS_DATA_DIR", str(data_dir / "osm"))
    settings.cache_clear()
    try:
        scenario = load_scenario(SCENARIOS / "toyama-south.yaml")
        assert scenario.resolve_path(scenario.network.source) == data_dir / "osm" / "toyama.osm.bz2"
    finally:
        settings.cache_clear()


def test_missing_file_names_what_was_tried(tmp_path: Path) -> None:
    """A network file that exists nowhere is an error listing the places searched."""
    scenario = load_scenario(SCENARIOS / "demo.yaml")
    with pytest.raises(ScenarioError, match=r"nowhere\.osm"):
        scenario.resolve_path("nowhere.osm")


def test_travel_time_margin_reaches_the_dispatcher() -> None:
    """policy.travel_time_margin becomes the dispatcher's planning margin; negatives are refused."""
    scenario = load_scenario(SCENARIOS / "demo.yaml", {"policy.travel_time_margin": 0.25})
    assert dispatch_policy(scenario, None).travel_time_margin == 0.25
    with pytest.raises(ScenarioError, match=r"policy\.travel_time_margin"):
        load_scenario(SCENARIOS / "demo.yaml", {"policy.travel_time_margin": -0.1})


def test_rescue_iterations_reach_the_dispatcher() -> None:
    """policy.rescue_iterations becomes the dispatcher's refusal rescue; 0 turns it off and a
    handful of steps is refused with the reason."""
    scenario = load_scenario(SCENARIOS / "demo.yaml", {"policy.rescue_iterations": 150})
    assert dispatch_policy(scenario, None).rescue_iterations == 150
    off = load_scenario(SCENARIOS / "demo.yaml", {"policy.rescue_iterations": 0})
    assert dispatch_policy(off, None).rescue_iterations is None
    with pytest.raises(ScenarioError, match=r"policy\.rescue_iterations.*at least 10"):
        load_scenario(SCENARIOS / "demo.yaml", {"policy.rescue_iterations": 5})

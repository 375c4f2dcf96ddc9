"""Fixtures of the simulator tests: small days in the demo town, run once per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scenarios.config import Scenario, load_scenario
from scenarios.run import RunOutput, run_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

# A small day: few requests so that a run takes seconds, with every kind of event left in.
SMALL_DAY: dict[str, Any] = {
    "demand.requests": 40,
    "demand.exact_count": True,
    "simulation.no_show_rate": 0.1,
    "simulation.cancel_rate": 0.1,
}


def demo(**overrides: Any) -> Scenario:
    """The shipped demo scenario with the small-day settings and ``overrides``."""
    return load_scenario(SCENARIOS / "demo.yaml", {**SMALL_DAY, **overrides})


def write_scenario(path: Path, overrides: dict[str, Any]) -> Path:
    """A copy of ``demo.yaml`` with small-day settings and dotted ``overrides`` applied."""
    from scenarios.config import apply_overrides, read_scenario_data

    data = apply_overrides(read_scenario_data(SCENARIOS / "demo.yaml"), {**SMALL_DAY,
                                                                          **overrides})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> RunOutput:
    """A small demo day with noise, no-shows and cancellations, outputs written."""
    return run_scenario(demo(), tmp_path_factory.mktemp("small-run"))


@pytest.fixture(scope="session")
def exact_run(tmp_path_factory: pytest.TempPathFactory) -> RunOutput:
    """A small demo day where the roads behave as planned and every rider shows up."""
    scenario = demo(**{"simulation.travel_time_noise": 0, "simulation.no_show_rate": 0})
    return run_scenario(scenario, tmp_path_factory.mktemp("exact-run"))

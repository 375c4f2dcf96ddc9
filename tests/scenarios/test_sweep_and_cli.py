"""`maas sweep` and `maas simulate` at the command line: grids, tables, clear failures."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from scenarios.config import ScenarioError
from scenarios.sweep import grid, parse_set, variant_name
from tests.scenarios.conftest import write_scenario

runner = CliRunner()


def test_set_values_parse_as_yaml() -> None:
    """--set values become numbers, booleans or strings as YAML reads them."""
    assert parse_set("fleet.vehicles=2,3") == ("fleet.vehicles", [2, 3])
    assert parse_set("network.winter=true,false") == ("network.winter", [True, False])
    with pytest.raises(ScenarioError, match="KEY=V1"):
        parse_set("fleet.vehicles")


def test_grid_is_the_product_of_values() -> None:
    """Two keys with two and three values give six grid points with readable names."""
    points = grid([("a.b", [1, 2]), ("c.d", [3, 4, 5])])
    assert len(points) == 6
    assert variant_name(points[0]) == "a.b=1__c.d=3"


@pytest.mark.slow
def test_sweep_over_two_values_gives_two_rows(tmp_path: Path) -> None:
    """A sweep of fleet.vehicles=2,3 writes a table with two rows and a plot."""
    scenario = write_scenario(tmp_path / "s.yaml", {"demand.requests": 15})
    out = tmp_path / "sweep"
    result = runner.invoke(app, ["sweep", str(scenario), "--set", "fleet.vehicles=2,3",
                                 "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    with (out / "sweep.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["fleet.vehicles"] for r in rows] == ["2", "3"]
    assert all(r["served_share"] and r["cost_per_trip"] for r in rows)
    assert (out / "sweep.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "fleet.vehicles=3" / "kpis.json").exists()


def test_sweep_with_a_bad_value_fails_before_running(tmp_path: Path) -> None:
    """A swept value the scenario rejects stops the sweep with the field's name."""
    scenario = write_scenario(tmp_path / "s.yaml", {})
    result = runner.invoke(app, ["sweep", str(scenario), "--set", "fleet.vehicles=2,zero",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "fleet.vehicles" in result.output
    assert not (tmp_path / "o" / "sweep.csv").exists()


@pytest.mark.slow
def test_simulate_writes_the_outputs(tmp_path: Path) -> None:
    """`maas simulate` on a small demo day writes every output and says the town is synthetic."""
    scenario = write_scenario(tmp_path / "s.yaml", {"demand.requests": 12})
    out = tmp_path / "out"
    result = runner.invoke(app, ["simulate", str(scenario), "--out", str(out), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "synthetic" in result.output
    for name in ("kpis.json", "run.json", "trips.csv", "report.html", "map.html"):
        assert (out / name).is_file(), name
    assert json.loads((out / "kpis.json").read_text(encoding="utf-8"))["seed"] == 3


def test_simulate_bad_scenario_fails_with_one_line(tmp_path: Path) -> None:
    """A bad field gives exit status 1 and a one-line reason naming the field."""
    scenario = write_scenario(tmp_path / "s.yaml", {"fleet.seats": -2})
    result = runner.invoke(app, ["simulate", str(scenario), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "fleet.seats" in lines[0]


def test_simulate_missing_file_fails_cleanly(tmp_path: Path) -> None:
    """A scenario path that does not exist is a one-line error, not a traceback."""
    result = runner.invoke(app, ["simulate", str(tmp_path / "nope.yaml"), "--out",
                                 str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "nope.yaml" in result.output and "Traceback" not in result.output


@pytest.mark.slow
def test_sweep_runs_on_a_dask_scheduler(tmp_path: Path) -> None:
    """With --scheduler the grid runs on a Dask distributed cluster and gives the same rows."""
    from distributed import LocalCluster

    scenario = write_scenario(tmp_path / "s.yaml", {"demand.requests": 8})
    out = tmp_path / "sweep"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        result = runner.invoke(app, ["sweep", str(scenario), "--set",
                                     "policy.max_wait_minutes=15,30", "--out", str(out),
                                     "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    rows = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert [r["policy.max_wait_minutes"] for r in rows] == [15, 30]
    assert all(r["requests"] == 8 for r in rows)


def test_simulate_failure_during_the_run_is_one_line(tmp_path: Path) -> None:
    """An attractor far from any road fails the run with exit 1 and one line naming it."""
    far = [{"name": "far clinic", "lat": 44.0, "lon": 142.0}]
    scenario = write_scenario(tmp_path / "s.yaml", {"demand.attractors": far})
    result = runner.invoke(app, ["simulate", str(scenario), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "far clinic" in lines[0]

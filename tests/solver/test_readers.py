"""Benchmark readers and the `maas solve` command on real instance files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from maas.errors import InstanceFormatError
from solver.benchmark_problems import cordeau_problem, lilim_problem
from solver.readers import read_cordeau, read_lilim
from tests.solver.feasibility import check_cordeau_payload


def test_cordeau_2006_file_has_requests_and_an_end_depot(data_dir: Path) -> None:
    """a2-16: 2 vans, 16 requests, nodes 0..33 with the end depot last."""
    inst = read_cordeau(data_dir / "darp/cordeau-a/a2-16.txt")
    assert (inst.vehicles, inst.requests, inst.capacity, inst.max_ride) == (2, 16, 3, 30)
    assert len(inst.nodes) == 34 and inst.nodes[33].latest == 480


def test_cordeau_2003_pr_file_counts_nodes_and_gets_an_end_depot(tmp_path: Path) -> None:
    """A "pr" header counts 2N nodes and the file has no end-depot line."""
    lines = ["1 4 480 6 90", "0 0 0 0 0 0 1440", "1 1 0 10 1 0 100", "2 2 0 10 1 0 1440",
             "3 3 0 10 -1 0 1440", "4 4 0 10 -1 50 200"]
    path = tmp_path / "pr00"
    path.write_text("\n".join(lines))
    inst = read_cordeau(path)
    assert inst.requests == 2 and len(inst.nodes) == 6
    assert inst.nodes[5].x == 0 and inst.nodes[5].latest == 1440


CL2003 = {"pr11": (3, 24), "pr12": (5, 48), "pr13": (7, 72), "pr14": (9, 96),
          "pr15": (11, 120), "pr16": (13, 144), "pr17": (4, 36), "pr18": (6, 72),
          "pr19": (8, 108), "pr20": (10, 144)}


def test_cordeau_laporte_2003_instances_read_with_their_best_known_costs(
        data_dir: Path) -> None:
    """The ten given "pr" files: vans and requests as published, an end depot copied from
    node 0, one open window per request (outbound or inbound trip), a best known cost each;
    the problem built from each has every request and vans that can reach each pickup."""
    folder = data_dir / "darp/cordeau-laporte-2003"
    bks = {r["instance"]: float(r["bks_cost"]) for r in csv.DictReader(
        (folder / "bks.csv").open())}
    assert set(bks) == set(CL2003)
    for name, (vehicles, requests) in CL2003.items():
        inst = read_cordeau(folder / f"{name}.txt")
        assert (inst.vehicles, inst.requests) == (vehicles, requests), name
        assert (inst.max_duration, inst.capacity, inst.max_ride) == (480, 6, 90), name
        n = inst.requests
        assert len(inst.nodes) == 2 * n + 2 and [d.id for d in inst.nodes] == list(
            range(2 * n + 2))
        first, last = inst.nodes[0], inst.nodes[-1]
        assert (last.x, last.y, last.latest) == (first.x, first.y, first.latest)
        for i in range(1, n + 1):
            p, d = inst.nodes[i], inst.nodes[n + i]
            assert p.load > 0 and d.load == -p.load, (name, i)
            open_p = (p.earliest, p.latest) == (first.earliest, first.latest)
            open_d = (d.earliest, d.latest) == (first.earliest, first.latest)
            assert open_p != open_d, (name, i)  # exactly one end has a window
        bp = cordeau_problem(inst)
        assert len(bp.problem.requests) == n and len(bp.problem.vehicles) == vehicles
        assert bks[name] > 0


def test_lilim_file_pairs_pickups_with_deliveries(data_dir: Path) -> None:
    """lc101: 53 pickup-delivery pairs, each pickup naming its delivery."""
    inst = read_lilim(data_dir / "pdptw/lilim-100/lc101.txt")
    pairs = inst.pairs()
    assert len(pairs) == 53
    assert all(inst.nodes[d].pickup == p for p, d in pairs)


@pytest.mark.parametrize("text", ["", "2 16 480 3\n", "2 16 480 3 30\n0 0 0 0 0 0 480\n",
                                  "2 1 480 3 30\n0 0 0 0 0 0 480\n1 x 0 3 1 0 9\n2 0 0 3 -1 0 9\n"
                                  "3 0 0 0 0 0 480\n"])
def test_malformed_cordeau_file_gives_a_clear_error(tmp_path: Path, text: str) -> None:
    """Truncated headers, missing nodes or non-numbers name the file."""
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(InstanceFormatError, match=r"bad\.txt"):
        read_cordeau(path)


def test_solve_command_reports_a_malformed_file_without_a_traceback(tmp_path: Path) -> None:
    """The CLI maps the format error to a message and exit code 2."""
    path = tmp_path / "bad.txt"
    path.write_text("nonsense\n")
    result = CliRunner().invoke(app, ["solve", str(path), "--format", "lilim", "--json"])
    assert result.exit_code == 2 and "bad.txt" in result.output


def test_solve_command_answers_a2_16_feasibly_in_double_precision(data_dir: Path) -> None:
    """`maas solve a2-16 --json` passes the independent check within 3 % of the optimum."""
    path = data_dir / "darp/cordeau-a/a2-16.txt"
    result = CliRunner().invoke(app, ["solve", str(path), "--format", "cordeau",
                                      "--time-limit", "1", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert check_cordeau_payload(path, payload) == []
    assert payload["unserved"] == [] and payload["cost"] <= 294.25 * 1.03


def test_lilim_speed_field_of_zero_means_time_equals_distance(data_dir: Path) -> None:
    """lc105 says speed 0; its travel times are still its distances (x scale)."""
    bp = lilim_problem(read_lilim(data_dir / "pdptw/lilim-100/lc105.txt"))
    depot = bp.problem.vehicles[0].depot
    first = bp.problem.requests[next(iter(bp.problem.requests))].origin
    assert bp.travel.durations([depot], [first])[0, 0] == bp.travel.distances([depot],
                                                                             [first])[0, 0]

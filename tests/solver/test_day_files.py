"""A day saved with its matrices reads back as the same problem on the same travel: the
same plan costs the same on the saved matrices as on the travel it was made from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from maas.domain import (
    Location,
    Plan,
    Problem,
    Route,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
    VehicleType,
)
from maas.errors import InvalidInput
from maas.evaluation import evaluate
from maas.travel import EuclideanTravel, MatrixTravel
from solver.day_files import day_digest, load_day, places_of, save_day
from tests.solver.cases import problem as make_problem
from tests.solver.cases import request, van


def _problem() -> Problem:
    reqs = [request(f"r{i}", (i * 0.3, 1.0 + i * 0.1), (2.0 - i * 0.2, 0.5 * i),
                    pickup=(2 * i, 2 * i + 10), max_ride=900, passengers=1 + i % 2)
            for i in range(6)]
    return make_problem(reqs, [van("v0"), van("v1")])


def test_a_saved_day_reads_back_and_costs_the_same(tmp_path: Path) -> None:
    problem, travel = _problem(), EuclideanTravel(scale=300.0)
    path = save_day(tmp_path, "tiny", problem, travel, {"rides": 6})
    loaded, matrix, meta = load_day(path)
    assert meta == {"rides": 6} and len(day_digest(path)) == 64
    assert loaded.requests == problem.requests
    assert [v.id for v in loaded.vehicles] == ["v0", "v1"]
    places = places_of(problem)
    assert (matrix.durations(places, places) == travel.durations(places, places)).all()
    stops = []
    for rid in ("r0", "r1", "r2"):
        stops += [Stop(rid, StopKind.PICKUP), Stop(rid, StopKind.DROPOFF)]
    plan = Plan((Route("v0", tuple(stops)), Route("v1", ())))
    before, after = evaluate(problem, plan, travel), evaluate(loaded, plan, matrix)
    assert (before.feasible, before.cost, before.travel_seconds) == (
        after.feasible, after.cost, after.travel_seconds)


def test_a_matrix_answers_only_for_its_places() -> None:
    a, b = Location(1.0, 2.0), Location(3.0, 4.0)
    m = MatrixTravel([a, b], np.array([[0, 5], [7, 0]]), np.array([[0, 50], [70, 0]]))
    assert m.durations([b], [a, b]).tolist() == [[7, 0]]
    assert m.distances([a], [b]).tolist() == [[50]]
    with pytest.raises(KeyError, match="not one of the matrix's places"):
        m.durations([Location(9.0, 9.0)], [a])
    with pytest.raises(ValueError, match="do not fit"):
        MatrixTravel([a], np.zeros((2, 2)), np.zeros((2, 2)))


def test_a_van_with_riders_on_board_is_not_saved(tmp_path: Path) -> None:
    problem = _problem()
    busy = Vehicle("v9", VehicleType(), Location(0.0, 0.0), TimeWindow(0, 100),
                   onboard=("r0",))
    with pytest.raises(InvalidInput, match="van v9"):
        save_day(tmp_path, "x", Problem(problem.requests, (busy,)), EuclideanTravel())

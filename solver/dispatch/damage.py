"""Promise damage: how badly a route breaks the promises it holds, the first thing re-planning
minimises (then cost).

A feasible route does no damage. Otherwise its earliest-start schedule (waiting allowed,
nothing skipped) is judged: every stop that starts after its window, every ride over its
limit and a route ending after the shift count as one broken promise each, and the seconds
by which they miss add up as the lateness. Comparing ``(broken, late_s, cost)`` tuples
ranks plans the way riders feel them: fewer broken promises first, then fewer minutes late.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from maas.domain import Location, Problem, Request, Stop, Vehicle
from maas.evaluation import TimedSequence, route_sequence, stop_location
from maas.travel import TravelTimeSource
from solver.insertion import sequence_cost


@dataclass(frozen=True, slots=True, order=True)
class Damage:
    """Broken promises of a route (or plan) and the seconds they miss by, in total."""

    broken: int = 0
    late_s: float = 0.0

    def __add__(self, other: Damage) -> Damage:
        return Damage(self.broken + other.broken, self.late_s + other.late_s)

    @property
    def none(self) -> bool:
        """Whether every promise is kept."""
        return self.broken == 0


NO_DAMAGE = Damage()


def sequence_damage(seq: TimedSequence) -> Damage:
    """The damage of the earliest-start schedule of ``seq`` (waiting allowed)."""
    e, late, s, t = seq.earliest, seq.latest, seq.service, seq.travel
    n = len(e)
    starts = [0.0] * n
    starts[0] = e[0]
    broken, total = 0, 0.0
    for i in range(1, n):
        arrival = starts[i - 1] + s[i - 1] + t[i - 1]
        starts[i] = arrival if arrival > e[i] else e[i]
    for i in range(n):
        over = starts[i] - late[i]
        if over > 0:
            broken += 1
            total += over
    for p, d, lim in seq.rides:
        over = starts[d] - starts[p] - s[p] - lim
        if over > 0:
            broken += 1
            total += over
    over = starts[-1] - starts[0] - seq.max_duration
    if over > 0:
        broken += 1
        total += over
    return Damage(broken, total)


class RouteJudge:
    """Damage and cost of orders of one van's stops, on travel times fetched once for the
    route's points (a local search tries many orders of the same points)."""

    def __init__(self, problem: Problem, vehicle: Vehicle, stops: Sequence[Stop],
                 travel: TravelTimeSource) -> None:
        self.problem, self.vehicle = problem, vehicle
        requests: Mapping[str, Request] = problem.requests
        self.requests = requests
        points: list[Location] = [vehicle.start_location]
        points += [stop_location(requests[st.request_id], st) for st in stops]
        points.append(vehicle.end_location)
        self.index = {(st.request_id, st.kind): k + 1 for k, st in enumerate(stops)}
        self.matrix = travel.durations(points, points).tolist()
        self.end = len(points) - 1

    def legs(self, stops: Sequence[Stop]) -> list[int]:
        """The n+1 legs of ``stops`` (any order of the judged route's stops)."""
        order = [0, *(self.index[(st.request_id, st.kind)] for st in stops), self.end]
        return [int(self.matrix[a][b]) for a, b in pairwise(order)]

    def judge(self, stops: Sequence[Stop]) -> tuple[Damage, float]:
        """``(damage, cost)`` of visiting ``stops`` in this order."""
        seq = route_sequence(self.vehicle, self.requests, stops, self.legs(stops))
        found = sequence_cost(self.problem, seq)
        if found is not None:
            return NO_DAMAGE, found[0]
        w = self.problem.weights
        return sequence_damage(seq), w.travel_time * sum(seq.travel)

"""The offer search: the rider's best insertion on the live plan, the estimate a confirmation
would plan, and the alternatives when the asked time cannot be served.

Pure functions of a planning problem, a plan and a travel source; the dispatcher calls them
with its padded travel times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from maas.domain import Plan, Problem, Request, TimeWindow
from maas.travel import TravelTimeSource
from solver.dispatch.offers import (
    arrival_deadline,
    desired_pickup,
    make_offer,
    promise_request,
    search_request,
)
from solver.dispatch.planning import no_show_reserve
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.state import Alternative, Offer, RideAsk
from solver.insertion import (
    Insertion,
    RiderObjective,
    RouteMemo,
    best_insertion,
    best_insertions,
)


def rider_objective(policy: DispatchPolicy, latest: bool) -> RiderObjective:
    """The policy's offer objective: soonest (``latest``: latest) pickup, bounded cost term."""
    return RiderObjective(latest=latest, cost_weight=policy.offer_cost_weight,
                          cost_bound=policy.offer_cost_bound_s)


def place(problem: Problem, plan: Plan, planned: Request, travel: TravelTimeSource,
          policy: DispatchPolicy, vehicle_id: str | None, memo: RouteMemo | None = None
          ) -> Insertion | None:
    """Where a confirmation puts a promise (``planned``: its no-show-reserved request):
    the soonest pickup within the promise on the offered van, else on any van."""
    objective = rider_objective(policy, latest=False)
    if vehicle_id is not None:
        ins = best_insertion(problem, plan, planned, travel, vehicles={vehicle_id},
                             cache=memo, objective=objective)
        if ins is not None:
            return ins
    return best_insertion(problem, plan, planned, travel, cache=memo, objective=objective)


def find_offer(problem: Problem, plan: Plan, ask: RideAsk, direct: int,
               travel: TravelTimeSource, policy: DispatchPolicy, area: str, version: int,
               memo: RouteMemo | None = None) -> Offer | None:
    """The offer for ``ask`` on ``plan``, or None if no van can take it.

    The search takes the rider's best insertion over every van; the promise then narrows
    the windows around it, and the offer's estimated times are those a confirmation on this
    same plan would schedule (``place``).
    """
    return find_offer_among(problem, plan, [(ask, direct)], travel, policy, area, version,
                            memo)


def find_offer_among(problem: Problem, plan: Plan, candidates: Sequence[tuple[RideAsk, int]],
                     travel: TravelTimeSource, policy: DispatchPolicy, area: str, version: int,
                     memo: RouteMemo | None = None) -> Offer | None:
    """The best offer over several variants of one ask (``(ask, direct)``: each pair of a
    pickup and a drop-off place a rider may be met at, with its direct time), or None.

    Every variant's best insertion is searched on the same travel rows
    (``best_insertions``); the winner is the rider's best: the soonest pickup (its walk is
    already in its earliest pickup), or for an appointment the latest time to leave home
    (the pickup less the walk to it), each with the operator's bounded cost term, then the
    shorter walk. The offer's ask is the winner's, so a confirmation plans exactly its
    places.
    """
    wait = policy.no_show_wait
    searches = [(ask, s) for ask, direct in candidates
                if (s := search_request(ask, policy, direct)) is not None]
    if not searches:
        return None
    latest = searches[0][0].arrive_before is not None
    objective = rider_objective(policy, latest=latest)
    found = best_insertions(problem, plan, [no_show_reserve(s, wait) for _, s in searches],
                            travel, cache=memo, objective=objective)
    ranked = [(ins.score + (ask.walk_to_s if latest else 0), _walk_m(ask), k, ins)
              for k, ((ask, _), ins) in enumerate(zip(searches, found, strict=True))
              if ins is not None]
    if not ranked:
        return None
    *_, k, ins = min(ranked, key=lambda r: (r[0], r[1], r[2]))
    ask, search = searches[k]
    promise = promise_request(search, ins.rider_pickup, policy, arrival_deadline(ask))
    planned = place(problem, plan, no_show_reserve(promise, wait), travel, policy,
                    ins.vehicle_id, memo)
    if planned is None:  # cannot happen when the promise contains the found schedule
        planned = ins
    return make_offer(ask, promise, planned.vehicle_id, area, version, policy,
                      (planned.pickup_time, planned.dropoff_time))


def _walk_m(ask: RideAsk) -> int:
    """Metres the rider walks on this variant (both ends)."""
    return sum(w.walk_m for w in (ask.pickup_walk, ask.dropoff_walk) if w is not None)


def _wide(problem: Problem, plan: Plan, ask: RideAsk, direct: int, travel: TravelTimeSource,
          policy: DispatchPolicy, pickup: TimeWindow, arrive_by: int | None, latest: bool,
          memo: RouteMemo | None = None) -> Insertion | None:
    """The soonest (``latest``: latest) pickup any van can make within ``pickup`` (and, for
    an appointment, arriving by ``arrive_by``), by one insertion search over the span."""
    if pickup.latest < pickup.earliest:
        return None
    probe = search_request(replace(ask, pickup_after=pickup.earliest, arrive_before=None),
                           policy, direct)
    if probe is None:
        return None
    drop_by = arrive_by if arrive_by is not None else \
        pickup.latest + probe.board + probe.max_ride
    wide = replace(probe, pickup=pickup, dropoff=TimeWindow(pickup.earliest, drop_by))
    objective = RiderObjective(latest=latest)
    return best_insertion(problem, plan, no_show_reserve(wide, policy.no_show_wait), travel,
                          cache=memo, objective=objective)


def alternatives(problem: Problem, plan: Plan, ask: RideAsk, direct: int,
                 travel: TravelTimeSource, policy: DispatchPolicy, hours: TimeWindow,
                 before: bool = True, after: bool = True, memo: RouteMemo | None = None
                 ) -> tuple[Alternative, ...]:
    """Up to ``policy.alternatives`` servable times before and after the asked one.

    Each is found by a search over the whole span left on that side (the soonest pickup
    after the last one found, or the latest before it), then confirmed as a real offer for
    the ask it suggests, so that asking again with it gets an offer on the same plan.
    For an appointment the alternatives are earlier arrivals (the latest departures that
    arrive before the asked time, or before the last one found). Results are at least
    ``policy.alternative_step`` apart.
    """
    count, gap, horizon = policy.alternatives, policy.alternative_step, \
        policy.alternative_horizon
    reserve = max(0, policy.no_show_wait - (ask.board if ask.board is not None else
                                            policy.board_seconds))
    out: list[Alternative] = []
    if ask.arrive_before is not None:
        if not before:
            return ()
        arrive = min(ask.arrive_before, hours.latest)
        floor = max(ask.now, hours.earliest, ask.arrive_before - horizon)
        for _ in range(count):
            ins = _wide(problem, plan, ask, direct, travel, policy,
                        TimeWindow(floor, arrive - direct), arrive, latest=True, memo=memo)
            if ins is None:
                break
            retry = replace(ask, arrive_before=ins.dropoff_time, pickup_after=None)
            found = find_offer(problem, plan, retry, direct, travel, policy, "", 0, memo)
            if found is not None:
                out.append(Alternative(found.planned_pickup, found.planned_dropoff,
                                       arrive_before=ins.dropoff_time))
            arrive = min(ins.dropoff_time, (found.planned_dropoff if found else arrive)) - gap
        return tuple(out)
    asked = max(desired_pickup(ask), hours.earliest)
    if after:
        t = asked + (0 if desired_pickup(ask) < hours.earliest else 1)
        end = min(asked + horizon, hours.latest)
        later: list[Alternative] = []
        while len(later) < count and t <= end:
            ins = _wide(problem, plan, ask, direct, travel, policy, TimeWindow(t, end), None,
                        latest=False, memo=memo)
            if ins is None:
                break
            again = max(ask.now, ins.rider_pickup - reserve)
            found = find_offer(problem, plan, replace(ask, pickup_after=again), direct, travel,
                               policy, "", 0, memo)
            if found is not None and (not later or found.planned_pickup
                                      >= later[-1].pickup + gap):
                later.append(Alternative(found.planned_pickup, found.planned_dropoff,
                                         pickup_after=again))
            t = max(ins.rider_pickup, found.planned_pickup if found else 0) + gap
        out += later
    if before:
        t = min(desired_pickup(ask), hours.latest) - 1
        floor = max(ask.now, hours.earliest, t - horizon)
        earlier: list[Alternative] = []
        while len(earlier) < count and t >= floor:
            ins = _wide(problem, plan, ask, direct, travel, policy, TimeWindow(floor, t), None,
                        latest=True, memo=memo)
            if ins is None:
                break
            again = max(ask.now, ins.rider_pickup - reserve)
            found = find_offer(problem, plan, replace(ask, pickup_after=again), direct, travel,
                               policy, "", 0, memo)
            bound = earlier[-1].pickup - gap if earlier else desired_pickup(ask) - 1
            if found is not None and found.planned_pickup <= bound:
                earlier.append(Alternative(found.planned_pickup, found.planned_dropoff,
                                           pickup_after=again))
            t = min(ins.rider_pickup, found.planned_pickup if found else t) - gap
        out = sorted(earlier, key=lambda a: a.pickup) + out
    return tuple(out)


def offer_alternatives(problem: Problem, plan: Plan, ask: RideAsk, offer: Offer, direct: int,
                       travel: TravelTimeSource, policy: DispatchPolicy, hours: TimeWindow,
                       memo: RouteMemo | None = None) -> tuple[Alternative, ...]:
    """Other servable times beside an accepted ``offer``, for a rider weighing it: up to
    ``policy.alternatives`` earlier than the asked time and as many later than the offered
    pickup (at least ``alternative_step`` after it); for an appointment, earlier arrivals
    than the offered drop-off. Same search as a rejection's alternatives."""
    gap = policy.alternative_step
    if ask.arrive_before is not None:
        earlier = replace(ask, arrive_before=offer.planned_dropoff - gap)
        return alternatives(problem, plan, earlier, direct, travel, policy, hours, after=False,
                            memo=memo)
    before: tuple[Alternative, ...] = ()
    if ask.pickup_after is not None and desired_pickup(ask) > ask.now:
        before = alternatives(problem, plan, ask, direct, travel, policy, hours, after=False,
                              memo=memo)
    later = replace(ask, pickup_after=offer.planned_pickup + gap)
    after = alternatives(problem, plan, later, direct, travel, policy, hours, before=False,
                         memo=memo)
    return before + after

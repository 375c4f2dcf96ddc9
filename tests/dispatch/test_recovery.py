"""Plans that recover: least promise damage first, a late van's own stops re-ordered,
promises at risk and recovered reported once, silent vans, stale reports, neighbourhoods,
re-optimisation from a broken plan and its rebase on a state that moved on."""

from __future__ import annotations

import random
from dataclasses import replace

from maas.domain import Plan, Request, Route, Stop, StopKind, TimeWindow
from solver.dispatch import (
    Booking,
    Dispatcher,
    DispatchState,
    Offer,
    Rejection,
    RideAsk,
    rebase,
    rebase_reoptimised,
)
from solver.dispatch import events as ev
from solver.dispatch import outcomes as oc
from solver.dispatch.planning import changed_vehicles, planning_problem
from solver.dispatch.rebase import Refusal, groups
from solver.dispatch.reoptimise import plan_damage, reoptimise, vans_for_round
from solver.dispatch.repair import route_damage
from tests.dispatch.plane import HOUR, POLICY, TRAVEL, at, book, report, start, van

P, D = StopKind.PICKUP, StopKind.DROPOFF
T0 = 8 * HOUR


def _booking(bid: str, origin: tuple[int, int], dest: tuple[int, int], window: tuple[int, int],
             vid: str) -> Booking:
    o, d = at(*origin), at(*dest)
    lo, hi = T0 + window[0] * 60, T0 + window[1] * 60
    req = Request(bid, o, d, TimeWindow(lo, hi), TimeWindow(lo, hi + 3600), 3000, 1, 0, 60, 60)
    return Booking(bid, None, req, vid, confirmed_at=T0 - 600)


def _two_riders_west_first() -> tuple[DispatchState, Booking, Booking]:
    """One van whose plan serves a rider where it stands, then a west rider before an east
    one."""
    near = _booking("near", (9000, 100), (9200, 100), (0, 20), "v0")
    west = _booking("west", (-3000, 0), (-3500, 0), (10, 20), "v0")
    east = _booking("east", (3000, 0), (3500, 0), (15, 25), "v0")
    route = Route("v0", (Stop("near", P), Stop("near", D), Stop("west", P), Stop("west", D),
                         Stop("east", P), Stop("east", D)))
    state = DispatchState(area="plane", vehicles=(van("v0"),), plan=Plan((route,)),
                          bookings={"near": near, "west": west, "east": east}, now=T0)
    return state, west, east


def test_late_van_reorders_its_own_stops_to_break_fewer_promises() -> None:
    """Far east and late, the van (on its way to the rider where it stands, a locked stop)
    serves the east rider before the west one: one broken promise, not two, reported once
    with the new estimate."""
    disp, _ = start(vans=1)
    state, west, _ = _two_riders_west_first()
    moved, outcomes = disp.apply(state, ev.VehicleMoved("v0", at(9000, 0), T0 + 300))
    order = [(s.request_id, s.kind) for s in moved.plan.route("v0").stops]
    assert order.index(("east", P)) < order.index(("west", P))
    risks = [o for o in outcomes if isinstance(o, oc.PromiseAtRisk)]
    assert [r.booking_id for r in risks] == ["west"]
    assert risks[0].pickup_estimate is not None
    assert risks[0].pickup_estimate > west.request.pickup.latest
    problem = planning_problem(moved, disp.policy, moved.now)
    kept, _ = route_damage(problem, moved.plan, "v0", disp.travel)
    old, _ = route_damage(problem, state.plan, "v0", disp.travel)
    assert kept < old and kept.broken == 1


def test_a_promise_that_recovers_is_reported_as_recovered() -> None:
    """A van that looked late and then reports being close again clears the alert."""
    disp, state = start(vans=1)
    now = state.now
    state, offer = book(disp, state, RideAsk(at(3000, 0), at(3000, 6000), pickup_after=now,
                                             now=now), "b1")
    late = offer.pickup.latest - 600
    state, outcomes = disp.apply(state, ev.VehicleMoved("v0", at(-30_000, 0), late))
    assert "b1" in state.at_risk
    state, outcomes = disp.apply(state, ev.VehicleMoved("v0", at(2900, 0), late + 10))
    recovered = [o for o in outcomes if isinstance(o, oc.PromiseRecovered)]
    assert [r.booking_id for r in recovered] == ["b1"]
    assert recovered[0].pickup_estimate is not None
    assert offer.pickup.contains(recovered[0].pickup_estimate)
    assert "b1" not in state.at_risk
    state, outcomes = disp.apply(state, ev.VehicleMoved("v0", at(2950, 0), late + 20))
    assert not [o for o in outcomes if isinstance(o, oc.PromiseRecovered | oc.PromiseAtRisk)]


def test_silent_van_is_reported_once_and_judged_from_the_elapsed_time() -> None:
    """A van with stops that stops reporting is named silent once; its promises are judged
    as if it had not moved since, so a window passing raises the alert; a report clears it."""
    policy = replace(POLICY, vehicle_silent_s=180)
    disp, state = start(vans=1, policy=policy)
    now = state.now
    state, offer = book(disp, state, RideAsk(at(3000, 0), at(3000, 6000), pickup_after=now,
                                             now=now), "b1")
    state, _ = disp.apply(state, ev.VehicleMoved("v0", at(100, 0), now + 60))
    quiet, outcomes = disp.apply(state, ev.Tick(offer.pickup.earliest))
    assert not [o for o in outcomes if isinstance(o, oc.VehicleSilent)]  # not overdue yet
    late = offer.pickup.latest + 600
    quiet, outcomes = disp.apply(quiet, ev.Tick(late))
    silent = [o for o in outcomes if isinstance(o, oc.VehicleSilent)]
    assert [s.vehicle_id for s in silent] == ["v0"] and silent[0].last_report_at == now + 60
    assert "b1" in quiet.at_risk
    assert any(isinstance(o, oc.PromiseAtRisk) and o.booking_id == "b1" for o in outcomes)
    again, outcomes = disp.apply(quiet, ev.Tick(late + 60))
    assert not [o for o in outcomes if isinstance(o, oc.VehicleSilent)]
    back, _ = disp.apply(again, ev.VehicleMoved("v0", at(2000, 0), late + 90))
    assert "v0" not in back.silent


def test_out_of_order_position_report_is_ignored() -> None:
    """A position older than the van's last report changes nothing."""
    disp, state = start(vans=1)
    now = state.now
    state, _ = book(disp, state, RideAsk(at(3000, 0), at(3000, 6000), pickup_after=now,
                                         now=now), "b1")
    state, _ = disp.apply(state, ev.VehicleMoved("v0", at(500, 0), now + 200))
    stale, outcomes = disp.apply(state, ev.VehicleMoved("v0", at(-30_000, 0), now + 100))
    assert stale is state and outcomes == []


def _clusters(vans_per_side: int = 4) -> tuple[DispatchState, dict[str, str]]:
    """Vans in a west and an east cluster, each with one rider near it."""
    vans, bookings, routes, side = [], {}, [], {}
    for k in range(2 * vans_per_side):
        x = -20_000 if k < vans_per_side else 20_000
        vid = f"v{k}"
        side[vid] = "west" if x < 0 else "east"
        vans.append(van(vid, depot=at(x, 0)))
        b = _booking(f"b{k}", (x + 100 * k, 500), (x + 100 * k, 2500), (20, 30), vid)
        bookings[b.id] = b
        routes.append(Route(vid, (Stop(b.id, P), Stop(b.id, D))))
    state = DispatchState(area="plane", vehicles=tuple(vans), plan=Plan(tuple(routes)),
                          bookings=bookings, now=T0)
    return state, side


def test_neighbourhoods_follow_overlap_and_vary_between_rounds() -> None:
    """Each round's vans lie in one cluster; seeds change from round to round."""
    state, side = _clusters()
    problem = planning_problem(state, POLICY, state.now)
    groups = [vans_for_round(problem, r, 3, state.plan, TRAVEL) for r in range(8)]
    for g in groups:
        assert len(g) == 3 and len({side[v] for v in g}) == 1, g
    assert len({frozenset(g) for g in groups}) >= 3
    assert len({g[0] for g in groups}) >= 3


def test_small_fleet_is_reoptimised_whole() -> None:
    """Up to the policy's whole-fleet size, every van is in every round."""
    state, _ = _clusters(vans_per_side=3)
    problem = planning_problem(state, POLICY, state.now)
    assert len(vans_for_round(problem, 0, 3, state.plan, TRAVEL, whole_fleet=6)) == 6
    assert len(vans_for_round(problem, 0, 3, state.plan, TRAVEL, whole_fleet=4)) == 3


def test_reoptimisation_starts_from_a_plan_that_breaks_promises() -> None:
    """A plan already breaking promises is re-optimised to one that breaks fewer."""
    disp, _ = start(vans=1)
    state, _, _ = _two_riders_west_first()
    late = replace(state, vehicles=(replace(van("v0"), position=at(9000, 0),
                                            available_at=T0 + 300),), now=T0 + 300)
    problem = planning_problem(late, disp.policy, late.now)
    result = reoptimise(problem, late.plan, disp.travel, disp.policy)
    assert result.improved
    assert result.damage_after < result.damage_before
    assert plan_damage(problem, result.plan, disp.travel)[0] == result.damage_after


def _needs_reoptimising() -> tuple[Dispatcher, DispatchState]:
    """Three vans booked greedily, one rider at a time: re-optimisation finds a cheaper plan."""
    rng = random.Random(5)
    disp, state = start(vans=3)
    now = state.now
    for i in range(12):
        ask = RideAsk(at(rng.uniform(-4000, 4000), rng.uniform(-4000, 4000)),
                      at(rng.uniform(-4000, 4000), rng.uniform(-4000, 4000)),
                      pickup_after=now + 600 + 300 * i, now=now)
        offer = disp.offer(state, ask)
        if isinstance(offer, Offer):
            state, _ = disp.apply(state, ev.ConfirmOffer(offer, f"b{i}", now))
    disp.policy = replace(POLICY, reoptimise_every_bookings=1, reoptimise_time_limit_s=2.0)
    return disp, state


def test_reoptimised_plan_is_rebased_on_a_state_that_moved_on() -> None:
    """A position report written meanwhile does not throw the re-optimisation away: its
    routes are re-checked on the current state and committed, and the round is counted."""
    disp, base = _needs_reoptimising()
    result, outcomes = disp.apply(base, ev.Tick(base.now))
    assert any(isinstance(o, oc.Reoptimised) and o.improved for o in outcomes)
    assert result.committed_rounds == base.committed_rounds + 1
    vid = base.vehicles[0].id
    current, _ = disp.apply(base, ev.VehicleMoved(vid, base.vehicles[0].start_location,
                                                  base.now + 5))
    assert current.version > base.version
    rebased = rebase_reoptimised(base, result, current, disp)
    assert rebased is not None
    assert rebased.version == current.version + 1
    assert rebased.committed_rounds == current.committed_rounds + 1
    assert rebased.vehicle(vid) == current.vehicle(vid)
    for r in result.plan.routes:
        assert [(s.request_id, s.kind) for s in rebased.plan.route(r.vehicle_id).stops] == \
            [(s.request_id, s.kind) for s in r.stops]
    assert report(disp, rebased).feasible


def test_rebase_carries_routes_without_a_ride_cancelled_meanwhile() -> None:
    """A cancellation on a van the re-optimisation changed does not throw the round away:
    the new routes are carried without the cancelled rider's stops."""
    disp, base = _needs_reoptimising()
    result, _ = disp.apply(base, ev.Tick(base.now))
    changed = [r.vehicle_id for r in result.plan.routes
               if r.stops != base.plan.route(r.vehicle_id).stops]
    assert changed
    victim = next(s.request_id for s in base.plan.route(changed[0]).stops)
    current, _ = disp.apply(base, ev.CancelBooking(victim, base.now + 5))
    found = rebase(base, result, current, disp)
    if found is not None:  # carried (or judged no better on the state of now: refused)
        new = found[0]
        assert victim not in {s.request_id for r in new.plan.routes for s in r.stops}
        assert report(disp, new).feasible


def test_rebase_never_serves_a_rider_who_changed_vans_meanwhile_twice() -> None:
    """A rider of a changed van moved to another van meanwhile. If both vans were changed
    together (one group), that group keeps its routes of now; otherwise the group is
    carried without the rider. Either way the rider is served once, by the van of now."""
    disp, base = _needs_reoptimising()
    result, _ = disp.apply(base, ev.Tick(base.now))
    changed = [r.vehicle_id for r in result.plan.routes
               if r.stops != base.plan.route(r.vehicle_id).stops]
    assert changed
    rid = next(s.request_id for s in base.plan.route(changed[0]).stops if not s.locked)
    other = next(r.vehicle_id for r in base.plan.routes if r.vehicle_id != changed[0])
    moved_stops = tuple(s for s in base.plan.route(changed[0]).stops if s.request_id == rid)
    plan = Plan(tuple(
        Route(r.vehicle_id, tuple(s for s in r.stops if s.request_id != rid))
        if r.vehicle_id == changed[0] else
        Route(r.vehicle_id, r.stops + moved_stops) if r.vehicle_id == other else r
        for r in base.plan.routes), base.plan.unserved)
    current = replace(base, plan=plan, version=base.version + 1)
    found = rebase(base, result, current, disp)
    if found is None:
        return
    new, out = found
    moved = {v for o in out if isinstance(o, oc.PlanChanged) for v in o.vehicle_ids}
    together = next(g for g in groups(base.plan, result.plan, changed) if changed[0] in g)
    if other in together:
        assert not moved & set(together)
    visits = [(r.vehicle_id, s.kind) for r in new.plan.routes for s in r.stops
              if s.request_id == rid]
    assert sorted(k.value for _, k in visits) == ["dropoff", "pickup"]
    assert {v for v, _ in visits} == {other}


def test_rebase_keeps_a_stop_the_van_set_off_for_meanwhile_first() -> None:
    """A van of the round set off for a stop meanwhile (locked) that the new route does not
    put first: the route is carried with that stop first, the rest in the round's order,
    or refused with a reason; never with the van turned away from where it drives."""
    disp, base = _needs_reoptimising()
    result, _ = disp.apply(base, ev.Tick(base.now))
    changed = [r.vehicle_id for r in result.plan.routes
               if r.stops != base.plan.route(r.vehicle_id).stops]
    vid = next(v for v in changed if len(result.plan.route(v).stops) >= 2)
    new_route = result.plan.route(vid)
    target = next(s for s in new_route.stops[1:] if s.kind is StopKind.PICKUP
                  and s.request_id in {x.request_id for x in base.plan.route(vid).stops})
    # Now the van drives to ``target`` (locked at the head of its route of now).
    now_route = Route(vid, (Stop(target.request_id, target.kind, locked=True),
                            *(s for s in base.plan.route(vid).stops if s != target)))
    current = replace(base, version=base.version + 1, plan=Plan(tuple(
        now_route if r.vehicle_id == vid else r for r in base.plan.routes), base.plan.unserved))
    refusals: list[Refusal] = []
    found = rebase(base, result, current, disp, refusals)
    if found is None or vid not in {v for o in found[1] if isinstance(o, oc.PlanChanged)
                                    for v in o.vehicle_ids}:
        assert refusals, "a group not carried says why"
        return
    carried = found[0].plan.route(vid).stops
    assert (carried[0].request_id, carried[0].kind, carried[0].locked) == \
        (target.request_id, target.kind, True)
    # The re-check after carrying may still repair (move a rider to another van), so the
    # rest is the round's order of the stops left on this van.
    order = [(s.request_id, s.kind) for s in new_route.stops if s != target]
    left = [(s.request_id, s.kind) for s in carried[1:]]
    assert left == [k for k in order if k in set(left)]
    judged = planning_problem(current, disp.policy, current.now)
    assert plan_damage(judged, found[0].plan, disp.travel) < \
        plan_damage(judged, current.plan, disp.travel)


def test_a_late_van_still_takes_a_rider_who_makes_nobody_later() -> None:
    """The only van is late for one rider (a promise at risk). A rider wanting a ride after
    that van's route gets an offer on it and can book it; a rider who would make the late
    rider later still is refused; the late rider's estimate is no later after booking."""
    disp, state = start(vans=1)
    now = state.now
    state, _ = book(disp, state, RideAsk(at(3000, 0), at(3000, 6000), pickup_after=now,
                                         now=now), "late")
    state, _ = disp.apply(state, ev.VehicleMoved("v0", at(-30_000, 0), now + 300))
    assert "late" in state.at_risk
    before = report(disp, state)
    late_pickup = next(s.start for s in before.schedules["v0"] if s.stop.request_id == "late")
    # After the late rider's trip: the van is free again two hours on.
    ask = RideAsk(at(3000, 6000), at(0, 0), pickup_after=now + 2 * HOUR, now=now + 300)
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer), offer
    booked, outcomes = disp.apply(state, ev.ConfirmOffer(offer, "after", now + 300))
    assert any(isinstance(o, oc.BookingConfirmed) for o in outcomes), outcomes
    after = report(disp, booked)
    assert next(s.start for s in after.schedules["v0"]
                if s.stop.request_id == "late") <= late_pickup
    # Before the late pickup, far away on the other side: only by making it later still.
    detour = RideAsk(at(-29_000, 0), at(-29_000, 3000), now=now + 300)
    assert isinstance(disp.offer(state, detour), Rejection)


def _moved_rider(base: DispatchState, result: DispatchState) -> tuple[str, str, str]:
    """A rider the round moved to another van: (booking, van of base, van of the round)."""
    where = {s.request_id: r.vehicle_id for r in base.plan.routes for s in r.stops}
    return next((s.request_id, where[s.request_id], r.vehicle_id) for r in result.plan.routes
                for s in r.stops if s.kind is P and where.get(s.request_id) not in
                (None, r.vehicle_id))


def _carried_with_rider_on(found: tuple[DispatchState, list[oc.Outcome]] | None,
                           disp: Dispatcher, current: DispatchState, rid: str,
                           vans: tuple[str, str], on: str | None) -> DispatchState:
    assert found is not None
    new, out = found
    moved = {v for o in out if isinstance(o, oc.PlanChanged) for v in o.vehicle_ids}
    assert set(vans) <= moved, moved
    visits = [(r.vehicle_id, s.kind) for r in new.plan.routes for s in r.stops
              if s.request_id == rid]
    assert len({k for _, k in visits}) == len(visits)  # each stop once, on one van
    assert len({v for v, _ in visits}) == 1 and (on is None or visits[0][0] == on)
    # No promise broken that the state of now keeps (the pickup reported early may break one).
    def broken(state: DispatchState) -> set[tuple[str, str]]:
        return {(v.kind, v.subject) for v in report(disp, state).violations}
    assert broken(new) <= broken(current)
    return new


def test_rebase_gives_a_rider_picked_up_meanwhile_back_to_their_van() -> None:
    """The round gave a rider to another van, and meanwhile the van of before picked them
    up: the group is carried with the rider's drop-off on the van they sit in (at its
    cheapest place), not thrown away (``onboard_elsewhere``)."""
    disp, base = _needs_reoptimising()
    result, _ = disp.apply(base, ev.Tick(base.now))
    rid, was, to = _moved_rider(base, result)
    current, _ = disp.apply(base, ev.StopReported(was, rid, P, "picked_up", base.now + 5))
    assert rid in (current.vehicle(was) or van(was)).onboard
    refusals: list[Refusal] = []
    new = _carried_with_rider_on(rebase(base, result, current, disp, refusals), disp,
                                 current, rid, (was, to), was)
    assert Refusal.ONBOARD_ELSEWHERE not in refusals
    assert [s.kind for r in new.plan.routes for s in r.stops if s.request_id == rid] == [D]


def test_rebase_gives_a_stop_set_off_for_meanwhile_back_to_its_van() -> None:
    """The round gave a rider to another van, and meanwhile the van of before set off for
    their pickup (locked): the group is carried with that pickup first on the van of
    before, not thrown away (``locked_stop_elsewhere``); the re-check after it may still
    hand the late rider to a van that makes their window (``solver.dispatch.repair``)."""
    disp, base = _needs_reoptimising()
    result, _ = disp.apply(base, ev.Tick(base.now))
    rid, was, to = _moved_rider(base, result)
    route = base.plan.route(was)
    driving = Route(was, (Stop(rid, P, locked=True),
                          *(s for s in route.stops if (s.request_id, s.kind) != (rid, P))))
    current = replace(base, version=base.version + 1, plan=Plan(tuple(
        driving if r.vehicle_id == was else r for r in base.plan.routes), base.plan.unserved))
    refusals: list[Refusal] = []
    found = rebase(base, result, current, disp, refusals)
    assert Refusal.LOCKED_STOP_ELSEWHERE not in refusals
    new = _carried_with_rider_on(found, disp, current, rid, (was, to), None)
    assert found is not None and found[1][0] == oc.PlanChanged(
        tuple(v for v in changed_vehicles(base.plan, result.plan)))
    if len([o for o in found[1] if isinstance(o, oc.PlanChanged)]) == 1:  # no repair after
        assert new.plan.route(was).stops[0] == Stop(rid, P, locked=True)

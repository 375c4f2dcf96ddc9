"""Offers at meeting points: the dispatcher picks among a rider's candidate places, counts the
walk in the pickup, and a confirmation plans exactly the place offered."""

from __future__ import annotations

from dataclasses import replace

from maas.domain import StopKind
from maas.meeting import Walk
from solver.dispatch import Dispatcher, DispatchState, Offer, RideAsk
from solver.dispatch import events as ev
from solver.dispatch.planning import planning_problem
from solver.dispatch.search import search_request
from solver.insertion import RiderObjective, best_insertion, best_insertions
from tests.dispatch.plane import HOUR, POLICY, TRAVEL, at, book, report, start, van


def walk(x: float, y: float, metres: int, seconds: int, pid: str) -> Walk:
    return Walk(at(x, y), metres, seconds, pid, f"point {pid}")


def far_depot() -> tuple[Dispatcher, DispatchState]:
    """One van waiting at (10 km, 0)."""
    return Dispatcher(TRAVEL, POLICY), DispatchState.empty(
        "plane", [van("v0", depot=at(10_000, 0))], 8 * HOUR)


def test_offer_picks_the_point_with_the_soonest_pickup_and_says_the_walk() -> None:
    """Of two points, the one the van reaches sooner wins although its walk is longer; the
    offer names it and its walk, and the pickup is not before the rider can be there."""
    disp, state = far_depot()
    near = walk(4_900, 0, 100, 100, "near")  # 5.1 km from the van
    ahead = walk(5_250, 0, 250, 250, "ahead")  # 4.75 km from the van: reached sooner
    ask = RideAsk(at(5_000, 0), at(5_000, 3_000), now=state.now, origin_walks=(near, ahead))
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer), offer
    assert offer.pickup_point == ahead
    assert offer.ask.origin == ahead.location
    assert offer.dropoff_point == Walk(at(5_000, 3_000))  # no points there: the door
    assert offer.planned_pickup >= state.now + ahead.walk_s
    # Each candidate alone: the chosen one has the sooner planned pickup.
    alone = {w.point_id: disp.offer(state, replace(ask, origin_walks=(w,))) for w in (near, ahead)}
    assert all(isinstance(o, Offer) for o in alone.values())
    assert alone["ahead"].planned_pickup < alone["near"].planned_pickup  # type: ignore[union-attr]


def test_walk_time_delays_the_pickup() -> None:
    """A rider who walks five minutes to the point is picked up no sooner than that, even
    when the van could be there at once."""
    disp, state = start()
    point = walk(200, 0, 300, 300, "p")
    offer = disp.offer(state, RideAsk(at(500, 0), at(4_000, 0), now=state.now,
                                      origin_walks=(point,)))
    assert isinstance(offer, Offer)
    assert offer.planned_pickup >= state.now + 300
    assert offer.pickup.latest >= state.now + 300


def test_equal_pickups_prefer_the_shorter_walk() -> None:
    """When two places give the same pickup and cost, the shorter walk wins (listed second,
    so the order given does not decide)."""
    disp, state = start()
    # One stop seen from two sides (a footbridge): same place, same walking time.
    long_ = walk(300, 0, 250, 200, "long")
    short = walk(300, 0, 120, 200, "short")
    offer = disp.offer(state, RideAsk(at(400, 0), at(4_000, 0), now=state.now,
                                      origin_walks=(long_, short)))
    assert isinstance(offer, Offer)
    assert offer.pickup_point == short


def test_appointment_counts_the_walk_from_the_dropoff_point() -> None:
    """For an appointment the van sets the rider down early enough to walk there."""
    disp, state = start()
    stop = walk(4_000, 200, 150, 190, "clinic-stop")
    arrive = 9 * HOUR
    offer = disp.offer(state, RideAsk(at(500, 0), at(4_000, 0), arrive_before=arrive,
                                      now=state.now, destination_walks=(stop,)))
    assert isinstance(offer, Offer)
    assert offer.dropoff_point == stop
    assert offer.dropoff_by <= arrive - stop.walk_s
    assert offer.planned_dropoff <= arrive - stop.walk_s


def test_confirmation_plans_exactly_the_offered_point() -> None:
    """The booking's pickup and drop-off are the offered places, and the van's route stops
    there."""
    disp, state = start()
    a, b = walk(900, 0, 100, 100, "a"), walk(1_300, 0, 300, 300, "b")
    c = walk(4_000, 100, 100, 100, "c")
    ask = RideAsk(at(1_000, 0), at(4_000, 0), now=state.now, origin_walks=(a, b),
                  destination_walks=(c,))
    state, offer = book(disp, state, ask, "b1")
    request = state.bookings["b1"].request
    assert offer.pickup_point is not None and offer.dropoff_point == c
    assert request.origin == offer.pickup_point.location
    assert request.destination == c.location
    problem = planning_problem(state, disp.policy, None)
    stops = [s for r in state.plan.routes for s in r.stops if s.request_id == "b1"]
    assert {s.kind for s in stops} == {StopKind.PICKUP, StopKind.DROPOFF}
    assert problem.requests["b1"].origin == offer.pickup_point.location
    assert report(disp, state).feasible


def test_candidates_outside_the_area_are_left_out() -> None:
    """A meeting point outside the service area is never offered."""
    policy = replace(POLICY, service_area=(-5_000.0, -5_000.0, 5_000.0, 5_000.0))
    disp, state = start(policy=policy)
    outside = walk(5_100, 0, 150, 150, "outside")
    inside = walk(4_800, 0, 150, 150, "inside")
    offer = disp.offer(state, RideAsk(at(4_950, 0), at(0, 1_000), now=state.now,
                                      origin_walks=(outside, inside)))
    assert isinstance(offer, Offer)
    assert offer.pickup_point == inside


def test_prebooked_ride_is_planned_at_its_nearest_points() -> None:
    """The batch plans each ride at its nearest meeting points (it does not choose)."""
    disp, state = start()
    near, far = walk(900, 0, 100, 100, "near"), walk(1_250, 0, 250, 250, "far")
    ask = RideAsk(at(1_000, 0), at(4_000, 0), pickup_after=9 * HOUR,
                  origin_walks=(far, near))
    state, _ = disp.apply(state, ev.PrebookBatch(asks=(ask,), now=state.now,
                                                    booking_ids=("pb1",)))
    assert state.bookings["pb1"].request.origin == near.location
    assert state.bookings["pb1"].request.pickup.earliest >= 9 * HOUR + near.walk_s


def test_same_point_at_both_ends_falls_back_to_the_door() -> None:
    """A ride whose only points coincide (both ends walk to one stop) is served door to
    door rather than from the point to itself."""
    disp, state = start()
    shared = walk(2_000, 0, 200, 200, "s")
    offer = disp.offer(state, RideAsk(at(1_900, 0), at(2_100, 0), now=state.now,
                                      origin_walks=(shared,), destination_walks=(shared,)))
    assert isinstance(offer, Offer)
    assert offer.pickup_point is None and offer.ask.origin == at(1_900, 0)


def test_variants_share_rows_and_match_single_searches() -> None:
    """``best_insertions`` over several variants finds what ``best_insertion`` finds for each
    alone (sharing travel rows changes no result)."""
    disp, state = start(vans=2)
    for k, (x0, x1) in enumerate([(500, 3_000), (2_000, 6_000), (-1_000, 2_500)]):
        state, _ = book(disp, state, RideAsk(at(x0, 100), at(x1, 0), now=state.now), f"b{k}")
    problem = planning_problem(state, disp.policy, state.now)
    asks = [RideAsk(at(x, 300), at(5_000, 500), now=state.now) for x in (800, 1_500, 2_500)]
    requests = [search_request(a, disp.policy, int(disp.travel.durations(
        [a.origin], [a.destination])[0, 0])) for a in asks]
    objective = RiderObjective(cost_weight=0.25, cost_bound=300)
    together = best_insertions(problem, state.plan, [r for r in requests if r], disp.travel,
                               objective=objective)
    alone = [best_insertion(problem, state.plan, r, disp.travel, objective=objective)
             for r in requests if r]
    assert together == alone
    assert any(t is not None for t in together)


def test_alternatives_beside_an_offer_are_at_its_points() -> None:
    """Times offered beside an accepted offer are those of the places it chose: asking
    again with one gets an offer there."""
    disp, state = start()
    a, b = walk(900, 0, 100, 100, "a"), walk(1_300, 0, 300, 300, "b")
    ask = RideAsk(at(1_000, 0), at(4_000, 0), pickup_after=9 * HOUR, now=state.now,
                  origin_walks=(a, b))
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer)
    alts = disp.offer_alternatives(state, ask, offer)
    assert alts
    later = next(x for x in alts if x.pickup_after is not None and x.pickup > offer.planned_pickup)
    again = disp.offer(state, replace(ask, pickup_after=later.pickup_after))
    assert isinstance(again, Offer) and again.pickup_point is not None

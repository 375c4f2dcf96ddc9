"""A reproducible day through the dispatcher: scripted asks (immediate and prebooked),
cancellations and no-shows, parcels (some with nobody home), vans that drive exactly to
plan, and the evaluator's verdict on every plan the day produces. Used by ``maas bench
dispatch``, its benchmark and the property tests; the simulator of ``scenarios`` is the
realistic (noisy) counterpart."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from maas.domain import Location, StopKind
from maas.evaluation import PlanReport, evaluate
from solver.dispatch import events as ev
from solver.dispatch.dispatcher import Dispatcher
from solver.dispatch.planning import no_show_deadline, planning_problem
from solver.dispatch.state import BookingStatus, DispatchState, Offer, ParcelAsk, RideAsk

# Evaluator findings that break a promise or a hard rule of the vans.
PROMISE_KINDS = frozenset({"pickup_window", "dropoff_window", "ride_time", "seats",
                           "wheelchairs", "onboard", "precedence", "lock", "unknown_request"})


@dataclass(frozen=True, slots=True)
class ScriptedAsk:
    """One rider of the day: when they ask, what, and what they will do later."""

    id: str
    asked_at: int
    ask: RideAsk
    prebooked: bool = False
    cancel_after: int | None = None  # seconds after confirmation; None = rides
    no_show: bool = False


@dataclass(frozen=True, slots=True)
class ScriptedParcel:
    """One parcel of the day: when it is handed in, what, and whether anybody is home."""

    id: str
    asked_at: int
    ask: ParcelAsk
    nobody_home: bool = False


def scripted_day(
    places: Sequence[Location], requests: int, seed: int, day_start: int, day_end: int,
    prebooked_share: float = 0.3, cancel_share: float = 0.05, no_show_share: float = 0.03,
    arrive_by_share: float = 0.15, min_trip_s: int = 0,
) -> list[ScriptedAsk]:
    """A seeded day of ``requests`` riders between ``places`` (same inputs, same day)."""
    rng = random.Random(seed)
    out: list[ScriptedAsk] = []
    last_ask = day_end - 3600
    for i in range(requests):
        o, d = rng.sample(range(len(places)), 2)
        wanted = rng.randint(day_start + 900, last_ask)
        prebooked = rng.random() < prebooked_share
        asked = day_start - 3600 if prebooked else max(day_start, wanted - rng.randint(0, 3600))
        arrive_by = rng.random() < arrive_by_share
        asap = not prebooked and not arrive_by and rng.random() < 0.4
        ask = RideAsk(
            origin=places[o], destination=places[d],
            passengers=1 if rng.random() < 0.85 else 2,
            wheelchairs=1 if rng.random() < 0.04 else 0,
            pickup_after=None if (asap or arrive_by) else wanted,
            arrive_before=wanted + 1800 if arrive_by else None,
            now=asked, rider_id=f"r{i}",
        )
        cancel = rng.randint(60, 1800) if rng.random() < cancel_share else None
        out.append(ScriptedAsk(f"b{i}", asked, ask, prebooked, cancel,
                               rng.random() < no_show_share))
    return sorted(out, key=lambda s: (s.asked_at, s.id))


@dataclass
class DayResult:
    """What the day gave: counts, offer latencies (ms) and the evaluator's findings."""

    requests: int = 0
    accepted: int = 0
    rejected: int = 0
    cancelled: int = 0
    no_shows: int = 0
    completed: int = 0
    promise_violations: int = 0
    plans_checked: int = 0
    promise_at_risk: int = 0
    confirm_failures: int = 0  # offers refused when confirmed at once on the same state
    vehicle_seconds: int = 0
    offer_ms: list[float] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


Check = Callable[[DispatchState, PlanReport], None]


class DayRun:
    """Drives one scripted day through a dispatcher, event by event in time order."""

    def __init__(self, disp: Dispatcher, state: DispatchState, tick_s: int = 60,
                 check: Check | None = None) -> None:
        self.disp = disp
        self.state = state
        self.tick_s = tick_s
        self.check = check
        self.result = DayResult()
        self._no_show: set[str] = set()
        self._nobody_home: set[str] = set()
        self._first_move: dict[str, tuple[int, Location]] = {}
        self._last_move: dict[str, int] = {}

    # -------------------------------------------------------------- state changes
    def _apply(self, event: ev.Event) -> list[object]:
        new, outcomes = self.disp.apply(self.state, event)
        if new is not self.state:
            self.state = new
            self._judge()
        self.result.promise_at_risk += sum(1 for o in outcomes
                                           if type(o).__name__ == "PromiseAtRisk")
        return list(outcomes)

    def _judge(self) -> None:
        """Evaluate the new plan on the vans' reported clocks; count broken promises."""
        problem = planning_problem(self.state, self.disp.policy, None)
        report = evaluate(problem, self.state.plan, self.disp.travel)
        self.result.plans_checked += 1
        bad = [v for v in report.violations if v.kind in PROMISE_KINDS]
        served = {s.request_id for r in self.state.plan.routes for s in r.stops}
        served |= {rid for v in self.state.vehicles for rid in v.onboard}
        missing = [b for b in problem.requests if b not in served]
        self.result.promise_violations += len(bad) + len(missing)
        self.result.violations += [f"{v.kind} {v.subject}: {v.detail}" for v in bad]
        self.result.violations += [f"unplanned {b}" for b in missing]
        if self.check is not None:
            self.check(self.state, report)

    # -------------------------------------------------------------- the day
    def run(self, script: Sequence[ScriptedAsk], until: int,
            parcels: Sequence[ScriptedParcel] = ()) -> DayResult:
        """Play ``script`` (and ship ``parcels``); vans follow the plan until ``until`` (or
        until they are done)."""
        res = self.result
        self._nobody_home = {p.id for p in parcels if p.nobody_home}
        shipments = sorted(parcels, key=lambda p: (p.asked_at, p.id))
        j = 0
        res.requests = len(script)
        self._no_show = {s.id for s in script if s.no_show}
        prebooked = [s for s in script if s.prebooked]
        if prebooked:
            self._prebook(prebooked)
        pending = [s for s in script if not s.prebooked]
        cancels: list[tuple[int, str]] = []
        for s in script:
            if s.prebooked and s.cancel_after is not None and s.id in self.state.bookings:
                cancels.append((self.state.now + s.cancel_after, s.id))
        t = self.state.now
        k = 0
        while t < until or any(r.stops for r in self.state.plan.routes):
            t_next = t + self.tick_s
            while k < len(pending) and pending[k].asked_at < t_next:
                s = pending[k]
                k += 1
                self._drive(s.asked_at)
                if self._ask(s) and s.cancel_after is not None:
                    cancels.append((s.asked_at + s.cancel_after, s.id))
            while j < len(shipments) and shipments[j].asked_at < t_next:
                p = shipments[j]
                j += 1
                self._drive(p.asked_at)
                self._apply(ev.ShipParcel(p.id, p.ask, max(p.asked_at, self.state.now)))
            for when, bid in sorted(c for c in cancels if c[0] < t_next):
                self._drive(when)
                booking = self.state.bookings.get(bid)
                if booking is not None and booking.status is BookingStatus.CONFIRMED:
                    self._apply(ev.CancelBooking(bid, max(when, self.state.now)))
                    res.cancelled += 1
            cancels = [c for c in cancels if c[0] >= t_next]
            self._drive(t_next)
            self._apply(ev.Tick(t_next))
            t = t_next
            if t > until + 86_400:
                break  # a van that never finishes is a bug the counts will show
        res.completed = sum(1 for b in self.state.bookings.values()
                            if b.status is BookingStatus.COMPLETED)
        res.no_shows = sum(1 for b in self.state.bookings.values()
                           if b.status is BookingStatus.NO_SHOW)
        res.vehicle_seconds = self._vehicle_seconds()
        return res

    def _prebook(self, prebooked: Sequence[ScriptedAsk]) -> None:
        now = min(s.asked_at for s in prebooked)
        outcomes = self._apply(ev.PrebookBatch(tuple(s.ask for s in prebooked), now,
                                               tuple(s.id for s in prebooked)))
        confirmed = sum(1 for o in outcomes if type(o).__name__ == "BookingConfirmed")
        self.result.accepted += confirmed
        self.result.rejected += len(prebooked) - confirmed

    def _ask(self, s: ScriptedAsk) -> bool:
        ask = s.ask
        started = time.perf_counter()
        offer = self.disp.offer(self.state, ask)
        self.result.offer_ms.append((time.perf_counter() - started) * 1000)
        if not isinstance(offer, Offer):
            self.result.rejected += 1
            return False
        self._apply(ev.ConfirmOffer(offer, s.id, max(ask.now, self.state.now)))
        if s.id in self.state.bookings:
            self.result.accepted += 1
            return True
        self.result.rejected += 1
        self.result.confirm_failures += 1
        return False

    def _drive(self, until: int) -> None:
        """Vans serve their planned stops that start before ``until``, in time order."""
        while True:
            nxt = self._next_report(until)
            if nxt is None:
                return
            self._apply(nxt)

    def _next_report(self, until: int) -> ev.StopReported | None:
        report = self.disp.schedule(self.state)
        best: ev.StopReported | None = None
        for vid, stops in report.schedules.items():
            if not stops:
                continue
            first = stops[0]
            stop, rid = first.stop, first.stop.request_id
            booking = self.state.bookings[rid]
            if stop.kind is StopKind.PICKUP and rid in self._no_show:
                if self.state.arrivals.get(rid) is None:
                    e = ev.StopReported(vid, rid, StopKind.PICKUP, "arrived", first.start)
                else:
                    leave = no_show_deadline(booking.request, self.state.arrivals[rid],
                                             self.disp.policy.no_show_wait)
                    e = ev.StopReported(vid, rid, StopKind.PICKUP, "no_show", leave)
            elif stop.kind is StopKind.PICKUP:
                e = ev.StopReported(vid, rid, StopKind.PICKUP, "picked_up", first.departure)
            elif rid in self._nobody_home and booking.return_to is None:
                e = ev.StopReported(vid, rid, StopKind.DROPOFF, "not_home", first.departure)
            else:
                e = ev.StopReported(vid, rid, StopKind.DROPOFF, "dropped_off", first.departure)
            if e.at < until and (best is None or (e.at, vid) < (best.at, best.vehicle_id)):
                best = e
        if best is not None:
            booking = self.state.bookings[best.booking_id]
            req = booking.request
            place = req.origin if best.kind is StopKind.PICKUP else \
                (booking.return_to or req.destination)
            self._first_move.setdefault(best.vehicle_id, (best.at, place))
            self._last_move[best.vehicle_id] = best.at
        return best

    def _vehicle_seconds(self) -> int:
        """Time each van spent in service: out from its depot to its first stop, through its
        last one and back to its depot."""
        total = 0
        vans = {v.id: v for v in self.state.vehicles}
        for vid, (first, place) in self._first_move.items():
            van = vans[vid]
            out = self.disp.travel.durations([van.depot], [place])[0, 0]
            back = self.disp.travel.durations([van.start_location], [van.depot])[0, 0]
            total += self._last_move[vid] - first + int(out) + int(back)
        return total


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def summary(result: DayResult) -> dict[str, object]:
    """The figures ``maas bench dispatch`` prints (latencies in ms, rounded)."""
    ms = result.offer_ms
    return {
        "offer_latency_ms": {"p50": round(percentile(ms, 50), 3),
                             "p99": round(percentile(ms, 99), 3),
                             "max": round(max(ms, default=0.0), 3)},
        "requests": result.requests,
        "accepted": result.accepted,
        "rejected": result.rejected,
        "cancelled": result.cancelled,
        "no_shows": result.no_shows,
        "completed": result.completed,
        "promise_violations": result.promise_violations,
        "promise_at_risk": result.promise_at_risk,
        "confirm_failures": result.confirm_failures,
        "plans_checked": result.plans_checked,
        "vehicle_hours": round(result.vehicle_seconds / 3600, 2),
    }

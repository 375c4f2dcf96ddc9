"""The life of a service day: opened when it enters the booking horizon, planned as one batch
at the prior-day deadline, closed (archived, its keys removed) when it is over.

``catch_up`` brings an area's days up to the clock: the background tick calls it, and so
does moving the training clock, so a week can be played in seconds. Each step is its own
Redis transaction and safe to repeat: opening an open day, planning a planned one or closing
a closed one does nothing.

Day record (``maas:{area}:days``, schema ``maas.day`` v1): ``date``, ``status`` (``open``,
``planned``), ``opened_at``, ``planned_at``, ``standing_unserved`` (rides of standing
bookings that could not be served, with reasons), ``plan_before``/``plan_after`` (figures).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from api.archive import day_record
from api.errors import ApiError, conflict, not_found
from api.notify import stage
from api.roster import effective_fleet, roster_vans
from api.runtime import Runtime
from api.service_days import DayContext, new_booking_id
from api.standing import create_rides, record_maker
from api.store import Write, _pending, event_entry
from api.views import booking_public, window
from solver.dispatch import BookingStatus, DispatchState
from solver.dispatch.dayplan import DayPlan, PlanFigures

log = logging.getLogger("maas.api")

DAY_SCHEMA = "maas.day"


@dataclass
class CycleReport:
    """Which days one catch-up opened, planned and closed."""

    opened: list[date] = field(default_factory=list)
    planned: list[date] = field(default_factory=list)
    closed: list[date] = field(default_factory=list)


async def catch_up(rt: Runtime) -> CycleReport:
    """Open the days now in the horizon, plan the days whose deadline has passed, close the
    past days that are finished. A day with rides still open stays open for the operator."""
    report = CycleReport()
    today = rt.days.today()
    for day in rt.service.horizon(today):
        if await open_day(rt, day):
            report.opened.append(day)
    now = rt.clock.now()
    records = await rt.store.day_records()
    for day, record in sorted(records.items()):
        if not record.get("planned") and now >= rt.service.booking_deadline(day):
            await plan(rt, day)
            report.planned.append(day)
    for day in sorted(records):
        if day < today:
            try:
                await close(rt, day)
            except ApiError as exc:  # not finished: the operator's to resolve
                log.info("day %s stays open: %s", day, exc.message)
                continue
            report.closed.append(day)
    return report


async def ensure_open(rt: Runtime, day: date) -> DayContext:
    """The context of ``day``, opening it first if it is in the horizon but not open yet
    (the tick that would open it may not have run)."""
    ctx = rt.days.context(day)
    if not await ctx.store.exists():
        await open_day(rt, day)
        if not await ctx.store.exists():
            raise conflict("day_not_open", f"service day {day} is not open for booking")
    return ctx


async def open_day(rt: Runtime, day: date) -> bool:
    """Open ``day`` with its rostered vans, the closures in force and its standing rides,
    in one transaction; False if it was open (or closed) already."""
    ctx = rt.days.context(day)
    if await ctx.store.exists():
        return False
    # The roster in force (the service file's, with shifts edited through the API);
    # retired vans stay out, changed ones (PATCH /v1/vehicles/{id}) come as changed.
    records = await rt.store.records(rt.store.keys.vehicles)
    vans = roster_vans(rt, day, await effective_fleet(rt), records)
    state = DispatchState.empty(rt.store.area, vans, ctx.clock.now_seconds())
    state = replace(state, closures=await _closures_in_force(rt, day))
    standing = (await rt.store.records(rt.store.keys.standing)).values()
    same_day = rt.clock.now() >= rt.service.midnight(day)
    dispatcher = rt.days.offer_dispatcher(ctx, same_day)

    riders = await rt.store.records(rt.store.keys.riders) if standing else {}
    rides = create_rides(state, day, standing, dispatcher, ctx.clock, rt.service, rt.snapper,
                         new_booking_id, record_maker(rt.service, rt.clock.now(), same_day),
                         rt.meeting, riders)
    record = {"schema": DAY_SCHEMA, "version": 1, "date": day.isoformat(), "status": "open",
              "planned": False, "opened_at": rt.clock.now().isoformat(),
              "standing_unserved": rides.unserved}
    bookings = {bid: json.dumps(rec) for bid, rec in rides.bookings.items()}
    opened = await rt.store.open_day(day, rides.state, record, bookings, rides.events)
    if opened:
        log.info("opened %s: %d vans, %d standing rides, %d unserved", day, len(vans),
                 len(bookings), len(rides.unserved))
    return opened


async def _closures_in_force(rt: Runtime, day: date) -> tuple[Any, ...]:
    """Closures of the other open days that last into ``day``."""
    until_of = {cid: rec.get("until")
                for cid, rec in (await rt.store.records(rt.store.keys.closures)).items()}
    if not until_of:
        return ()
    start = rt.service.midnight(day)
    found: dict[str, Any] = {}
    for other in await rt.days.open_days():
        if other == day:
            continue
        for closure in (await rt.days.context(other).store.state()).closures:
            cid = str(getattr(closure, "id", closure))
            until = until_of.get(cid, "missing")
            if until is None or (until != "missing" and datetime.fromisoformat(until) > start):
                found[cid] = closure
    return tuple(found[c] for c in sorted(found))


async def plan(rt: Runtime, day: date) -> DayPlan:
    """Run the batch plan of ``day`` now and make every booking's window final.

    The plan is computed on a snapshot off the request path; if anything was written to the
    day meanwhile, it is computed again on the newer state (three tries), and in the end the
    final windows are given on the live plan without the solver.
    """
    ctx = await ensure_open(rt, day)
    width = ctx.dispatcher.policy.pickup_window
    limit = ctx.dispatcher.policy.prebook_time_limit_s
    for attempt in range(4):
        started = time.perf_counter()
        epoch, version, state = await ctx.store.snapshot()
        if attempt < 3:
            result = await rt.ticker.plan_day(ctx.dispatcher, state, width, limit)
        else:
            result = await rt.ticker.plan_day(ctx.dispatcher, state, width, 0.0)

        async def commit(w: Write, result: DayPlan = result, version: int = version,
                         epoch: str = epoch) -> bool:
            if (w.epoch, w.version) != (epoch, version):
                return False
            stage(w, ctx.clock, ctx.schedules, result.state, [])
            if w.new_state is None:  # nothing to change: still mark the state planned
                w.new_state = replace(result.state, version=w.state.version + 1)
            records = await _hgetall(w, ctx.store.keys.bookings)
            for bid, raw in records.items():
                rec = json.loads(raw)
                booking = result.state.bookings.get(bid)
                if booking is None or rec.get("window_final", True):
                    continue
                public = booking_public(ctx.clock, booking, rec).model_dump(mode="json")
                rec.update(public, window_final=True)
                w.hset(ctx.store.keys.bookings, bid, json.dumps(rec))
                if booking.status is BookingStatus.CONFIRMED:
                    w.publish("booking.window_final", {
                        "booking_id": bid, "service_date": day.isoformat(),
                        "pickup_window": window(ctx.clock, booking.request.pickup).model_dump(),
                        "provisional_window": rec.get("provisional_window")},
                        vehicle_ids=(booking.vehicle_id,),
                        rider_ids=(booking.rider_id,) if booking.rider_id else ())
            return True

        if await ctx.store.write(commit):
            records = await rt.store.day_records()
            record = records.get(day, {"schema": DAY_SCHEMA, "version": 1,
                                       "date": day.isoformat()})
            record.update(planned=True, status="planned", planned_at=rt.clock.now().isoformat(),
                          plan_before=asdict(result.before), plan_after=asdict(result.after),
                          plan_seconds=round(time.perf_counter() - started, 3))
            await rt.store.set_day_record(day, record)
            return result
    raise ApiError(503, "busy", f"day {day} kept changing while it was planned; retry")


async def _hgetall(w: Write, key: str) -> dict[str, str]:
    raw = await _pending(w.pipe.hgetall(key))  # an immediate read on the watching pipeline
    return {(k.decode() if isinstance(k, bytes) else str(k)):
            (v.decode() if isinstance(v, bytes) else str(v)) for k, v in raw.items()}


def _vans_on_road(state: DispatchState) -> list[str]:
    return [v.id for v in state.vehicles
            if v.onboard or state.plan.route(v.id).stops]


async def close(rt: Runtime, day: date) -> dict[str, Any]:
    """Archive a finished day and remove it from the live state.

    409 ``day_not_over`` before the day's hours end, ``bookings_open`` while a booking is
    still confirmed or on board, ``vans_on_road`` while a van still has stops. A parcel
    still waiting for a van is archived ``undelivered``.
    """
    ctx = rt.days.context(day)
    if not await ctx.store.exists():
        raise not_found(f"open service day {day}")
    hours = rt.service.hours(day)
    end = ctx.clock.moment(hours.latest if hours is not None else 86_400)
    if rt.clock.now() < end:
        raise conflict("day_not_over", f"service day {day} runs until {end.isoformat()}")
    for _ in range(3):
        _, version, state = await ctx.store.snapshot()
        # A parcel no van ever collected stays with its shipper: it does not hold the day.
        open_ids = sorted(b.id for b in state.bookings.values() if b.active and not b.waiting)
        if open_ids:
            raise conflict("bookings_open", f"{len(open_ids)} bookings of {day} are still "
                           "open (confirmed or on board): report or cancel them first",
                           booking_ids=open_ids[:50])
        on_road = _vans_on_road(state)
        if on_road:
            raise conflict("vans_on_road", f"vans still have stops on {day}",
                           vehicle_ids=on_road)
        records = await rt.store.records(ctx.store.keys.bookings)
        riders = await rt.store.records(rt.store.keys.riders)
        vehicles = await rt.store.records(rt.store.keys.vehicles)
        parcels = await rt.store.records(ctx.store.keys.parcels)
        shippers = await rt.store.records(rt.store.keys.shippers)
        record = day_record(rt.store.area, ctx.clock, state, records, riders, vehicles,
                            rt.network, rt.clock.now(), parcels, shippers)
        path = await asyncio.to_thread(rt.archive.keep, record)
        if await rt.store.close_day(day, version):
            rt.days.forget(day)
            counts = {s: sum(1 for b in record.bookings if b.status == s)
                      for s in ("completed", "cancelled", "no_show")}
            await rt.store.trim_events_at_close()
            await rt.store.publish([event_entry("day_closed", {
                "date": day.isoformat(), **counts})])
            log.info("closed %s: %s -> %s", day, counts, path)
            return {"date": day.isoformat(), "bookings": len(record.bookings),
                    "completed": counts["completed"], "cancelled": counts["cancelled"],
                    "no_shows": counts["no_show"], "archive": str(path)}
    raise ApiError(503, "busy", f"day {day} kept changing while it was closed; retry")


def figures_public(figures: PlanFigures | dict[str, Any] | None) -> dict[str, Any] | None:
    """Plan figures as the API shows them."""
    if figures is None:
        return None
    return asdict(figures) if isinstance(figures, PlanFigures) else dict(figures)


def next_midnight(rt: Runtime, day: date) -> datetime:
    """The local midnight after ``day``."""
    return rt.service.midnight(day + timedelta(days=1))

"""``/v1/days``: the operator's service days: the open ones with their counts, the batch
plan of a day run now, and closing a finished day (``api.day_cycle`` does the work)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from api import day_cycle
from api.deps import Operator, RuntimeDep, Staff
from api.errors import not_found
from api.schemas import DayClosed, DayList, DayPlanned, DayPublic, PlanFiguresPublic, StandingRide
from solver.dispatch import BookingStatus

router = APIRouter(prefix="/v1/days", tags=["days"])


@router.get("", response_model=DayList)
async def list_days(_: Staff, rt: RuntimeDep) -> DayList:
    """The open service days, with bookings, standing rides, vans and plan figures."""
    out = []
    for day, record in sorted((await rt.store.day_records()).items()):
        ctx = rt.days.context(day)
        state = await ctx.store.state()
        records = await rt.store.records(ctx.store.keys.bookings)
        before, after = record.get("plan_before"), record.get("plan_after")
        out.append(DayPublic(
            date=day.isoformat(), status=str(record.get("status", "open")),
            planned=bool(record.get("planned")),
            booking_deadline=rt.service.booking_deadline(day).isoformat(),
            bookings=len(state.bookings),
            active=sum(1 for b in state.bookings.values() if b.active),
            standing=sum(1 for r in records.values() if r.get("standing_id")
                         and state.bookings.get(r["id"]) is not None
                         and state.bookings[r["id"]].status is not BookingStatus.CANCELLED),
            vans_rostered=len(state.vehicles),
            vans_on_road=sum(1 for v in state.vehicles
                             if v.onboard or state.plan.route(v.id).stops),
            standing_unserved=[StandingRide(date=u["date"], reason=u["reason"],
                                            message=u.get("message"))
                               for u in record.get("standing_unserved", [])],
            plan_before=None if before is None else PlanFiguresPublic(**before),
            plan_after=None if after is None else PlanFiguresPublic(**after),
            plan_seconds=record.get("plan_seconds"),
        ))
    return DayList(days=out)


@router.post("/{day}/plan", response_model=DayPlanned,
             responses={404: {"description": "the day is not open"}})
async def plan_day(day: date, _: Operator, rt: RuntimeDep) -> DayPlanned:
    """Run the day's batch plan now (it also runs by itself at the prior-day deadline) and
    make every booking's window final."""
    if day not in await rt.days.open_days():
        raise not_found(f"open service day {day}")
    result = await day_cycle.plan(rt, day)
    return DayPlanned(date=day.isoformat(), bookings=result.after.bookings,
                      final_windows=len(result.finals), solver_improved=result.solver_improved,
                      before=PlanFiguresPublic(**day_cycle.figures_public(result.before) or {}),
                      after=PlanFiguresPublic(**day_cycle.figures_public(result.after) or {}))


@router.post("/{day}/close", response_model=DayClosed,
             responses={409: {"description": "the day is not over, a booking is still open "
                                             "or a van still has stops"}})
async def close_day(day: date, _: Operator, rt: RuntimeDep) -> DayClosed:
    """Close a finished day: its record goes to the archive (and the history), its keys
    leave Redis."""
    return DayClosed(**await day_cycle.close(rt, day))

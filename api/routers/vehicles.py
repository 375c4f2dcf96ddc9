"""``/v1/vehicles``: the fleet (operator), positions, manifests and stop reports (drivers).

Vans come from the service file's roster, one ``Vehicle`` per rostered van in each open
day's state; ``POST /v1/vehicles`` adds a van for one day only (a stand-in), on the day its
shift starts. Positions and manifests are those of the day vans are driving now
(``ServiceDays.current``); a stop report goes to the day of its booking.

A driver sees only their own van: any other van id answers 404, as if it did not exist.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import Principal, Role, hash_token, new_token
from api.clock import local_date
from api.day_cycle import ensure_open
from api.deps import Caller, Operator, RuntimeDep, Staff
from api.drivers import check_drives
from api.errors import conflict, invalid, not_found
from api.metrics import POSITIONS
from api.next_leg import NextLeg, next_leg
from api.notify import apply_event, ask_about_return
from api.positions import newer
from api.runtime import Runtime
from api.schemas import (
    Manifest,
    PositionReport,
    PositionResult,
    StopEventCreate,
    StopEventResult,
    VehicleCreate,
    VehicleCreated,
    VehicleList,
    VehiclePublic,
    VehicleUpdate,
)
from api.schemas_people import OptionalIdempotencyKey
from api.service_days import DayContext, day_of_booking
from api.store import Write
from api.tokens import (
    body_digest,
    derived_token,
    idem_key,
    revoke_account,
    token_record,
    token_secret,
)
from api.van_changes import change_step, refused, with_change
from api.views import manifest, parse_stop_id, vehicle_status
from api.welfare import publish_alerts
from maas.domain import StopKind, TimeWindow, Vehicle, VehicleType
from solver.dispatch import Booking, BookingStatus
from solver.dispatch.events import AddVehicle, StopReported

router = APIRouter(prefix="/v1/vehicles", tags=["vehicles"])

# Which report fits which kind of stop.
_REPORTS_AT = {
    "arrived": (StopKind.PICKUP, StopKind.DROPOFF),
    "picked_up": (StopKind.PICKUP,),
    "no_show": (StopKind.PICKUP,),
    "dropped_off": (StopKind.DROPOFF,),
    "not_home": (StopKind.DROPOFF,),  # a parcel nobody took: it rides back
}


@router.post("", status_code=201, response_model=VehicleCreated)
async def create_vehicle(body: VehicleCreate, caller: Operator, rt: RuntimeDep,
                         idempotency_key: OptionalIdempotencyKey = None) -> VehicleCreated:
    """Add a stand-in van for one day (operator only), on the open day its shift starts;
    returns its driver's token, shown once. The weekly fleet lives in the service file.
    With an ``Idempotency-Key``, a retried call adds nothing and returns the same van and
    token (the key is claimed in the same transaction that adds the van)."""
    day = local_date(body.shift_start if body.shift_start.tzinfo else
                     body.shift_start.replace(tzinfo=rt.service.tz), rt.service.timezone)
    ctx = await ensure_open(rt, day)
    clock = ctx.clock
    shift = TimeWindow(clock.earliest(body.shift_start), clock.latest(body.shift_end))
    if shift.latest <= clock.now_seconds():
        raise invalid("shift_end is in the past")
    vehicle = Vehicle(
        id="v_" + secrets.token_hex(6),
        type=VehicleType(name=body.name, seats=body.seats,
                         wheelchair_places=body.wheelchair_places, cargo_kg=body.cargo_kg,
                         cargo_litres=body.cargo_litres),
        depot=rt.network.snap(body.depot.lat, body.depot.lon),  # OffNetworkError -> 422
        shift=shift,
    )
    public = VehiclePublic(
        id=vehicle.id, name=body.name, seats=body.seats,
        wheelchair_places=body.wheelchair_places, depot=body.depot,
        shift_start=clock.iso(shift.earliest), shift_end=clock.iso(shift.latest),
        cargo_kg=body.cargo_kg, cargo_litres=body.cargo_litres,
    )
    secret = token_secret(rt.settings)
    mine = {"id": vehicle.id, "nonce": secrets.token_hex(16),
            "body": body_digest(body.model_dump(mode="json"))}
    key = None if idempotency_key is None else idem_key(rt.store, caller, "vehicle",
                                                        idempotency_key)
    token = new_token() if key is None else derived_token(secret, mine["nonce"])

    async def add(w: Write) -> VehicleCreated:
        if key is not None:
            raw = await w.get(key)
            if raw is not None:
                earlier = json.loads(raw)
                if earlier["body"] != mine["body"]:
                    raise conflict("idempotency_key_reused",
                                   "this Idempotency-Key was used for another van")
                record = await w.hget(rt.store.keys.vehicles, earlier["id"])
                if record is None:
                    raise not_found(f"vehicle {earlier['id']!r}")
                return VehicleCreated(**VehiclePublic.model_validate_json(record).model_dump(),
                                      driver_token=derived_token(secret, earlier["nonce"]))
            w.set(key, json.dumps(mine), ttl_ms=rt.settings.idempotency_ttl_seconds * 1000)
        apply_event(w, ctx.dispatcher, ctx.schedules, clock, AddVehicle(vehicle))
        w.hset(rt.store.keys.vehicles, vehicle.id, public.model_dump_json())
        w.hset(rt.store.keys.tokens, hash_token(token),
               json.dumps(token_record(Role.DRIVER, vehicle.id, rt.clock.now())))
        return VehicleCreated(**public.model_dump(), driver_token=token)

    return await ctx.store.write(add)


@router.get("/{vehicle_id}", response_model=VehiclePublic)
async def get_vehicle(vehicle_id: str, _: Staff, rt: RuntimeDep) -> VehiclePublic:
    """A van's record (staff): name, seats, wheelchair places, depot, shift (a roster van's
    shift is the service file's: empty here)."""
    record = await rt.store.record(rt.store.keys.vehicles, vehicle_id)
    if record is None:
        raise not_found(f"vehicle {vehicle_id!r}")
    return VehiclePublic.model_validate(record)


@router.post("/{vehicle_id}/driver-token", status_code=201, response_model=VehicleCreated)
async def issue_driver_token(vehicle_id: str, _: Operator, rt: RuntimeDep) -> VehicleCreated:
    """A new driver token for a van (operator only; shown once, only its hash is kept)."""
    record = await rt.store.record(rt.store.keys.vehicles, vehicle_id)
    if record is None:
        raise not_found(f"vehicle {vehicle_id!r}")
    token = new_token()
    await rt.store.add_with_token(rt.store.keys.vehicles, vehicle_id, record, hash_token(token),
                                  {"role": Role.DRIVER.value, "id": vehicle_id})
    return VehicleCreated(**VehiclePublic.model_validate(record).model_dump(),
                          driver_token=token)


async def _day(rt: Runtime, day: date | None) -> DayContext:
    """The asked open day, or the day vans are driving now."""
    if day is not None:
        ctx = rt.days.context(day)
        if not await ctx.store.exists():
            raise not_found(f"open service day {day}")
        return ctx
    current = await rt.days.current()
    if current is None:
        raise conflict("no_service_today", "no service day is open today")
    return current


DayQuery = Annotated[date | None, Query(alias="date", description="an open service day "
                                                                   "(default: today's)")]


@router.get("", response_model=VehicleList)
async def list_vehicles(_: Staff, rt: RuntimeDep, day: DayQuery = None) -> VehicleList:
    """The fleet of a day: where each van is, its load and its next stops (operator only)."""
    ctx = await _day(rt, day)
    state = await ctx.store.state()
    names = {vid: rec["name"]
             for vid, rec in (await rt.store.records(rt.store.keys.vehicles)).items()}
    times = ctx.schedules(state)
    return VehicleList(vehicles=[
        vehicle_status(ctx.clock, state, times, v.id, names.get(v.id, v.type.name))
        for v in state.vehicles
    ])


async def _own_vehicle(rt: Runtime, caller: Principal, vehicle_id: str, day: date | None,
                       operator_too: bool) -> None:
    """Refuse a caller who does not drive this van on ``day`` (``api.drivers``: 404 for
    another van's token, 403 for a driver account not assigned that day); the operator
    passes where allowed. ``day`` None: the day vans drive now."""
    if caller.drives(vehicle_id) or (operator_too and caller.is_operator):
        return
    if day is None:
        current = await rt.days.current()
        day = rt.days.today() if current is None else current.day
    await check_drives(rt.store, caller, vehicle_id, day, operator_too)


@router.post("/{vehicle_id}/position", response_model=PositionResult)
async def report_position(vehicle_id: str, body: PositionReport, caller: Caller,
                          rt: RuntimeDep) -> PositionResult:
    """The van's driver reports where the van is. A report older than the van's last one
    (a ping arriving late) is ignored (``applied: false``): it never moves a van back.
    Positions are kept beside the day's state (``api.positions``); the plan is re-timed
    from them by the next write or tick."""
    ctx = await _day(rt, None)
    await _own_vehicle(rt, caller, vehicle_id, ctx.day, operator_too=False)
    at = ctx.clock.latest(body.at)
    if at > ctx.clock.now_seconds() + 60:
        raise invalid("position time 'at' lies in the future")
    position = rt.network.snap(body.lat, body.lon)  # OffNetworkError -> 422
    state = await ctx.store.state()
    if state.vehicle(vehicle_id) is None:
        raise not_found(f"vehicle {vehicle_id!r} on {ctx.day}")
    applied = newer(state, vehicle_id, at) and await ctx.store.report_position(
        vehicle_id, position, at)
    POSITIONS.labels("applied" if applied else "ignored").inc()
    return PositionResult(lat=position.lat, lon=position.lon, applied=applied)


@router.get("/{vehicle_id}/manifest", response_model=Manifest)
async def get_manifest(vehicle_id: str, caller: Caller, rt: RuntimeDep,
                       day: DayQuery = None) -> Manifest:
    """The stops the van still has to make on a day, in driving order (its driver, the
    operator); today's by default."""
    ctx = await _day(rt, day)
    await _own_vehicle(rt, caller, vehicle_id, ctx.day, operator_too=True)
    state = await ctx.store.state()
    if state.vehicle(vehicle_id) is None:
        raise not_found(f"vehicle {vehicle_id!r} on {ctx.day}")
    return manifest(ctx.clock, state, ctx.schedules.of_vehicle(state, vehicle_id), vehicle_id)


@router.get("/{vehicle_id}/next-leg", response_model=NextLeg)
async def get_next_leg(vehicle_id: str, caller: Caller, rt: RuntimeDep) -> NextLeg:
    """The road from the van to its next stop today, as a polyline (its driver, staff)."""
    ctx = await _day(rt, None)
    await _own_vehicle(rt, caller, vehicle_id, ctx.day, operator_too=True)
    state = await ctx.store.state()
    if state.vehicle(vehicle_id) is None:
        raise not_found(f"vehicle {vehicle_id!r} on {ctx.day}")
    return next_leg(rt.network, state, vehicle_id)


@router.post("/{vehicle_id}/stops/{stop_id}/events", response_model=StopEventResult)
async def report_stop(vehicle_id: str, stop_id: str, body: StopEventCreate, caller: Caller,
                      rt: RuntimeDep) -> StopEventResult:
    """The van's driver reports arriving, picking up, dropping off or a no-show at a stop."""
    parsed = parse_stop_id(stop_id)
    day = None if parsed is None else day_of_booking(parsed[0])
    if parsed is None or day is None:
        await _own_vehicle(rt, caller, vehicle_id, None, operator_too=False)
        raise not_found(f"stop {stop_id!r}")
    await _own_vehicle(rt, caller, vehicle_id, day, operator_too=False)
    booking_id, kind = parsed
    if kind not in _REPORTS_AT[body.type]:
        raise invalid(f"{body.type!r} cannot be reported at a {kind.value} stop")
    ctx = rt.days.context(day)
    if not await ctx.store.exists():
        raise not_found(f"stop {stop_id!r}")

    async def report(w: Write) -> StopEventResult:
        booking = w.state.bookings.get(booking_id)
        if booking is None or booking.vehicle_id != vehicle_id:
            raise not_found(f"stop {stop_id!r}")
        done = already_reported(booking, kind, body.type, booking_id in w.state.arrivals)
        if done is not None:  # a retry after a lost answer: the same answer, nothing written
            return StopEventResult(booking_id=booking_id, type=body.type,
                                   booking_status=done.value)
        event = StopReported(vehicle_id, booking_id, kind, body.type, ctx.clock.now_seconds())
        state, results = apply_event(w, ctx.dispatcher, ctx.schedules, ctx.clock, event)
        await publish_alerts(w, ctx.clock, rt.store.keys.riders, results)  # welfare signals
        status = state.bookings[booking_id].status
        if status is not booking.status:
            raw = await w.hget(ctx.store.keys.bookings, booking_id)
            if raw is not None:
                record = json.loads(raw)
                record["status"] = status.value
                record["status_changes"] = [*record.get("status_changes", []), {
                    "at": rt.clock.now().isoformat(), "status": status.value}]
                w.hset(ctx.store.keys.bookings, booking_id, json.dumps(record))
                if body.type == "no_show":
                    ask_about_return(w, record, "no_show")
        return StopEventResult(booking_id=booking_id, type=body.type,
                               booking_status=status.value)

    return await ctx.store.write(report)


def already_reported(booking: Booking, kind: StopKind, what: str, arrived: bool
                     ) -> BookingStatus | None:
    """If the booking is already past what this report says (the report was applied
    before, and its answer lost), the booking status that report answered; else None.

    ``arrived`` at a pickup is past once the van has arrived there (``arrivals``) or the
    rider is on board or gone; at a drop-off once the van arrived there or the ride ended.
    """
    status = booking.status
    if kind is StopKind.PICKUP:
        if what == "arrived" and (arrived and status is BookingStatus.CONFIRMED):
            return BookingStatus.CONFIRMED
        if what in ("arrived", "picked_up") and status in (BookingStatus.ONBOARD,
                                                          BookingStatus.COMPLETED):
            return BookingStatus.CONFIRMED if what == "arrived" else BookingStatus.ONBOARD
        if what == "no_show" and status is BookingStatus.NO_SHOW:
            return BookingStatus.NO_SHOW
        return None
    if what == "arrived" and ((arrived and status is BookingStatus.ONBOARD)
                              or status is BookingStatus.COMPLETED):
        return BookingStatus.ONBOARD
    if what == "dropped_off" and status in (BookingStatus.COMPLETED, BookingStatus.RETURNED):
        return status
    if what == "not_home" and booking.return_to is not None:
        return status
    return None


@router.patch("/{vehicle_id}", response_model=VehiclePublic)
async def update_vehicle(vehicle_id: str, body: VehicleUpdate, _: Operator, rt: RuntimeDep
                         ) -> VehiclePublic:
    """Change a van's name, seats, wheelchair places or depot (operator only): applied to it
    in every open day after today if each such day's plan stays feasible (else 409 naming
    the day, nothing changed), and to every day opened later (``api.van_changes``)."""
    record = await rt.store.record(rt.store.keys.vehicles, vehicle_id)
    if record is None or record.get("retired"):
        raise not_found(f"vehicle {vehicle_id!r}")
    change = {k: v for k, v in body.model_dump(exclude_unset=True, mode="json").items()
              if v is not None}
    updated = {**record, **change, "changed": True}
    if updated["seats"] + updated["wheelchair_places"] < 1:
        raise invalid("a van needs at least one seat or wheelchair place")
    depot = None if body.depot is None else rt.network.snap(body.depot.lat, body.depot.lon)
    today = rt.days.today()
    later = [rt.days.context(d) for d in await rt.days.open_days() if d > today]
    for ctx in later:  # check every day first: one that breaks refuses the whole change
        if with_change(ctx, await ctx.store.state(), vehicle_id, updated, depot) is None:
            raise refused(ctx)
    for ctx in later:
        await ctx.store.write(change_step(ctx, vehicle_id, updated, depot))
    await rt.store.hset(rt.store.keys.vehicles, vehicle_id, json.dumps(updated))
    return VehiclePublic.model_validate(updated)


@router.delete("/{vehicle_id}", response_model=VehiclePublic)
async def retire_vehicle(vehicle_id: str, _: Operator, rt: RuntimeDep) -> VehiclePublic:
    """Retire a van (operator only): it leaves every open day's plan, no day opened later
    has it, and its driver tokens are revoked; the record stays (``retired``) for the
    history. Refused (409, listing them by day) while it has open rides on any open day,
    today's included: move or cancel them first."""
    record = await rt.store.record(rt.store.keys.vehicles, vehicle_id)
    if record is None or record.get("retired"):
        raise not_found(f"vehicle {vehicle_id!r}")
    rides: dict[str, list[str]] = {}
    for day in await rt.days.open_days():
        state = await rt.days.context(day).store.state()
        ids = sorted(b.id for b in state.bookings.values()
                     if b.active and b.vehicle_id == vehicle_id)
        if ids or state.plan.route(vehicle_id).stops:
            rides[day.isoformat()] = ids
    if rides:
        raise conflict("vehicle_has_rides", f"vehicle {vehicle_id} has open rides on "
                       f"{', '.join(rides)}: move or cancel them first", rides=rides)
    for day in await rt.days.open_days():
        await rt.days.context(day).store.write(_without(vehicle_id))
    retired = {**record, "retired": True, "retired_at": rt.clock.now().isoformat()}
    await rt.store.hset(rt.store.keys.vehicles, vehicle_id, json.dumps(retired))
    await revoke_account(rt.store, Role.DRIVER, vehicle_id)
    return VehiclePublic.model_validate(retired)


def _without(vehicle_id: str) -> Callable[[Write], Awaitable[None]]:
    """A write step that takes a van (with nothing planned on it) out of a day's state."""

    async def step(w: Write) -> None:
        state = w.state
        if state.vehicle(vehicle_id) is None:
            return
        if state.plan.route(vehicle_id).stops or any(
                b.active and b.vehicle_id == vehicle_id for b in state.bookings.values()):
            raise conflict("vehicle_has_rides", f"vehicle {vehicle_id} was given a ride "
                           "meanwhile: move or cancel it first")
        w.new_state = replace(
            state, vehicles=tuple(v for v in state.vehicles if v.id != vehicle_id),
            plan=replace(state.plan, routes=tuple(r for r in state.plan.routes
                                                  if r.vehicle_id != vehicle_id)),
            version=state.version + 1)

    return step

"""``/v1/vehicles``: the fleet (operator), positions, manifests and stop reports (drivers).

A driver sees only their own van: any other van id answers 404, as if it did not exist.
"""

from __future__ import annotations

import json
import secrets

from fastapi import APIRouter

from api.auth import Principal, Role, hash_token, new_token
from api.deps import (
    Caller,
    ClockDep,
    DispatcherDep,
    NetworkDep,
    Operator,
    SchedulesDep,
    StoreDep,
)
from api.errors import invalid, not_found
from api.notify import apply_event
from api.schemas import (
    LatLon,
    Manifest,
    PositionReport,
    StopEventCreate,
    StopEventResult,
    VehicleCreate,
    VehicleCreated,
    VehicleList,
    VehiclePublic,
)
from api.store import Write
from api.views import manifest, parse_stop_id, vehicle_status
from maas.domain import StopKind, TimeWindow, Vehicle, VehicleType
from solver.dispatch.events import AddVehicle, StopReported, VehicleMoved

router = APIRouter(prefix="/v1/vehicles", tags=["vehicles"])

# Which report fits which kind of stop.
_REPORTS_AT = {
    "arrived": (StopKind.PICKUP, StopKind.DROPOFF),
    "picked_up": (StopKind.PICKUP,),
    "no_show": (StopKind.PICKUP,),
    "dropped_off": (StopKind.DROPOFF,),
}


@router.post("", status_code=201, response_model=VehicleCreated)
async def create_vehicle(
    body: VehicleCreate,
    _: Operator,
    store: StoreDep,
    network: NetworkDep,
    dispatcher: DispatcherDep,
    schedules: SchedulesDep,
    clock: ClockDep,
) -> VehicleCreated:
    """Add a van to the fleet (operator only); returns its driver's token, shown once."""
    shift = TimeWindow(clock.earliest(body.shift_start), clock.latest(body.shift_end))
    if shift.latest <= clock.now_seconds():
        raise invalid("shift_end is in the past")
    vehicle = Vehicle(
        id="v_" + secrets.token_hex(6),
        type=VehicleType(name=body.name, seats=body.seats,
                         wheelchair_places=body.wheelchair_places),
        depot=network.snap(body.depot.lat, body.depot.lon),  # OffNetworkError -> 422
        shift=shift,
    )
    public = VehiclePublic(
        id=vehicle.id, name=body.name, seats=body.seats,
        wheelchair_places=body.wheelchair_places, depot=body.depot,
        shift_start=clock.iso(shift.earliest), shift_end=clock.iso(shift.latest),
    )
    token = new_token()

    async def add(w: Write) -> None:
        apply_event(w, dispatcher, schedules, clock, AddVehicle(vehicle))
        w.hset(store.keys.vehicles, vehicle.id, public.model_dump_json())
        w.hset(store.keys.tokens, hash_token(token),
               json.dumps({"role": Role.DRIVER.value, "id": vehicle.id}))

    await store.write(add)
    return VehicleCreated(**public.model_dump(), driver_token=token)


@router.get("", response_model=VehicleList)
async def list_vehicles(
    _: Operator, store: StoreDep, schedules: SchedulesDep, clock: ClockDep
) -> VehicleList:
    """The fleet: where each van is, its load and its next stops (operator only)."""
    state = await store.state()
    names = {vid: rec["name"] for vid, rec in (await store.records(store.keys.vehicles)).items()}
    times = schedules(state)
    return VehicleList(vehicles=[
        vehicle_status(clock, state, times, v.id, names.get(v.id, v.type.name))
        for v in state.vehicles
    ])


def _own_vehicle(caller: Principal, vehicle_id: str, operator_too: bool) -> None:
    """404 unless the caller drives this van (or is the operator, where allowed)."""
    if not (caller.drives(vehicle_id) or (operator_too and caller.is_operator)):
        raise not_found(f"vehicle {vehicle_id!r}")


@router.post("/{vehicle_id}/position", response_model=LatLon)
async def report_position(
    vehicle_id: str,
    body: PositionReport,
    caller: Caller,
    store: StoreDep,
    network: NetworkDep,
    dispatcher: DispatcherDep,
    schedules: SchedulesDep,
    clock: ClockDep,
) -> LatLon:
    """The van's driver reports where the van is; the plan is re-timed from there."""
    _own_vehicle(caller, vehicle_id, operator_too=False)
    at = clock.latest(body.at)
    if at > clock.now_seconds() + 60:
        raise invalid("position time 'at' lies in the future")
    position = network.snap(body.lat, body.lon)  # OffNetworkError -> 422

    async def move(w: Write) -> None:
        if w.state.vehicle(vehicle_id) is None:
            raise not_found(f"vehicle {vehicle_id!r}")
        apply_event(w, dispatcher, schedules, clock, VehicleMoved(vehicle_id, position, at))

    await store.write(move)
    return LatLon(lat=position.lat, lon=position.lon)


@router.get("/{vehicle_id}/manifest", response_model=Manifest)
async def get_manifest(
    vehicle_id: str, caller: Caller, store: StoreDep, schedules: SchedulesDep, clock: ClockDep
) -> Manifest:
    """The stops the van still has to make, in driving order (its driver, the operator)."""
    _own_vehicle(caller, vehicle_id, operator_too=True)
    state = await store.state()
    if state.vehicle(vehicle_id) is None:
        raise not_found(f"vehicle {vehicle_id!r}")
    return manifest(clock, state, schedules.of_vehicle(state, vehicle_id), vehicle_id)


@router.post("/{vehicle_id}/stops/{stop_id}/events", response_model=StopEventResult)
async def report_stop(
    vehicle_id: str,
    stop_id: str,
    body: StopEventCreate,
    caller: Caller,
    store: StoreDep,
    dispatcher: DispatcherDep,
    schedules: SchedulesDep,
    clock: ClockDep,
) -> StopEventResult:
    """The van's driver reports arriving, picking up, dropping off or a no-show at a stop."""
    _own_vehicle(caller, vehicle_id, operator_too=False)
    parsed = parse_stop_id(stop_id)
    if parsed is None:
        raise not_found(f"stop {stop_id!r}")
    booking_id, kind = parsed
    if kind not in _REPORTS_AT[body.type]:
        raise invalid(f"{body.type!r} cannot be reported at a {kind.value} stop")

    async def report(w: Write) -> StopEventResult:
        booking = w.state.bookings.get(booking_id)
        if booking is None or booking.vehicle_id != vehicle_id:
            raise not_found(f"stop {stop_id!r}")
        event = StopReported(vehicle_id, booking_id, kind, body.type, clock.now_seconds())
        state, _ = apply_event(w, dispatcher, schedules, clock, event)
        return StopEventResult(booking_id=booking_id, type=body.type,
                               booking_status=state.bookings[booking_id].status.value)

    return await store.write(report)

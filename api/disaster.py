"""Disaster mode (issue 16): the operator declares a flood or landslide, and ends it.

Declaring: the event's polygons become road closures (one ``maas.roads.Closure`` each,
recorded in ``maas:{area}:closures`` like any closure, so a day opening later has them) and
one ``DisasterDeclared`` is applied to every open day in its own write. With ``evacuate``,
today's day gets the evacuees: every registered rider whose ``home`` lies in the chosen
hazard zones (default: all of the service file's), those who need help (a wheelchair, living
alone, ``needs_help``) first, each to the nearest shelter an open road reaches; every open
day refuses ordinary bookings (``paused_for_evacuation``) until the end. Ending applies
``DisasterEnded`` to the same days: the closures go, bookings open, each day is re-planned.

The event itself is a record in ``maas:{area}:disasters`` (hash id -> JSON, schema
``maas.disaster`` v1); one event at a time. Evacuation rides get booking records like any
ride (``evacuation: true``, the shelter's name), bumped ordinary rides are cancelled in
theirs (``cancel_reason: bumped_for_evacuation``) and their riders hear it on the event
stream (``booking_bumped``); the operator sees ``disaster_declared``, ``evacuation_booked``
and ``disaster_ended``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import shapely.geometry
from shapely.geometry.base import BaseGeometry

from api.errors import conflict, invalid, not_found
from api.notify import apply_event
from api.runtime import Runtime
from api.service_days import DayContext, new_booking_id
from api.store import Write
from api.views import booking_public, booking_record
from maas.domain import Location
from maas.errors import OffNetworkError
from maas.roads import Closure
from solver.dispatch import DispatchState, outcomes
from solver.dispatch.events import DisasterDeclared, DisasterEnded
from solver.dispatch.state import Evacuee

SCHEMA = "maas.disaster"


@dataclass
class Declared:
    """What a declaration did, over every open day."""

    record: dict[str, Any]
    affected: set[str] = field(default_factory=set)
    bumped: set[str] = field(default_factory=set)
    rides: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    registered: int = 0


@dataclass
class Ended:
    """What ending an event did."""

    record: dict[str, Any]
    affected: set[str] = field(default_factory=set)
    dropped: list[str] = field(default_factory=list)


async def current(rt: Runtime) -> dict[str, Any] | None:
    """The event in force, if any."""
    for record in (await rt.store.records(rt.store.keys.disasters)).values():
        if record.get("status") == "active":
            return record
    return None


def needs_help(rider: Mapping[str, Any]) -> bool:
    """Evacuated first: a wheelchair, living alone, or registered as needing help."""
    return bool(rider.get("needs_wheelchair") or rider.get("lives_alone")
                or rider.get("needs_help"))


def evacuees(rt: Runtime, riders: Mapping[str, Mapping[str, Any]], zones: Sequence[str],
             day: date) -> list[Evacuee]:
    """The registered riders living in ``zones`` (not erased, with a home on the roads)."""
    found: list[Evacuee] = []
    emergency = rt.service.emergency
    for rid, rider in sorted(riders.items()):
        home = rider.get("home")
        if rider.get("erased") or not home:
            continue
        if emergency.in_hazard(home["lat"], home["lon"], tuple(zones)) is None:
            continue
        try:
            origin = rt.snapper.snap(home["lat"], home["lon"])
        except OffNetworkError:
            continue
        wheel = 1 if rider.get("needs_wheelchair") else 0
        found.append(Evacuee(id=new_booking_id(day), origin=origin, rider_id=rid,
                             passengers=1 - wheel, wheelchairs=wheel,
                             needs_help=needs_help(rider)))
    return found


async def declare(rt: Runtime, name: str, kind: str, areas: Sequence[BaseGeometry],
                  evacuate: bool, zones: Sequence[str] | None) -> Declared:
    """Declare an event (module doc). 409 while another is in force; 422 for an
    evacuation without shelters or with a hazard zone the service file does not have."""
    emergency = rt.service.emergency
    if await current(rt) is not None:
        raise conflict("disaster_in_force", "an event is in force: end it first")
    if evacuate and not emergency.shelters:
        raise invalid("the service file lists no shelters to evacuate to", code="no_shelters")
    known = [z.name for z in emergency.hazard_zones]
    chosen = list(known if zones is None else zones)
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise invalid(f"hazard_zones: unknown {unknown} (the service file has "
                      f"{known or 'none'})", code="unknown_hazard_zone")
    event_id = "d_" + secrets.token_hex(6)
    closures = tuple(Closure(f"{event_id}-{i + 1}", geometry=g) for i, g in enumerate(areas))
    now = rt.clock.now()
    record: dict[str, Any] = {
        "schema": SCHEMA, "v": 1, "id": event_id, "name": name, "kind": kind,
        "status": "active", "started_at": now.isoformat(), "ended_at": None,
        "evacuate": evacuate, "hazard_zones": chosen if evacuate else [],
        "closure_ids": [c.id for c in closures], "days": []}
    for c in closures:  # recorded first: a day opening meanwhile copies them
        assert c.geometry is not None
        await rt.store.hset(rt.store.keys.closures, c.id, json.dumps(
            {"until": None, "geometry": shapely.geometry.mapping(c.geometry),
             "disaster": event_id}))
    await rt.store.hset(rt.store.keys.disasters, event_id, json.dumps(record))
    shelter_names = list(emergency.shelters)
    shelters = tuple(rt.snapper.snap(p.lat, p.lon) for p in emergency.shelters.values())

    riders = await rt.store.records(rt.store.keys.riders)
    today = rt.days.today()
    result = Declared(record)
    for day in await rt.days.open_days():
        ctx = rt.days.context(day)
        people = evacuees(rt, riders, chosen, day) if evacuate and day == today \
            else []
        if people:
            result.registered = len(people)

        async def apply(w: Write, c: DayContext = ctx, people: list[Evacuee] = people
                        ) -> list[outcomes.Outcome]:
            event = DisasterDeclared(event_id, name, closures, c.clock.now_seconds(),
                                     evacuation=evacuate, shelters=shelters,
                                     evacuees=tuple(people),
                                     pickup_within=emergency.pickup_within_s)
            state, results = apply_event(w, c.dispatcher, c.schedules, c.clock, event)
            await record_outcomes(rt, w, c, state, results)
            return results

        for o in await ctx.store.write(apply):
            if isinstance(o, outcomes.DisasterStarted):
                result.affected.update(o.affected)
                result.bumped.update(o.bumped)
                result.waiting += [_rider_of(people, e) for e in o.waiting]
            elif isinstance(o, outcomes.BookingConfirmed) and o.booking.evacuation:
                b = o.booking
                result.rides.append({"booking_id": b.id, "rider_id": b.rider_id,
                                     "vehicle_id": b.vehicle_id,
                                     "shelter": _shelter_name(b.request.destination, shelters,
                                                              shelter_names)})
        record["days"].append(day.isoformat())
    await rt.store.hset(rt.store.keys.disasters, event_id, json.dumps(record))
    return result


async def end(rt: Runtime, event_id: str) -> Ended:
    """End the event: lift its closures on every open day, reopen booking, re-plan."""
    raw = await rt.store.record(rt.store.keys.disasters, event_id)
    if raw is None:
        raise not_found(f"event {event_id!r}")
    if raw.get("status") != "active":
        raise conflict("disaster_over", f"event {event_id} has ended already")
    result = Ended(raw)
    for day in await rt.days.open_days():
        ctx = rt.days.context(day)

        async def apply(w: Write, c: DayContext = ctx) -> list[outcomes.Outcome]:
            mode = w.state.disaster
            if mode is None or mode.event_id != event_id:
                return []
            _, results = apply_event(w, c.dispatcher, c.schedules, c.clock,
                                     DisasterEnded(event_id, c.clock.now_seconds()))
            return results

        for o in await ctx.store.write(apply):
            if isinstance(o, outcomes.DisasterOver):
                result.affected.update(o.affected)
                result.dropped += list(o.dropped)
    for cid in raw.get("closure_ids", []):
        await rt.store.hdel(rt.store.keys.closures, cid)
    raw.update(status="ended", ended_at=rt.clock.now().isoformat())
    await rt.store.hset(rt.store.keys.disasters, event_id, json.dumps(raw))
    return result


async def record_outcomes(rt: Runtime, w: Write, ctx: DayContext, state: DispatchState,
                          results: Iterable[outcomes.Outcome]) -> None:
    """Inside the day's write (a declaration, or a tick that found room for evacuees):
    booking records of new evacuation rides, cancelled records of bumped ones, and the
    events the operator and the bumped riders see."""
    now = rt.clock.now().isoformat()
    names = list(rt.service.emergency.shelters)
    shelters = [rt.snapper.snap(p.lat, p.lon) for p in rt.service.emergency.shelters.values()]
    for o in results:
        if isinstance(o, outcomes.BookingConfirmed) and o.booking.evacuation:
            b = o.booking
            public = booking_public(ctx.clock, b, {"window_final": True, "fare": 0,
                                                   "outbound_booking_id": None})
            shelter = _shelter_name(b.request.destination, shelters, names)
            w.hset(ctx.store.keys.bookings, b.id, json.dumps(booking_record(
                public, seq=w.version + 1, evacuation=True, shelter=shelter,
                status_changes=[{"at": now, "status": "confirmed"}])))
            w.publish("evacuation_booked", {"booking_id": b.id, "rider_id": b.rider_id,
                                            "vehicle_id": b.vehicle_id, "shelter": shelter},
                      vehicle_ids=(b.vehicle_id,), rider_ids=(b.rider_id or "",))
        elif isinstance(o, outcomes.BookingBumped):
            raw = await w.hget(ctx.store.keys.bookings, o.booking_id)
            if raw is not None:
                record = json.loads(raw)
                record.update(status="cancelled", cancel_reason=o.reason.value)
                record["status_changes"] = [*record.get("status_changes", []),
                                            {"at": now, "status": "cancelled"}]
                w.hset(ctx.store.keys.bookings, o.booking_id, json.dumps(record))
            booking = state.bookings.get(o.booking_id)
            w.publish("booking_bumped", {
                "booking_id": o.booking_id, "reason": o.reason.value,
                "message": "your ride is cancelled: the vans are evacuating the town"},
                rider_ids=(booking.rider_id or "",) if booking is not None else ())
        elif isinstance(o, outcomes.DisasterStarted):
            w.publish("disaster_declared", {
                "event_id": o.event_id, "closure_ids": list(o.closure_ids),
                "affected_bookings": list(o.affected), "bumped_bookings": list(o.bumped),
                "evacuation_rides": list(o.evacuation_rides), "waiting": list(o.waiting)})
        elif isinstance(o, outcomes.DisasterOver):
            w.publish("disaster_ended", {"event_id": o.event_id,
                                         "affected_bookings": list(o.affected)})


def _shelter_name(place: Location, shelters: Sequence[Location], names: Sequence[str]
                  ) -> str | None:
    return next((n for n, s in zip(names, shelters, strict=True) if s == place), None)


def _rider_of(people: Sequence[Evacuee], evacuee_id: str) -> str:
    return next((p.rider_id or p.id for p in people if p.id == evacuee_id), evacuee_id)

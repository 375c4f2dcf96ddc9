"""Train connections of offers: which departure (or arrival) an offer's ``connect_to`` /
``connect_from`` names, as the dispatcher's ``Connection``, and how an offer states it.

The timetable is the service file's feed (``transit:``), loaded once per process
(``Runtime.transit``). A stop that is not one of the file's transfer stops, or a time with no
such train, is a 422 naming the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from api.clock import ServiceClock
from api.errors import ApiError
from api.schemas import ConnectFrom, ConnectionPublic, ConnectTo, OfferCreate
from maas.domain import Location
from maas.service import ServiceDefinition
from maas.transit import Departure, TransitFeed
from solver.dispatch import Offer
from solver.dispatch.connections import Connection, ConnectionKind


@dataclass(frozen=True, slots=True)
class Train:
    """A resolved train: the timetable's entry and when the ride's time is (``moment``:
    departure - buffer, or arrival + buffer), for the booking rules."""

    entry: Departure
    kind: ConnectionKind
    scheduled: datetime
    moment: datetime
    buffer_s: int

    def connection(self, clock: ServiceClock) -> Connection:
        """The dispatcher's connection in the service day's seconds."""
        e = self.entry
        return Connection(e.stop_id, clock.latest(self.scheduled), self.kind, e.trip_id,
                          e.route_name, e.headsign, self.buffer_s)

    def check_ends(self, feed: TransitFeed | None, origin: Location, destination: Location
                   ) -> None:
        """A ride to (from) a train ends (starts) at its stop: 422 naming the end."""
        where = "destination" if self.kind == "departure" else "origin"
        try:
            at_stop(feed, self.entry.stop_id, destination if where == "destination" else origin)
        except ValueError as exc:
            raise _fail("not_at_transfer_stop", str(exc), where) from exc


# How far the ride's end may lie from the stop's published position (a short walk).
AT_STOP_M = 300.0


def at_stop(feed: TransitFeed | None, stop_id: str, end: Location) -> None:
    """Raise ``ValueError`` unless ``end`` lies within ``AT_STOP_M`` of the stop."""
    stop = feed.stops.get(stop_id) if feed is not None else None
    if stop is None:
        return
    dy = (end.lat - stop.lat) * 111_320
    dx = (end.lon - stop.lon) * 111_320 * math.cos(math.radians(stop.lat))
    far = math.hypot(dx, dy)
    if far > AT_STOP_M:
        msg = (f"lies {far:.0f} m from {stop.name} ({stop_id}); a ride to or from a train "
               f"starts or ends within {AT_STOP_M:.0f} m of its stop")
        raise ValueError(msg)


def _fail(code: str, message: str, where: str) -> ApiError:
    return ApiError(422, code, f"{where}: {message}", {"field": where})


def resolve_train(svc: ServiceDefinition, feed: TransitFeed | None, body: OfferCreate,
                  now: datetime) -> Train | None:
    """The train ``body`` connects with, or None when it names none (422 naming the field
    when there is no such train, or it has left or arrived before ``now``)."""
    ref: ConnectTo | ConnectFrom | None = body.connect_to or body.connect_from
    if ref is None:
        return None
    field = "connect_to" if body.connect_to is not None else "connect_from"
    kind: ConnectionKind = "departure" if body.connect_to is not None else "arrival"
    if svc.transit is None or feed is None:
        raise _fail("no_timetable", "this service names no transit feed (transit: in the "
                                    "service file)", field)
    if ref.stop_id not in svc.transit.transfer_stops:
        raise _fail("not_a_transfer_stop",
                    f"{ref.stop_id!r} is not a transfer stop of this service (transfer stops: "
                    f"{', '.join(svc.transit.transfer_stops) or 'none'})", f"{field}.stop_id")
    exact = ref.departure if isinstance(ref, ConnectTo) else ref.arrival
    asked = exact if exact is not None else ref.after
    assert asked is not None  # the schema asks for one of them
    local = (asked if asked.tzinfo is not None else asked.replace(tzinfo=svc.tz)).astimezone(
        svc.tz)
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    arriving = kind == "arrival"
    entry = feed.timetable.find(ref.stop_id, local.date(),
                                at=seconds if exact is not None else None,
                                after=seconds if exact is None else None,
                                route=ref.route, headsign=ref.headsign, arriving=arriving)
    if entry is None:
        what = "arrival" if arriving else "departure"
        where = f"{field}.{what}" if exact is not None else f"{field}.after"
        raise _fail("no_such_departure" if not arriving else "no_such_arrival",
                    f"no {what} at {ref.stop_id} {'at' if exact else 'after'} "
                    f"{local.isoformat()} matches the timetable", where)
    scheduled = entry.at(svc.tz)
    if scheduled < now:
        raise _fail("in_the_past", f"the train has already {'arrived' if arriving else 'left'}",
                    field)
    buffer_s = svc.transit.transfer_buffer_s
    moment = scheduled + timedelta(seconds=buffer_s if arriving else -buffer_s)
    return Train(entry, kind, scheduled, moment, buffer_s)


def connection_public(clock: ServiceClock, offer: Offer, feed: TransitFeed | None
                      ) -> ConnectionPublic | None:
    """How the offer states its train (None for an offer without one)."""
    c = offer.ask.connect
    if c is None:
        return None
    stop = feed.stops.get(c.stop_id) if feed is not None else None
    return ConnectionPublic(
        kind=c.kind, stop_id=c.stop_id, stop_name=stop.name if stop else c.stop_id,
        scheduled=clock.iso(c.at), trip_id=c.trip_id, route=c.route, headsign=c.headsign,
        buffer_minutes=round(c.buffer / 60, 2), margin_minutes=round(c.margin / 60, 2),
        at_stop_by=clock.iso(c.deadline - c.margin) if c.kind == "departure" else None)

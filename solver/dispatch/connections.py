"""Guaranteed connections: rides that catch a departure at a transfer stop, or wait for an
arriving train there.

A connection to a departure is a promise like a window: the ride's latest drop-off at the
stop is ``departure - buffer - margin``, a hard constraint that re-planning keeps like any
other promise. The margin covers the road model's noise (see ``connection_margin``). A
return from an arrival picks up from ``arrival + delay + buffer``; a reported delay moves
that pickup (``shifted``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import TYPE_CHECKING, Literal

from maas.domain import Request, TimeWindow
from solver.dispatch.policy import DispatchPolicy

if TYPE_CHECKING:  # state.py imports Connection from here
    from solver.dispatch.state import RideAsk

ConnectionKind = Literal["departure", "arrival"]


@dataclass(frozen=True, slots=True)
class Connection:
    """A scheduled train (or bus) a ride connects with at a transfer stop (day seconds).

    ``kind`` ``departure``: the rider catches it (the ride ends at the stop by ``at -
    buffer - margin``); ``arrival``: the rider comes off it (the ride starts at the stop from
    ``at + delay + buffer``). ``margin`` is fixed when the offer is made; ``delay`` is the
    latest delay reported for the trip.
    """

    stop_id: str
    at: int
    kind: ConnectionKind = "departure"
    trip_id: str = ""
    route: str = ""  # route name and headsign, for people
    headsign: str = ""
    buffer: int = -1  # -1: the policy's ``connection_buffer`` (set when the offer is made)
    margin: int = 0
    delay: int = 0

    @property
    def deadline(self) -> int:
        """Departure: when the rider must be at the stop (``at - buffer``)."""
        return self.at - self.buffer

    @property
    def ready(self) -> int:
        """Arrival: when the rider can board the van (``at + delay + buffer``)."""
        return self.at + self.delay + self.buffer


def connection_margin(drive_s: int, noise: float, padding: float,
                      confidence: float = 0.95) -> int:
    """Seconds to plan ahead of the buffer so that a drive the road model puts at
    ``drive_s`` reaches it with probability ``confidence``.

    The road model's noise is lognormal: a drive of model time ``t`` takes ``t * exp(Z)``,
    ``Z ~ N(0, noise)`` (the simulator's model, ``scenarios.simulator``). Plans already
    stretch every drive by ``1 + padding`` (``travel_time_margin``), so the margin is what the
    ``confidence`` quantile of the drive exceeds the padded plan by::

        margin = ceil(drive_s * max(0, exp(z_p * noise) - (1 + padding))),  z_p = Phi^-1(p)

    Taking the whole drive as one lognormal factor is the cautious case: the legs of a real
    ride are drawn independently and their sum spreads less.
    """
    if drive_s <= 0 or noise <= 0:
        return 0
    z = NormalDist().inv_cdf(confidence)
    excess = math.exp(z * noise) - (1.0 + padding)
    return max(0, math.ceil(drive_s * excess - 1e-9))


def shifted(request: Request, seconds: int) -> Request:
    """``request`` with its pickup window and drop-off window moved by ``seconds`` (a late
    train moves a return ride's whole promise)."""
    if seconds == 0:
        return request
    p, d = request.pickup, request.dropoff
    return replace(request,
                   pickup=TimeWindow(p.earliest + seconds, p.latest + seconds),
                   dropoff=TimeWindow(d.earliest + seconds, d.latest + seconds))


def delayed(connection: Connection, delay_s: int) -> Connection:
    """The connection with the trip's reported delay (never earlier than scheduled)."""
    return replace(connection, delay=max(0, delay_s))


def with_connection(ask: RideAsk, policy: DispatchPolicy, direct: int) -> RideAsk:
    """The ask a connection makes (``direct``: the planned direct drive, padded).

    Departure: arrive by ``departure - buffer - margin``, the margin over the longest ride
    the promise allows (re-planning may stretch the ride up to it), in road-model seconds.
    Arrival: pick up from ``arrival + delay + buffer``. Without a connection, ``ask``.
    """
    c = ask.connect
    if c is None:
        return ask
    if c.kind == "arrival":
        c = replace(c, buffer=policy.connection_buffer if c.buffer < 0 else c.buffer)
        return replace(ask, connect=c, pickup_after=c.ready, arrive_before=None)
    buffer = policy.connection_buffer if c.buffer < 0 else c.buffer
    padding = policy.travel_time_margin
    drive = math.ceil(policy.ride_time.limit(direct) / (1.0 + padding))
    margin = connection_margin(drive, policy.travel_time_noise, padding,
                               policy.connection_confidence)
    c = replace(c, buffer=buffer, margin=margin)
    return replace(ask, connect=c, arrive_before=c.at - buffer - margin, pickup_after=None)

"""The welfare office's list: riders flagged as living alone or elderly whose no-shows
repeat within a period (a pure function of the no-shows; the callers gather them from the
trip history and the open days)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NoShow:
    """One booking its rider neither rode nor cancelled."""

    rider_id: str
    booking_id: str
    day: dt.date


@dataclass(frozen=True, slots=True)
class RepeatedNoShows:
    """A rider to check on: how many no-shows, on which days, which bookings."""

    rider_id: str
    count: int
    dates: tuple[dt.date, ...]
    booking_ids: tuple[str, ...]


def repeated_no_shows(no_shows: Iterable[NoShow], since: dt.date, until: dt.date,
                      threshold: int, flagged: Collection[str]) -> list[RepeatedNoShows]:
    """Flagged riders with at least ``threshold`` no-shows from ``since`` to ``until``
    (inclusive), most no-shows first (then by rider id)."""
    by_rider: dict[str, list[NoShow]] = {}
    for n in no_shows:
        if n.rider_id in flagged and since <= n.day <= until:
            by_rider.setdefault(n.rider_id, []).append(n)
    out = []
    for rid, found in by_rider.items():
        if len(found) >= threshold:
            found.sort(key=lambda n: (n.day, n.booking_id))
            out.append(RepeatedNoShows(rid, len(found), tuple(sorted({n.day for n in found})),
                                       tuple(n.booking_id for n in found)))
    return sorted(out, key=lambda r: (-r.count, r.rider_id))

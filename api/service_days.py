"""The open service days of an area as the API works on them.

Each open day has its own live state in Redis (``api.store.DayStore``), its own clock of
day-seconds (``api.clock.ServiceClock``, midnight of that day) and its own dispatcher, whose
policy is that day's from the service file (``solver.dispatch.policy.policy_for_day``): its
operating hours, and a provisional pickup window while the day still lies ahead. These
objects are derived from the service file and the date only, so each worker builds them on
demand and keeps them until the day closes (``forget``); they hold no state.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from api.clock import Clock, ServiceClock, local_date
from api.store import AreaStore, DayStore
from api.views import ScheduleCache
from maas.roads import RoadNetwork
from maas.service import ServiceDefinition
from solver.dispatch import Dispatcher
from solver.dispatch.policy import policy_for_day

_BOOKING_ID = re.compile(r"^b_(\d{8})_[0-9a-f]+$")


def new_booking_id(day: date) -> str:
    """A booking id that names its service day (``b_20261208_...``)."""
    return f"b_{day.strftime('%Y%m%d')}_{secrets.token_hex(6)}"


def day_of_booking(booking_id: str) -> date | None:
    """The service day a booking id names, or None if it is not a booking id."""
    found = _BOOKING_ID.match(booking_id)
    if found is None:
        return None
    digits = found.group(1)
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


@dataclass
class DayContext:
    """One service day: its date, clock, Redis state, dispatchers and schedule cache.

    ``dispatcher`` plans with the final pickup-window width; ``booking_dispatcher`` is the
    one offers use, with the provisional width while the day lies ahead.
    """

    day: date
    clock: ServiceClock
    store: DayStore
    dispatcher: Dispatcher
    booking_dispatcher: Dispatcher
    schedules: ScheduleCache


class ServiceDays:
    """Day contexts of one area, built on demand from the service file (see module doc)."""

    def __init__(self, service: ServiceDefinition, network: RoadNetwork, store: AreaStore,
                 clock: Clock) -> None:
        self.service, self.network, self.store, self.clock = service, network, store, clock
        self._contexts: dict[date, DayContext] = {}

    def today(self) -> date:
        """The local calendar date now."""
        return local_date(self.clock.now(), self.service.timezone)

    def clock_of(self, day: date) -> ServiceClock:
        """The day-seconds clock of ``day``."""
        found = self._contexts.get(day)
        if found is not None:
            return found.clock
        return ServiceClock(day, self.service.timezone, self.clock)

    def context(self, day: date) -> DayContext:
        """The context of ``day`` (open or about to open)."""
        found = self._contexts.get(day)
        if found is not None:
            return found
        final = Dispatcher(self.network, policy_for_day(self.service, day))
        ahead = Dispatcher(self.network, policy_for_day(self.service, day, provisional=True))
        ctx = DayContext(day=day, clock=ServiceClock(day, self.service.timezone, self.clock),
                         store=self.store.day(day), dispatcher=final, booking_dispatcher=ahead,
                         schedules=ScheduleCache(lambda: final))
        self._contexts[day] = ctx
        return ctx

    def offer_dispatcher(self, ctx: DayContext, same_day: bool) -> Dispatcher:
        """The dispatcher an offer for ``ctx``'s day uses now."""
        return ctx.dispatcher if same_day else ctx.booking_dispatcher

    def forget(self, day: date) -> None:
        """Drop a closed day's context."""
        self._contexts.pop(day, None)

    async def open_days(self) -> list[date]:
        """Dates of the open days, in order."""
        return sorted(await self.store.day_records())

    async def current(self) -> DayContext | None:
        """The day vans are driving now: today if it is open, else the latest open day
        before it (a shift past midnight), else None."""
        today = self.today()
        past = [d for d in await self.open_days() if d <= today]
        return self.context(past[-1]) if past else None

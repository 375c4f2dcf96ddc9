"""The dispatcher of today: an area's times count from the midnight of the day it opened
(``api.clock``), so each later calendar day's operating hours lie a multiple of 24 h further.
"""

from __future__ import annotations

from typing import Any

from api.clock import ServiceClock, local_date
from api.settings import Settings
from maas.domain import TimeWindow
from solver.dispatch import Dispatcher, DispatchPolicy

DAY_S = 86_400


class TodaysDispatcher:
    """Hands out a ``Dispatcher`` whose policy has today's operating hours (rebuilt when the
    local date changes; the dispatcher itself holds no state)."""

    def __init__(self, network: Any, settings: Settings, clock: ServiceClock) -> None:
        self.network, self.settings, self.clock = network, settings, clock
        self._day = -1
        self._dispatcher: Dispatcher | None = None

    def days_open(self) -> int:
        """Whole days since the area's service day (0 on its first day)."""
        today = local_date(self.clock.now(), self.settings.timezone)
        return (today - self.clock.service_day).days

    def __call__(self) -> Dispatcher:
        """The dispatcher for today."""
        day = self.days_open()
        if self._dispatcher is None or day != self._day:
            start, end = self.settings.hours_seconds()
            shift = day * DAY_S
            policy = DispatchPolicy(offer_ttl=self.settings.offer_ttl_seconds,
                                    operating_hours=TimeWindow(start + shift, end + shift))
            self._dispatcher, self._day = Dispatcher(self.network, policy), day
        return self._dispatcher
